"""Adaptive Cards 1.5 for Teams, rendered from cards/teams/<kind>.json.j2 with the core's card context.

Templates stay declarative; what depends on who is looking (an executive lead sees Approve / Disagree
for their own partner only) or on the last action (errors, a confirmation line) is worked out here
and handed to the template as `v` (view) and `ui`.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from bot.agency_return import FIELD_LABELS
from bot.effects import CARD_KINDS
from bot.partnership import Member, Partnership, Role

TEMPLATES = Path(__file__).resolve().parents[2] / "cards" / "teams"
CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
CHRONOLOGY_ROWS = 3
LONG_FIELDS = ("nature_of_involvement", "lived_experience", "went_well", "could_be_different", "information_sharing",
               "single_agency_learning", "immediate_actions", "parallel_processes", "equality_considerations")
DECISION_WORDS = {"approved": "Approved", "disagreed": "Disagreed", "awaiting": "Awaiting decision"}
CHOICE_WORDS = {"lcspr": "LCSPR", "no-lcspr": "No LCSPR"}
PANEL_CHOICES = (("agrees", "Agrees with the partners"), ("disagrees", "Disagrees, or asks the partners to reconsider"),
                 ("information", "Asks for more information"), ("national", "Commissions a national review"),
                 ("local", "A local review is more appropriate"), ("acknowledged", "Acknowledged receipt only"))
PANEL_LABELS = {"AGREES": "Agrees with the partners' decision", "DISAGREES_OR_RECONSIDER": "Asks the partners to reconsider",
                "REQUESTS_INFORMATION": "Asks for more information", "NATIONAL_REVIEW_COMMISSIONED":
                "National review commissioned", "LOCAL_REVIEW_MORE_APPROPRIATE": "A local review is more appropriate"}
RECOMMENDATION_LABELS = {"LCSPR": "A local child safeguarding practice review (LCSPR)",
                         "NO_LCSPR_LEARNING_VIA_OTHER_ROUTE": "No LCSPR: learning through another route"}

_env = Environment(loader=FileSystemLoader(str(TEMPLATES)), undefined=StrictUndefined, autoescape=False,
                   trim_blocks=True, lstrip_blocks=True)
_env.filters["j"] = lambda value: json.dumps(value, ensure_ascii=False)


def render(kind: str, context: dict[str, Any], *, viewer: Member | None = None, partnership: Partnership | None = None,
           ui: dict[str, Any] | None = None, refresh_ids: list[str] | None = None) -> dict[str, Any]:
    """The card as a dict, ready to be an attachment's content or an invoke response's value."""
    if kind not in CARD_KINDS:
        raise ValueError(f"unknown card kind {kind!r}")
    ui = dict(ui or {})
    view = _view(kind, context, viewer, partnership, ui)
    text = _env.get_template(f"{kind}.json.j2").render(c=context, v=view, ui=ui, refresh_ids=refresh_ids or [])
    return json.loads(text)


def attachment(card: dict[str, Any]):  # noqa: ANN201 (an SDK Attachment)
    from microsoft_agents.hosting.core import CardFactory

    return CardFactory.adaptive_card(card)


def _view(kind: str, c: dict[str, Any], viewer: Member | None, p: Partnership | None, ui: dict[str, Any]) -> dict[str, Any]:
    view: dict[str, Any] = {"decision_words": DECISION_WORDS, "choice_words": CHOICE_WORDS, "panel_choices": PANEL_CHOICES,
                            "panel_label": lambda outcome: PANEL_LABELS.get(outcome or "", outcome or "")}
    if kind == "executive_approval":
        view.update(_approval_view(c, viewer, p))
    elif kind == "agency_request":
        view.update(labels=FIELD_LABELS, long_fields=LONG_FIELDS, chronology_rows=CHRONOLOGY_ROWS,
                    form_open=ui.get("form_open", True), form_inline=bool(ui.get("errors")),
                    agency_status=ui.get("agency_status"))
    return view


def _approval_view(c: dict[str, Any], viewer: Member | None, p: Partnership | None) -> dict[str, Any]:
    """Each executive lead (or deputy) decides for their own statutory partner, once per version,
    while no partner has disagreed with it; everyone else sees the status."""
    rec = c.get("recommendation") or ""
    out: dict[str, Any] = {"recommendation": RECOMMENDATION_LABELS.get(rec, rec) or None,
                           "can_decide": False, "viewer_partner": None, "viewer_note": ""}
    if viewer is None or p is None or not viewer.has(Role.EXECUTIVE_LEAD):
        return out
    partner = p.partner_of(viewer)
    if partner is None:
        return out
    statuses = {x["partner"]: x["status"] for x in c.get("partners", [])}
    label = next((x["label"] for x in c.get("partners", []) if x["partner"] == partner.value), partner.value)
    out["viewer_partner"] = label
    mine = statuses.get(partner.value)
    if "disagreed" in statuses.values():
        out["viewer_note"] = "A partner disagreed with this version: decisions wait for the next version."
    elif mine == "approved":
        out["viewer_note"] = f"{label} has approved this version."
    elif c.get("version") is not None and not c.get("complete"):
        out["can_decide"] = True
    return out
