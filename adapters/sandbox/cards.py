"""The Teams Adaptive Cards, drawn for one viewer: the sandbox reuses the Teams templates and renderer
(adapters/teams/cards.py), so what a newcomer clicks here is what they will click in Teams."""
from __future__ import annotations

import logging
from typing import Any

from adapters.sandbox.store import REFRESHED, Message, Store, round_of
from bot.partnership import Member, Partnership

log = logging.getLogger("rapidreview.sandbox")
OUTSTANDING = ("requested", "acknowledged", "query raised")


def _teams_render():  # noqa: ANN202
    from adapters.teams import cards as teams_cards

    return teams_cards.render


def shown_context(message: Message, store: Store) -> dict[str, Any]:
    """The card's context as it is shown now: a card Teams refreshes on view shows the newest round."""
    kind, context = message.card or "notice", dict(message.context or {})
    if kind in REFRESHED:
        context = dict(store.newest.get((context.get("case_code", ""), kind), context))
    return context


def card_for(message: Message, viewer: Member, p: Partnership, store: Store) -> dict[str, Any]:
    """The card as this viewer sees it now, with their own last answer on it (message, errors, values)
    while the card is still on the same round (a new report version is a new question)."""
    kind, context = message.card or "notice", shown_context(message, store)
    ui = dict(store.card_ui.get((viewer.key, message.id), {}))
    if ui and ui.get("round") != round_of(context):
        ui = {}
    view = store.status_views.get(context.get("case_code", ""))
    if view and kind == "agency_request":
        # The request may have moved on since the card was sent (a nil return, a waiver): show it as it is.
        status = next((a["status"] for a in view.get("agencies", []) if a["key"] == context.get("agency_key")), None)
        ui["agency_status"] = status
        ui.setdefault("form_open", status in OUTSTANDING if status else True)
    elif view and kind == "action_item":
        status = next((a["status"] for a in view.get("actions", []) if a["number"] == context.get("number")), None)
        context["status"] = status or context.get("status")
    try:
        return _teams_render()(kind, context, viewer=viewer, partnership=p, ui=ui)
    except Exception:  # a template being edited must not take the whole page down
        log.exception("could not render a %s card", kind)
        return fallback(kind, context)


def fallback(kind: str, context: dict[str, Any]) -> dict[str, Any]:
    """A plain card that says what it is, when the template cannot be drawn."""
    title = context.get("case_code", "")
    if context.get("pseudonym"):
        title += f" / {context['pseudonym']}"
    body = [{"type": "TextBlock", "text": title or "Card", "weight": "Bolder", "wrap": True},
            {"type": "TextBlock", "text": f"This {kind.replace('_', ' ')} card could not be drawn.", "wrap": True}]
    if context.get("text"):
        body.append({"type": "TextBlock", "text": str(context["text"]), "wrap": True})
    return {"type": "AdaptiveCard", "version": "1.5", "body": body}
