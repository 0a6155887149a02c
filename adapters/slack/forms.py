"""Modals: opening a case, an agency's structured return (domain §3.4), a view with its reason, a disagreement.

Each form has a builder (the view to open) and a reader (view_submission values -> a core Command, or
field errors keyed by block id for `ack(response_action="errors")`). Block ids are the core's field
names wherever there is one, so the core's own field errors land on the right input. What people type
here is passed to the core, which checks it again and keeps it out of every channel.
"""
from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

from bot.agency_return import FIELD_LABELS
from bot.grammar import PSEUDONYM, Command, ParseError, parse_date
from bot.states import CASE_KINDS
from bot.return_screen import CONFIRM_FIELD

NEW_CASE, AGENCY_RETURN, VOTE, DISAGREE = "rr_new", "rr_return", "rr_vote", "rr_disagree"
CHRONOLOGY_ROWS = 3  # a few rows in chat; longer chronologies go to the Business Unit's secure store
KINDS = CASE_KINDS
_SHORT = {"completed_by_role", "senior_signoff_role", "involvement_period"}
# The first sits above the chronology in the form; the rest follow it.
_LONG = ["nature_of_involvement", "lived_experience", "went_well", "could_be_different", "information_sharing",
         "single_agency_learning", "immediate_actions", "parallel_processes", "equality_considerations"]


def _text(t: str, limit: int = 3000) -> dict[str, str]:
    return {"type": "plain_text", "text": t[:limit]}


def _input(block_id: str, label: str, element: dict[str, Any], *, optional: bool = False, hint: str | None = None) -> dict:
    block = {"type": "input", "block_id": block_id, "label": _text(label, 2000), "optional": optional,
             "element": {"action_id": "value", **element}}
    if hint:
        block["hint"] = _text(hint, 2000)
    return block


def _plain_input(block_id: str, label: str, *, multiline: bool = False, max_length: int = 3000, **kw: Any) -> dict:
    return _input(block_id, label, {"type": "plain_text_input", "multiline": multiline, "max_length": max_length}, **kw)


def _date_input(block_id: str, label: str, **kw: Any) -> dict:
    return _input(block_id, label, {"type": "datepicker"}, **kw)


def _modal(callback_id: str, title: str, blocks: list[dict], *, submit: str | None, meta: dict | None = None) -> dict:
    view: dict[str, Any] = {"type": "modal", "callback_id": callback_id, "title": _text(title, 24),
                            "close": _text("Cancel" if submit else "Close", 24), "blocks": blocks,
                            "private_metadata": json.dumps(meta or {}, separators=(",", ":"))}
    if submit:
        view["submit"] = _text(submit, 24)
    return view


def _note(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def result_view(title: str, text: str) -> dict:
    """What a modal turns into after it was submitted: the core's reply, only to the person."""
    from adapters.slack.cards import escape_mrkdwn

    return _modal("rr_result", title, [{"type": "section", "text": {"type": "mrkdwn", "text": escape_mrkdwn(text)[:3000]}}],
                  submit=None)


# -- reading submitted values -----------------------------------------------------------------------
def values(view: dict[str, Any]) -> dict[str, Any]:
    """block id -> the submitted value (str, ISO date str, option value, list of option values, or None)."""
    out: dict[str, Any] = {}
    for block_id, actions in (view.get("state") or {}).get("values", {}).items():
        v = actions.get("value") or next(iter(actions.values()), {})
        kind = v.get("type")
        if kind == "datepicker":
            out[block_id] = v.get("selected_date")
        elif kind in ("static_select", "radio_buttons"):
            out[block_id] = (v.get("selected_option") or {}).get("value")
        elif kind == "checkboxes":
            out[block_id] = [o["value"] for o in v.get("selected_options") or []]
        else:
            text = v.get("value")
            out[block_id] = text.strip() if isinstance(text, str) and text.strip() else None
    return out


def metadata(view: dict[str, Any]) -> dict[str, Any]:
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return meta if isinstance(meta, dict) else {}


# -- opening a case -------------------------------------------------------------------------------------
def new_case_view() -> dict:
    kinds = [{"text": _text(label, 75), "value": key} for key, label in KINDS.items()]
    return _modal(NEW_CASE, "New rapid review", [
        _note("The pseudonym is shown in every message: use the partnership's form (*Child V*, *Family U*), never a name. "
              "The case channel is named by the case code only."),
        _plain_input("pseudonym", "Pseudonym", max_length=30, hint="For example: Child V"),
        _date_input("aware", "Date the council became aware", optional=True,
                    hint="Starts the 5-working-day clock for the Serious Incident Notification."),
        _date_input("sin", "Date the SIN was submitted", optional=True, hint="Leave empty if it has not been sent yet."),
        _input("kind", "Kind of incident", {"type": "static_select", "options": kinds,
                                            "placeholder": _text("Choose if known", 150)}, optional=True),
    ], submit="Open case")


def read_new_case(view: dict[str, Any]) -> tuple[Command | None, dict[str, str]]:
    v = values(view)
    errors: dict[str, str] = {}
    pseudonym = " ".join((v.get("pseudonym") or "").split())
    if not PSEUDONYM.match(pseudonym):
        errors["pseudonym"] = 'Use the partnership\'s pseudonym, like "Child V" or "Family U": never a name.'
    dates: dict[str, date | None] = {}
    for key, what in (("aware", "the awareness date"), ("sin", "the SIN date")):
        try:
            dates[key] = parse_date(v[key], what) if v.get(key) else None
        except ParseError:
            errors[key] = "Use a date like 2026-12-18."
    if dates.get("sin") and not dates.get("aware"):
        errors["aware"] = "The SIN clock starts when the council became aware: give this date too."
    elif dates.get("sin") and dates.get("aware") and dates["sin"] < dates["aware"]:
        errors["sin"] = "The SIN follows awareness: this date is before it."
    if errors:
        return None, errors
    return Command("new", None, {"pseudonym": pseudonym, "aware": dates.get("aware"), "sin": dates.get("sin"),
                                 "kind": v.get("kind") or "unspecified", "residing": None, "lead": None}), {}


def refusal_block(text: str) -> str:
    """Which field of the new-case form a refusal from the core is about (the pseudonym field otherwise)."""
    m = re.search(r"\b(sin|aware|pseudonym)\b", text, re.IGNORECASE)
    return m.group(1).lower() if m else "pseudonym"


# -- an agency's return --------------------------------------------------------------------------------
def _row_ids(n: int) -> dict[str, str]:
    return {f: f"chronology_{n}_{f}" for f in ("date", "source", "event", "action")}


def agency_return_view(case_code: str, agency_key: str, agency_name: str) -> dict:
    L = FIELD_LABELS
    blocks: list[dict] = [
        _note(f"*{agency_name}* return for *{case_code}*. What you write is kept for the report and never posted in a "
              "channel. Use roles (\"the class teacher\", \"mother\"), never names, dates of birth or addresses."),
        _input("involvement", "Did your agency have involvement?", {"type": "radio_buttons", "options": [
            {"text": _text("Yes: this is our return", 75), "value": "involved"},
            {"text": _text("No: nil return (no involvement)", 75), "value": "nil"}],
            "initial_option": {"text": _text("Yes: this is our return", 75), "value": "involved"}}),
        _plain_input("completed_by_role", L["completed_by_role"], max_length=200, optional=True),
        _plain_input("senior_signoff_role", L["senior_signoff_role"], max_length=200, optional=True),
        _date_input("signoff_date", L["signoff_date"], optional=True),
        _plain_input("involvement_period", L["involvement_period"], max_length=200, optional=True,
                     hint="For example: March 2025 to August 2026"),
        _plain_input("nature_of_involvement", L["nature_of_involvement"], multiline=True, optional=True),
    ]
    for n in range(1, CHRONOLOGY_ROWS + 1):
        ids = _row_ids(n)
        blocks += [
            _note(f"*{L['chronology']}: row {n}* (leave empty if not needed)"),
            _date_input(ids["date"], "Date", optional=True),
            _plain_input(ids["source"], "Source / service", max_length=200, optional=True),
            _plain_input(ids["event"], "Event or contact", multiline=True, optional=True),
            _plain_input(ids["action"], "Action taken and outcome", multiline=True, optional=True),
        ]
    blocks += [_plain_input(key, L[key], multiline=True, optional=True) for key in _LONG[1:]]
    # Identifying details are kept in the store but left out of the report unless the author confirms them
    # (bot/return_screen.py); names still show as the pseudonym and dates of birth as ages.
    blocks.append(_input(CONFIRM_FIELD, "Identifying details", {"type": "checkboxes", "options": [
        {"text": _text("Confirm identifying details: the report may include them as written", 75), "value": "yes"}]},
        optional=True))
    return _modal(AGENCY_RETURN, "Agency return", blocks, submit="Submit return",
                  meta={"case": case_code, "agency": agency_key})


def read_agency_return(view: dict[str, Any]) -> tuple[Command | None, dict[str, int]]:
    """The command (return with fields, or nil) and which form row each chronology entry came from."""
    v, meta = values(view), metadata(view)
    agency = meta.get("agency")
    if v.get("involvement") == "nil":
        return Command("nil", None, {"agency": agency}), {}
    fields: dict[str, Any] = {k: v[k] for k in (*_SHORT, "signoff_date", *_LONG) if v.get(k)}
    rows, origin = [], {}
    for n in range(1, CHRONOLOGY_ROWS + 1):
        ids = _row_ids(n)
        row = {f: v.get(bid) for f, bid in ids.items() if v.get(bid)}
        if row:
            origin[len(rows)] = n
            rows.append(row)
    if rows:
        fields["chronology"] = rows
    if v.get(CONFIRM_FIELD):
        fields[CONFIRM_FIELD] = True
    return Command("return", None, {"agency": agency, "fields": fields}), origin


def return_errors(field_errors: dict[str, str], origin: dict[int, int]) -> dict[str, str]:
    """The core's field errors as block errors; a chronology error goes to the row and cell it names."""
    out: dict[str, str] = {}
    for name, message in field_errors.items():
        if name == "chronology":
            m = re.search(r"row (\d+), (\w+)", message)
            if m:
                n = origin.get(int(m.group(1)) - 1, 1)
                cell = m.group(2) if m.group(2) in ("date", "source", "event", "action") else "date"
                out[_row_ids(n)[cell]] = message
                continue
            out[_row_ids(origin.get(0, 1))["date"]] = message
        elif name in FIELD_LABELS:
            out[name] = message
        else:
            out["completed_by_role"] = message
    return out


# -- views and disagreements -------------------------------------------------------------------------------
def vote_view(case_code: str, choice: str) -> dict:
    options = [{"text": _text("An LCSPR should be carried out", 75), "value": "lcspr"},
               {"text": _text("No LCSPR", 75), "value": "no-lcspr"}]
    initial = next(o for o in options if o["value"] == choice)
    national = {"text": _text("The case may be of national importance", 75), "value": "national"}
    return _modal(VOTE, "Your view", [
        _note(f"Your (advisory) view on *{case_code}*. Reasons are kept for the report, not shown in the channel."),
        _input("choice", "Your view", {"type": "radio_buttons", "options": options, "initial_option": initial}),
        _input("national", "National importance", {"type": "checkboxes", "options": [national]}, optional=True),
        _plain_input("reason", "Rationale", multiline=True, max_length=2000,
                     hint="Describe the learning without identifying details."),
    ], submit="Record my view", meta={"case": case_code})


def read_vote(view: dict[str, Any]) -> Command:
    """The view; an option that is not one of ours (never sent by Slack for our radio buttons) is refused later."""
    v = values(view)
    choice = v.get("choice") if v.get("choice") in ("lcspr", "no-lcspr") else None
    return Command("vote", choice, {"national": "national" in (v.get("national") or []), "reason": v.get("reason") or ""})


def disagree_view(case_code: str, version: int) -> dict:
    return _modal(DISAGREE, "Disagree", [
        _note(f"You are disagreeing with report *v{version}* of *{case_code}* for your partner. The SPRG chair and "
              "Business Unit are told; a new version must then be approved by all three partners."),
        _plain_input("reason", "Reason", multiline=True, max_length=2000,
                     hint="Kept in the case record, not shown in the channel."),
    ], submit="Disagree", meta={"case": case_code, "version": version})


def read_disagree(view: dict[str, Any]) -> Command:
    v, meta = values(view), metadata(view)
    return Command("disagree", None, {"version": meta.get("version"), "reason": v.get("reason") or ""})
