"""What the sandbox page shows one member: their conversations, the open one's messages (cards drawn
for them), the clock. Codes, pseudonyms, status words and the fictional members' names only."""
from __future__ import annotations

from typing import Any

from adapters.sandbox.cards import card_for
from adapters.sandbox.clock import SandboxClock
from adapters.sandbox.store import CARD, COMMAND, REMOVED, REPLY, TEXT, Conversation, Message, Store
from bot.calendar import LONDON, format_human
from bot.partnership import Member, Partnership

ROLE_WORDS = {"business_unit": "Business Unit", "partnership_manager": "Partnership Manager", "sprg_chair": "SPRG chair",
              "sprg_member": "SPRG member", "agency_lead": "agency lead", "executive_lead": "executive lead",
              "independent_scrutineer": "Independent Scrutineer", "partnership_chair": "Partnership chair",
              "learning_subgroup": "Learning sub-group"}


def describe_member(m: Member, p: Partnership) -> dict[str, Any]:
    roles = [ROLE_WORDS.get(r.value, r.value.replace("_", " ")) for r in m.roles]
    agency = p.agency(m.agency).name
    return {"key": m.key, "name": m.name, "roles": roles, "agency": agency,
            "label": f"{m.name}: {', '.join(roles)} ({agency})" + (" (deputy)" if m.deputy_of else "")}


def members(p: Partnership) -> list[dict[str, Any]]:
    return [describe_member(m, p) for m in p.members]


def _when(m: Message) -> str:
    local = m.at.astimezone(LONDON)
    return f"{format_human(local.date())} {local:%H:%M}"


def _message(m: Message, viewer: Member, p: Partnership, store: Store) -> dict[str, Any]:
    out: dict[str, Any] = {"id": m.id, "kind": m.kind, "at": _when(m), "private": m.only_for is not None}
    if m.kind in (TEXT, COMMAND, REMOVED):
        author = p.member(m.author) if m.author else None
        out["author"] = author.name if author else "Someone"
        out["mine"] = m.author == viewer.key
    else:
        out["author"] = "Rapid Review bot"
    if m.kind == REMOVED:
        out["text"] = "A message was removed by the privacy guard. Its content was not kept."
    elif m.kind in (TEXT, COMMAND, REPLY):
        out["text"] = m.text or ""
        out["ok"] = m.ok
    if m.kind == CARD or (m.kind == REPLY and m.card):
        out["card"] = card_for(m, viewer, p, store)
        out["card_kind"] = m.card
    return out


def _summary(conv: Conversation, p: Partnership, store: Store) -> dict[str, Any]:
    if conv.direct:
        return {"id": conv.id, "name": "Bot", "label": "Bot (private)", "direct": True, "archived": False}
    view = store.status_views.get(conv.case_code or conv.name)
    label = f"#{conv.name}" + (f" / {view['pseudonym']}" if view else "")
    return {"id": conv.id, "name": conv.name, "label": label, "direct": False, "archived": conv.archived,
            "state": view.get("state_label") if view else None}


def state(store: Store, p: Partnership, clock: SandboxClock, viewer: Member, conversation_id: str | None,
          *, renderer: bool, clock_control: bool) -> dict[str, Any]:
    """Everything the page needs to draw itself for this member."""
    convs = store.visible_conversations(viewer.key)
    ids = {c.id for c in convs}
    current = next((c for c in convs if c.id == conversation_id), convs[0]) if conversation_id in ids else convs[0]
    messages = [_message(m, viewer, p, store) for m in current.visible_to(viewer.key) if m.id != current.pinned]
    pinned = current.message(current.pinned) if current.pinned else None
    return {
        "version": store.version,
        "me": describe_member(viewer, p),
        "clock": clock.describe(),
        "clock_control": clock_control,
        "renderer": renderer,
        "conversations": [_summary(c, p, store) for c in convs],
        "conversation": {
            **_summary(current, p, store),
            "topic": current.topic,
            "pinned": _message(pinned, viewer, p, store) if pinned else None,
            "messages": messages,
        },
    }
