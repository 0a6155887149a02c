"""Action.Execute: what a button or form on a card asks the core, and the card that answers it.

Teams shows the invoke response in place of the card that was pressed, so every action answers with
the same kind of card, brought up to date and with a line saying what happened (or, for a form,
what to fix next to each field). The card's context is the one the core emitted last for it (asked of
the core: Core.current_card), so the adapter never recomputes what the core decides.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from adapters.teams import cards
from adapters.teams.text import plain
from bot import buttons
from bot.context import Invocation
from bot.core import Core, Reply
from bot.effects import CARD_KINDS
from bot.grammar import MAX_TEXT, Command, ParseError, parse_date
from bot.identifiers import case_code_problem, positive_int
from bot.partnership import Member, Partnership
from bot.return_screen import CONFIRM_FIELD

CARD = "application/vnd.microsoft.card.adaptive"
MESSAGE = "application/vnd.microsoft.activity.message"
OUTSTANDING = ("requested", "acknowledged", "query raised")
TEXT_FIELDS = ("completed_by_role", "senior_signoff_role", "signoff_date", "involvement_period") + cards.LONG_FIELDS
ROW_FIELDS = ("date", "source", "event", "action", "outcome")
PANEL = ("agrees", "disagrees", "information", "national", "local", "acknowledged")
# Which of a case's several cards of a kind a button is on: the card's data field naming it.
SUBJECT_DATA = {"agency_request": "agency", "action_item": "number", "reminder": "reminder_id"}


def return_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The structured return from the form's inputs: empty inputs are left out, so the core's
    validation can say which required ones are missing."""
    fields: dict[str, Any] = {k: str(data[k]).strip() for k in TEXT_FIELDS if str(data.get(k) or "").strip()}
    rows = []
    for i in range(1, cards.CHRONOLOGY_ROWS + 1):
        row = {f: str(data.get(f"chron{i}_{f}") or "").strip() for f in ROW_FIELDS}
        if any(row.values()):
            rows.append({k: v for k, v in row.items() if v or k in ("action", "outcome")})
    if rows:
        fields["chronology"] = rows
    if str(data.get(CONFIRM_FIELD) or "").lower() == "true":
        fields[CONFIRM_FIELD] = True  # identifying details may go in the report (bot/return_screen.py)
    return fields


def _reason(data: dict[str, Any], errors: dict[str, str]) -> str:
    reason = " ".join(str(data.get("reason") or "").split())
    if not reason:
        errors["reason"] = "Say why (no names or identifying details)."
    elif len(reason) > MAX_TEXT:
        errors["reason"] = f"Too long ({len(reason)} characters; at most {MAX_TEXT})."
    return reason


def command_for(verb: str, data: dict[str, Any]) -> tuple[Command | None, dict[str, str]]:
    """The core command a card action stands for, or field errors when the form is incomplete. One-shot
    buttons come from the core's button table (bot/buttons.py); the forms are read here."""
    form = form_command(verb, data)
    if form is not None:
        return form
    cmd = buttons.command_for(verb, data)
    return (cmd, {}) if cmd is not None else (None, {"form": "This button is not supported."})


def form_command(verb: str, data: dict[str, Any]) -> tuple[Command | None, dict[str, str]] | None:
    """A card form's command (or its field errors), or None when the action is not a form."""
    errors: dict[str, str] = {}
    if verb == "return":
        return Command("return", None, {"agency": data.get("agency"), "fields": return_fields(data)}), errors
    if verb == "vote":
        choice = data.get("choice")
        if choice not in ("lcspr", "no-lcspr"):
            errors["choice"] = "Choose LCSPR or no LCSPR."
        reason = _reason(data, errors)
        national = str(data.get("national", "false")).lower() == "true"
        return (None if errors else Command("vote", choice, {"national": national, "reason": reason})), errors
    if verb in ("approve", "disagree"):
        # Absent means "the current version"; anything present must be a version number (0 is not "absent").
        version = None
        if data.get("version") not in (None, ""):
            version = positive_int(data["version"])
            if version is None:
                errors["version"] = "That is not a report version: the card may have been altered. Reload it."
                return None, errors
        if verb == "approve":
            return Command("approve", None, {"version": version}), errors
        reason = _reason(data, errors)
        return (None if errors else Command("disagree", None, {"version": version, "reason": reason})), errors
    if verb == "panel":
        outcome = data.get("outcome")
        if outcome not in PANEL:
            errors["outcome"] = "Choose the Panel's response."
        on: date | None = None
        if str(data.get("date") or "").strip():
            try:
                on = parse_date(str(data["date"]).strip(), "the date of the response")
            except ParseError as exc:
                errors["date"] = str(exc)
        ref = str(data.get("ref") or "").strip() or None
        args = {} if outcome == "acknowledged" else {"ref": ref, "date": on}
        return (None if errors else Command("panel", outcome, args)), errors
    return None


class CardActions:
    def __init__(self, core: Core, partnership: Partnership,
                 refresh_ids: Callable[[str], Awaitable[list[str]]]):
        self.core, self.p, self.refresh_ids = core, partnership, refresh_ids

    async def execute(self, verb: str, data: dict[str, Any], inv: Invocation) -> tuple[str, Any]:
        """(response type, value) for an adaptiveCard/action invoke."""
        kind, code = data.get("card"), data.get("case")
        if not isinstance(kind, str) or kind not in CARD_KINDS or not isinstance(code, str):
            return MESSAGE, "This card is not one the bot can act on."
        problem = case_code_problem(code)
        if problem:
            return MESSAGE, problem
        if verb == "refresh":
            return await self.card(kind, code, data, inv.member, {})
        if verb == "understood":
            return await self.card(kind, code, data, inv.member, {"answered": True, "message": "Thank you.", "tone": "good"})
        if verb == "reminder":
            if positive_int(data.get("reminder_id")) is None:
                return MESSAGE, "This reminder card is incomplete."
            reply = await self.core.reminder_action(inv, positive_int(data["reminder_id"]), str(data.get("do") or "")[:20])
            return await self.card(kind, code, data, inv.member, self._ui(reply, data, answered=reply.ok))
        cmd, errors = command_for(verb, data)
        if cmd is None:
            return await self.card(kind, code, data, inv.member, {"message": "Please check the form.", "tone": "attention",
                                                                   "errors": errors, "values": data})
        reply = await self.core.handle(Invocation(inv.platform, inv.platform_user, inv.member, command=cmd,
                                                  case_code=code, private=inv.private))
        if kind == "notice" and verb == "status":
            return MESSAGE, plain(reply.text)  # Teams shows this answer as text: no Markdown marks
        ui = self._ui(reply, data)
        if kind == "case_status" and reply.card and reply.card[0] == "case_status":
            return CARD, await self._render("case_status", reply.card[1], inv.member, {**ui, "message": None})
        if reply.card and reply.card[0] == kind:  # the core answered with this card as it now stands
            return CARD, await self._render(kind, reply.card[1], inv.member, ui)
        return await self.card(kind, code, data, inv.member, ui)

    @staticmethod
    def _ui(reply: Reply, data: dict[str, Any], **extra: Any) -> dict[str, Any]:
        ui = {"message": reply.text, "tone": "good" if reply.ok else "attention", **extra}
        if not reply.ok:
            # After the PII guard refused it, the form comes back empty: never show the typed details again.
            ui.update(errors=reply.data.get("field_errors") or {}, values={} if reply.data.get("pii_blocked") else data)
        return ui

    async def card(self, kind: str, code: str, data: dict[str, Any], viewer: Member | None,
                   ui: dict[str, Any]) -> tuple[str, Any]:
        context = await self._fresh(kind, code, data, viewer, ui)
        if context is None:
            return MESSAGE, ui.get("message") or "This card is out of date: ask for `status` in the case channel."
        return CARD, await self._render(kind, context, viewer, ui)

    async def _render(self, kind: str, context: dict[str, Any], viewer: Member | None,
                      ui: dict[str, Any]) -> dict[str, Any]:
        return cards.render(kind, context, viewer=viewer, partnership=self.p, ui=ui,
                            refresh_ids=await self.refresh_ids(kind))

    async def _fresh(self, kind: str, code: str, data: dict[str, Any], viewer: Member | None,
                     ui: dict[str, Any]) -> dict[str, Any] | None:
        if kind == "case_status":
            if viewer is None:
                return None
            reply = await self.core.handle(Invocation("teams", viewer.teams_user_id or viewer.key, viewer,
                                                      command=Command("status"), case_code=code))
            return reply.card[1] if reply.ok and reply.card else None
        context = await self.latest(kind, code, data, viewer)
        if context is None and kind == "vote" and viewer is not None:
            # No view recorded yet, so no tally card: an empty one from the case's status.
            view = await self._status_view(code, viewer)
            if view:
                context = {"case_code": code, "pseudonym": view["pseudonym"], "votes": view["votes"]["members"],
                           **{k: view["votes"][k] for k in ("lcspr", "no_lcspr", "national")}}
        if context is None:
            return None
        if kind in ("agency_request", "action_item") and viewer is not None:
            # The request or action has moved on since the card was sent: show its state now.
            view = await self._status_view(code, viewer)
            if view and kind == "agency_request":
                status = next((a["status"] for a in view["agencies"] if a["key"] == context.get("agency_key")), None)
                ui["agency_status"] = status
                ui.setdefault("form_open", status in OUTSTANDING if status else True)
            elif view:
                status = next((a["status"] for a in view["actions"] if a["number"] == context.get("number")), None)
                context = {**context, "status": status or context.get("status")}
        return context

    async def _status_view(self, code: str, viewer: Member) -> dict[str, Any] | None:
        reply = await self.core.handle(Invocation("teams", viewer.teams_user_id or viewer.key, viewer,
                                                  command=Command("status"), case_code=code))
        return reply.card[1] if reply.ok and reply.card else None

    async def latest(self, kind: str, code: str, data: dict[str, Any], viewer: Member | None) -> dict[str, Any] | None:
        """The context the core last emitted for this card (the agency, action or reminder the card is about)."""
        subject = data.get(SUBJECT_DATA[kind]) if kind in SUBJECT_DATA else None
        return await self.core.current_card(kind, code, subject, viewer)
