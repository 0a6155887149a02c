"""The command registry: one entry per command, and one text grammar for every platform.

Each command is declared once, in SPECS below: its grammar (a parser), its help text and example, who may
run it (the role table in bot/roles.py is assembled from these entries) and its part of the case lifecycle
(rows naming the step that does the work; bot/lifecycle.py assembles the table). Read-only queries
(`help`, `status`, `list`) are entries too. docs/DEVELOPING.md says how to add one.

Parsing only decides *what* was asked (the match half of a match/handle split); whether it is
allowed and what it changes is decided elsewhere. Every error names the bad part and shows the
closest valid form, so a Business Unit officer can fix the command without opening the docs.

This module sits low (it imports only the partnership's roles and the case states): steps, guards and
queries are named as strings ("intake.new", a function in bot/steps/intake.py) and resolved by the layers
above (bot/lifecycle.py, bot/core.py), so the steps may use `Command` without an import loop.
"""
from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bot.partnership import Role
from bot.report.kinds import DOCUMENTS, KINDS as LINK_KINDS
from bot.states import CASE_KINDS, RR_CLOCK_RUNNING, SHARING_RECIPIENTS, CaseState as S

CASE_CODE = re.compile(r"^[a-z][a-z0-9]{0,9}-\d{4}-\d{3}$")
PSEUDONYM = re.compile(r"^(Child|Children|Family|Baby|Infant|Sibling|Siblings|Young Person) [A-Z]{1,3}[0-9]?$")
VERSION = re.compile(r"^v?(\d{1,4})$", re.IGNORECASE)
_SMART_QUOTES = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2018": "'", "\u2019": "'", "\u00a0": " "})
MAX_TEXT = 2000


class ParseError(ValueError):
    """The text is not a valid command; the message says what was wrong and shows a right form."""


@dataclass(frozen=True)
class Command:
    verb: str
    option: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    case_code: str | None = None

    @property
    def key(self) -> str:
        """The transition-table key: the verb, plus the option where the option picks the branch."""
        spec = SPECS.get(self.verb)
        return f"{self.verb} {self.option}" if self.option and spec is not None and spec.branching else self.verb


@dataclass(frozen=True)
class Row:
    """One part of a command's lifecycle: from each of `sources`, running the step may lead to `to`.

    `step` and `guard` name functions in bot/steps/ ("intake.new" is `new` in bot/steps/intake.py), or are
    the functions themselves. A step returns the next state (None: stay); a guard returns why not, or None."""

    sources: tuple[S, ...] | list[S]
    step: str | Callable[..., Any]
    to: tuple[S, ...] | list[S] = ()  # every state the step may lead to; empty: the case stays where it is
    option: str | None = None  # for a branching command, the option that picks this row (`triage notifiable`)
    guard: str | Callable[..., str | None] | None = None
    stay: bool = False  # it may also stay where it is


@dataclass(frozen=True)
class Spec:
    """Everything about one command. The first six fields are its grammar and help; the rest say who may
    run it, what it changes, and how it is answered."""

    verb: str
    usage: str
    summary: str
    example: str
    parse: Callable[["_Words"], tuple[str | None, dict[str, Any]]]
    needs_case: bool = True
    roles: frozenset[Role] | None = None  # who may run it (None: only the options in option_roles exist)
    option_roles: Mapping[str, frozenset[Role]] = field(default_factory=dict)  # `link draft`: its own rule
    branching: bool = False  # the option picks the lifecycle row, and is part of the command's key
    query: str | Callable[..., Any] | None = None  # read-only: a function in bot/queries.py answers it
    before: str | Callable[..., Any] | None = None  # a read-only answer tried before the write (bot/queries.py)
    rows: tuple[Row, ...] | list[Row] = ()  # its part of the case lifecycle (commands that change a case)
    explain: Mapping[tuple[S, str], str] = field(default_factory=dict)  # (state, key) -> why not, in domain words

    @property
    def read_only(self) -> bool:
        """Running it twice changes nothing, so an adapter need not record its receipt (a database write)
        to stop a platform's retry or a replay."""
        return self.query is not None


class _Words:
    """Tokens split into positionals and key=value pairs, consumed by a verb's parser."""

    def __init__(self, spec_verb: str, tokens: list[str]):
        self.verb = spec_verb
        self.positional: list[str] = []
        self.keywords: dict[str, str] = {}
        for tok in tokens:
            m = re.match(r"^([a-z_]+)=(.*)$", tok, re.DOTALL)
            if m:
                if m.group(1) in self.keywords:
                    raise ParseError(f"`{m.group(1)}=` is given twice")
                self.keywords[m.group(1)] = m.group(2)
            else:
                self.positional.append(tok)

    def choice(self, choices: tuple[str, ...], what: str) -> str:
        if not self.positional:
            raise ParseError(f"`{self.verb}` needs {what}: one of {', '.join(choices)}")
        word = self.positional.pop(0).lower()
        if word not in choices:
            near = difflib.get_close_matches(word, choices, n=1)
            hint = f" Did you mean `{near[0]}`?" if near else ""
            raise ParseError(f"'{word}' is not {what} for `{self.verb}`: use one of {', '.join(choices)}.{hint}")
        return word

    def date(self, what: str, keyword: str | None = None, required: bool = True) -> date | None:
        raw = self.keywords.pop(keyword, None) if keyword else None
        if raw is None and self.positional and keyword is None:
            raw = self.positional.pop(0)
        if raw is None:
            if required:
                raise ParseError(f"`{self.verb}` needs {what} as YYYY-MM-DD, for example 2026-12-18")
            return None
        return parse_date(raw, what)

    def text(self, keyword: str, what: str, required: bool = True) -> str | None:
        value = self.keywords.pop(keyword, None)
        if value is None and required:
            raise ParseError(f'`{self.verb}` needs {what}: add {keyword}="..."')
        if value is not None:
            value = value.strip()
            if required and not value:
                raise ParseError(f'{keyword}= is empty: say why, for example {keyword}="..."')
            if len(value) > MAX_TEXT:
                raise ParseError(f"{keyword}= is too long ({len(value)} characters; at most {MAX_TEXT})")
        return value

    def flag(self, word: str) -> bool:
        if word in self.positional:
            self.positional.remove(word)
            return True
        return False

    def done(self) -> None:
        if self.positional:
            raise ParseError(f"unexpected '{self.positional[0]}' after `{self.verb}`")
        if self.keywords:
            raise ParseError(f"`{self.verb}` does not take `{next(iter(self.keywords))}=`")


def parse_date(raw: str, what: str) -> date:
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
        raise ParseError(f"bad date '{raw}' for {what}: use YYYY-MM-DD, for example 2026-12-18")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ParseError(f"bad date '{raw}' for {what}: no such day; use YYYY-MM-DD, for example 2026-12-18") from None


# -- per-verb parsers ---------------------------------------------------------------------------

def _none(w: _Words):
    w.done()
    return None, {}


def _list(w: _Words):
    raw = w.keywords.pop("page", None)
    w.done()
    if raw is None:
        return None, {"page": 1}
    if not raw.isdigit() or not 1 <= int(raw) <= 100_000:
        raise ParseError(f"page={raw} is not a page number: use a whole number from 1, for example: list page=2")
    return None, {"page": int(raw)}


def _new(w: _Words):
    pseudonym = w.keywords.pop("pseudonym", None)
    if pseudonym is None:
        raise ParseError('`new` needs a pseudonym, for example pseudonym="Child V"')
    pseudonym = " ".join(pseudonym.split())
    if not PSEUDONYM.match(pseudonym):
        raise ParseError(
            f'pseudonym must look like "Child V" or "Family U" (a word and 1-3 capital letters), '
            "never the child's name: the pseudonym is shown in every message"
        )
    args: dict[str, Any] = {"pseudonym": pseudonym}
    args["aware"] = w.date("aware (the date the council became aware)", "aware", required=False)
    args["sin"] = w.date("sin (the date the SIN was submitted)", "sin", required=False)
    kind = w.keywords.pop("kind", None)
    kinds = tuple(CASE_KINDS)
    if kind is not None and kind not in kinds:
        raise ParseError(f"kind '{kind}' is not known: use one of {', '.join(kinds)}")
    args["kind"] = kind or "unspecified"
    for key in ("residing", "lead"):
        value = w.keywords.pop(key, None)
        if value is not None:
            value = " ".join(value.split())
            if not re.fullmatch(r"[A-Za-z][A-Za-z &'\-,.]{1,78}", value):
                raise ParseError(f'{key}= names a partnership or council, for example {key}="City of York"')
        args[key] = value
    if args["residing"] and args["lead"]:
        raise ParseError('give residing= (we lead; the child lives elsewhere) or lead= (another partnership leads), not both')
    if args["sin"] and not args["aware"]:
        raise ParseError("sin= needs aware= too (the SIN clock starts when the council became aware)")
    if args["sin"] and args["aware"] and args["sin"] < args["aware"]:
        raise ParseError(f"sin={args['sin']} is before aware={args['aware']}: the SIN follows awareness")
    w.done()
    return None, args


def _one_date(what: str):
    def parse(w: _Words):
        d = w.date(what)
        w.done()
        return None, {"date": d}
    return parse


def _sin(w: _Words):
    if w.positional and w.positional[0].lower() == "not-met":
        w.positional.pop(0)
        w.done()
        return "not-met", {}
    if w.positional and w.positional[0].lower() == "details":
        return _sin_details(w)
    d = w.date("the date the SIN was submitted")
    reason = w.text("reason", "why the recorded date is being corrected", required=False)
    w.done()
    return None, {"date": d, "reason": reason}


def _sin_details(w: _Words):
    """`sin details incident=DATE category=… children=N consulted=yes|no` (issue 14 item 19)."""
    from bot.states import ABUSE_CATEGORIES as CATEGORIES

    w.positional.pop(0)
    args: dict[str, Any] = {"incident": w.date("incident (the date of the incident)", "incident", required=False)}
    category = w.keywords.pop("category", None)
    if category is not None and category.lower() not in CATEGORIES:
        raise ParseError(f"category '{category}' is not known: use one of {', '.join(CATEGORIES)}")
    args["category"] = category.lower() if category else None
    children = w.keywords.pop("children", None)
    if children is not None and not (children.isdigit() and 1 <= int(children) <= 20):
        raise ParseError(f"children={children} is not a number of children: use a whole number from 1, for example children=2")
    args["children"] = int(children) if children else None
    consulted = w.keywords.pop("consulted", None)
    if consulted is not None and consulted.lower() not in ("yes", "no"):
        raise ParseError(f"consulted={consulted}: say yes or no (were the safeguarding partners consulted on notifying?)")
    args["consulted"] = None if consulted is None else consulted.lower() == "yes"
    w.done()
    return "details", args


def _aware(w: _Words):
    d = w.date("the date the council became aware")
    reason = w.text("reason", "why the recorded date is being corrected", required=False)
    w.done()
    return None, {"date": d, "reason": reason}


def _optional_date(what: str):
    def parse(w: _Words):
        d = w.date(what, required=False)
        w.done()
        return None, {"date": d}
    return parse


def _choice_only(choices: tuple[str, ...], what: str):
    def parse(w: _Words):
        option = w.choice(choices, what)
        w.done()
        return option, {}
    return parse


def _triage(w: _Words):
    option = w.choice(("notifiable", "local", "withdrawn"), "a triage decision")
    # Withdrawing a sent notification needs its reason: it is recorded and the Panel is told (domain S3).
    reason = w.text("reason", "why the SIN criteria are not met", required=True) if option == "withdrawn" else None
    w.done()
    return option, ({"reason": reason} if option == "withdrawn" else {})


def _submit(w: _Words):
    as_approved = w.flag("as-approved")
    w.done()
    return None, ({"as_approved": True} if as_approved else {})


def _meeting(w: _Words):
    option = w.choice(("icdm", "rrm"), "a meeting (icdm = initial case discussion, rrm = rapid review meeting)")
    held = option == "rrm" and w.flag("held")
    d = w.date("the meeting date", required=not held)
    w.done()
    return option, {"date": d, **({"held": True} if held else {})}


def _agencies(w: _Words):
    names = [p for tok in w.positional for p in re.split(r"[,\s]+", tok) if p]
    w.positional.clear()
    if not names:
        raise ParseError("`request` needs agencies, for example: request police,education")
    w.done()
    return None, {"agencies": [n.lower() for n in names]}


def _agency_optional(w: _Words):
    agency = w.positional.pop(0).lower() if w.positional else None
    fields = w.keywords.pop("fields", None)
    if w.verb == "return" and (w.keywords or w.positional):
        # Someone typing a return's fields: say how a return is submitted instead (issue 14 item 15).
        raise ParseError("a return's contents cannot be typed into a command. Open **Submit return** on your "
                         "information request card (in your direct messages with the bot), or send the return to the "
                         "Business Unit by secure email and record its arrival with `return AGENCY`")
    w.done()
    return None, {"agency": agency, **({"fields": fields} if fields else {})}


def _agency_with_reason(w: _Words):
    if not w.positional:
        raise ParseError(f'`{w.verb}` needs an agency, for example: {w.verb} education reason="..."')
    agency = w.positional.pop(0).lower()
    reason = w.text("reason", "a reason")
    w.done()
    return None, {"agency": agency, "reason": reason}


def _agency_required(w: _Words):
    if not w.positional:
        raise ParseError(f"`{w.verb}` needs an agency, for example: {w.verb} police")
    agency = w.positional.pop(0).lower()
    w.done()
    return None, {"agency": agency}


def _view(w: _Words):
    option = w.choice(("lcspr", "no-lcspr"), "a view")
    national = w.flag("national")
    reason = w.text("reason", "a rationale")
    w.done()
    return option, {"national": national, "reason": reason}


def _version(w: _Words):
    v = None
    if w.positional:
        m = VERSION.match(w.positional[0])
        if not m:
            raise ParseError(f"'{w.positional[0]}' is not a report version: use v2 (or leave it out for the current one)")
        w.positional.pop(0)
        v = int(m.group(1))
    return v


def _approve(w: _Words):
    v = _version(w)
    w.done()
    return None, {"version": v}


def _disagree(w: _Words):
    v = _version(w)
    reason = w.text("reason", "a reason")
    w.done()
    return None, {"version": v, "reason": reason}


def _panel(w: _Words):
    option = w.choice(("acknowledged", "agrees", "disagrees", "information", "national", "local", "delay"),
                      "the Panel's response (or delay: the Panel told the rapid review is late)")
    if option == "delay":
        reason = w.text("reason", "the reason for the delay, as told to the Panel")
        d = w.date("the date the Panel was told", "date", required=False)
        w.done()
        return option, {"reason": reason, "date": d}
    ref = w.text("ref", "a reference", required=False)
    d = w.date("the date of the Panel's letter", "date", required=False)
    w.done()
    return option, {"ref": ref, "date": d}


def _shared(w: _Words):
    choices = (*SHARING_RECIPIENTS, "all")
    who = w.choice(choices, "who it was shared with") if w.positional else "all"
    w.done()
    return None, {"recipient": who}


def _briefing(w: _Words):
    w.choice(("done",), "the word done")
    w.done()
    return "done", {}


def _action(w: _Words):
    option = w.choice(("add", "done"), "add or done")
    if option == "done":
        if not w.positional or not w.positional[0].isdigit():
            raise ParseError("`action done` needs the action's number, for example: action done 2")
        number = int(w.positional.pop(0))
        evidence = w.text("evidence", "evidence of completion", required=False)
        w.done()
        return option, {"number": number, **({"evidence": evidence} if evidence else {})}
    owner = w.keywords.pop("owner", None)
    if not owner:
        raise ParseError('`action add` needs owner=AGENCY, for example: action add owner=education due=2027-03-01 "..."')
    due = w.date("due (the action's due date)", "due")
    if not w.positional:
        raise ParseError('`action add` needs the action in quotes, for example: action add owner=education due=2027-03-01 "Refresh DSL training"')
    text = " ".join(w.positional).strip()
    w.positional.clear()
    if len(text) > MAX_TEXT:
        raise ParseError(f"the action is too long ({len(text)} characters; at most {MAX_TEXT})")
    w.done()
    return option, {"owner": owner.lower(), "due": due, "text": text}


def _lcspr(w: _Words):
    option = w.choice(("decided", "reviewer", "planned", "publish", "published", "copy-sent"), "an LCSPR step")
    if option == "copy-sent":  # the report sent to the Panel, the Secretary of State and Ofsted
        d = w.date("the date the copy was sent", required=False)
        w.done()
        return option, {"date": d}
    if option in ("decided", "planned"):  # a reason when the step departs from the plan (issue 14 item 12)
        reason = w.text("reason", "a reason", required=False)
        d = w.date(f"the date for `lcspr {option}`")
        w.done()
        return option, {"date": d, **({"reason": reason} if reason else {})}
    if option == "publish":  # the partners' decision to publish: the full report or the improvements only
        form = w.choice(("full", "improvements"), "what is published (full report or improvements only)")
        d = w.date("the date of the decision", required=False)
        w.done()
        return option, {"form": form, "date": d}
    d = w.date(f"the date for `lcspr {option}`", required=option != "reviewer")
    w.done()
    return option, {"date": d}


def _safety(w: _Words):
    """`safety add owner=AGENCY due=DATE at_risk=child|siblings|other-children "…"` | `safety done N` (item 17)."""
    option = w.choice(("add", "done"), "add or done")
    if option == "done":
        if not w.positional or not w.positional[0].isdigit():
            raise ParseError("`safety done` needs the action's number, for example: safety done 1")
        number = int(w.positional.pop(0))
        w.done()
        return option, {"number": number}
    owner = w.keywords.pop("owner", None)
    if not owner:
        raise ParseError('`safety add` needs owner=AGENCY, for example: safety add owner=social_care due=2026-09-09 '
                         'at-risk=siblings "Safety plan for the siblings agreed"')
    due = w.date("due (when it must be done)", "due")
    at_risk = (w.keywords.pop("at_risk", None) or "").lower()
    if at_risk not in ("child", "siblings", "other-children"):
        raise ParseError("at_risk= says who is at risk now: child, siblings or other-children (never a name), "
                         "for example at_risk=siblings")
    if not w.positional:
        raise ParseError('`safety add` needs what is being done, in quotes, for example "Safety plan for the siblings agreed"')
    text = " ".join(w.positional).strip()
    w.positional.clear()
    if len(text) > MAX_TEXT:
        raise ParseError(f"the action is too long ({len(text)} characters; at most {MAX_TEXT})")
    w.done()
    return option, {"owner": owner.lower(), "due": due, "at_risk": at_risk, "text": text}


def _kloe(w: _Words):
    text = " ".join(w.positional).strip()
    w.positional.clear()
    if not text:
        raise ParseError('`kloe` needs the line of enquiry in quotes, for example: kloe "Information sharing between health and school"')
    if len(text) > MAX_TEXT:
        raise ParseError(f"the line of enquiry is too long ({len(text)} characters; at most {MAX_TEXT})")
    w.done()
    return None, {"text": text}


def _close(w: _Words):
    reason = w.text("reason", "a reason", required=False)
    w.done()
    return None, {"reason": reason}


REPORT_SECTIONS = ("summary", "lived-experience", "practice-episodes", "learning", "rationale", "sin-ref", "period")
REPORT_CRITERIA = ("a", "b", "c", "d", "national-a", "national-b", "national-c")
# The documents a link can name, with their titles (one home: bot/report/kinds.py).
DOCUMENT_TITLES = {kind: d.title for kind, d in DOCUMENTS.items()}


def _section(w: _Words):
    key = w.choice(REPORT_SECTIONS, "a report section")
    text = " ".join(w.positional).strip()
    w.positional.clear()
    if not text:
        raise ParseError(f'`section {key}` needs the text in quotes, for example: section {key} "..." '
                         f"(or `section {key} clear` to empty it)")
    if text == "clear":
        text = ""
    if len(text) > 3 * MAX_TEXT:
        raise ParseError(f"the section is too long ({len(text)} characters; at most {3 * MAX_TEXT} in a message: "
                         "longer text goes in the Word file)")
    w.done()
    return key, {"text": text}


def _criterion(w: _Words):
    key = w.choice(REPORT_CRITERIA, "a criterion (a-d for reg 11, national-a to national-c for reg 3)")
    answer = w.choice(("met", "not-met", "uncertain"), "an answer").replace("-", "_")
    reason = w.text("reason", "a rationale")
    w.done()
    return key, {"answer": answer, "reason": reason}


def _link(w: _Words):
    kind = w.choice(LINK_KINDS, "a document") if w.positional and not VERSION.match(w.positional[0]) \
        and w.positional[0].lower() not in ("md", "docx", "zip") else "report"
    version = _version(w) if w.positional and VERSION.match(w.positional[0]) else None
    fmt = w.choice(("docx", "md", "zip"), "a format") if w.positional else None
    w.done()
    return kind, {"version": version, "fmt": fmt}


def _help(w: _Words):
    topic = w.positional.pop(0).lower() if w.positional else None
    w.done()
    return None, {"topic": topic}


# -- who: the role groups the entries below use -------------------------------------------------------
EVERYONE = frozenset(Role)
CASE_RUNNERS = frozenset({Role.BUSINESS_UNIT, Role.SPRG_CHAIR})
BU_AND_MANAGER = frozenset({Role.BUSINESS_UNIT, Role.PARTNERSHIP_MANAGER})
BU_AND_AGENCY_LEAD = frozenset({Role.AGENCY_LEAD, Role.BUSINESS_UNIT})
LEARNING = frozenset({Role.BUSINESS_UNIT, Role.LEARNING_SUBGROUP})
# The report goes only to these (domain §1.3, §5.2); a document link follows the same rule (bot/roles.py).
REPORT_READERS = frozenset({Role.BUSINESS_UNIT, Role.SPRG_CHAIR, Role.EXECUTIVE_LEAD, Role.INDEPENDENT_SCRUTINEER})

# -- when: the stretches of the lifecycle the entries below use ----------------------------------------
GATHERING = (S.INFO_GATHERING, S.LOCAL_REVIEW)
RR_ACTIVE = (S.RR_INITIATED, S.SPRG_TRIAGE, S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING)
# A rapid review under way, from the SIN until the report goes to the executive leads: a report version
# carries both dates, so once one is up for approval a correction would leave it saying something else.
RR_RUNNING = (S.RR_INITIATED, S.SPRG_TRIAGE, S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.PACK_CIRCULATED,
              S.RAPID_REVIEW_MEETING, S.REPORT_DRAFTING)
POST_APPROVAL = (S.SUBMITTED_TO_PANEL, S.AWAITING_PANEL, S.PANEL_RESPONDED, S.RESPONSE_SHARED, S.LEARNING_AND_ACTIONS)
AWAITING = (S.SUBMITTED_TO_PANEL, S.AWAITING_PANEL)
# The report's narrative and criteria can be written from the initial case discussion until approval.
REPORT_EDITING = (S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.PACK_CIRCULATED, S.RAPID_REVIEW_MEETING,
                  S.REPORT_DRAFTING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT)
REPORT_LINKS = (*REPORT_EDITING, S.APPROVED, *POST_APPROVAL, S.NATIONAL_REVIEW, S.LOCAL_REVIEW)
LEARNING_STAGES = (S.LEARNING_AND_ACTIONS, S.LOCAL_REVIEW, S.NATIONAL_REVIEW)
LCSPR_STEPS = ("decided", "reviewer", "planned", "published")
_NO_LCSPR = "A national review was commissioned: no LCSPR runs for this case (AS-16)."

# -- the commands, one entry each (their order is the order `help` lists them in) ----------------------
SPECS: dict[str, Spec] = {s.verb: s for s in (
    Spec("help", "help [command]", "what you can do here, or how to use one command", "help vote", _help, needs_case=False,
         roles=EVERYONE, query="help"),
    Spec("new", 'new pseudonym="Child V" [aware=DATE] [sin=DATE] [kind=death|serious_harm|lac_death|care_leaver_death] '
                '[residing="…" | lead="…"]',
         "open a case and its private channel", 'new pseudonym="Child V" aware=2026-12-18', _new, needs_case=False,
         roles=BU_AND_MANAGER,
         # A case opens at the point the partnership has reached (referral, SIN decision, SIN sent).
         rows=[Row([S.START], "intake.new", to=[S.REFERRAL_RECEIVED, S.SIN_DECISION, S.RR_INITIATED,
                                                 S.NOTIFICATION_ONLY, S.CONTRIBUTING], guard="intake.guard_new")]),
    Spec("status", "status [case]", "where the case stands and what is due", "status", _none,
         roles=EVERYONE, query="status"),
    Spec("list", "list [page=N]", "the open cases, 20 at a time, with each one's stage and next deadline", "list page=2",
         _list, needs_case=False,
         roles=EVERYONE - {Role.AGENCY_LEAD},  # an agency lead sees only the cases they were asked about
         query="list_cases"),
    Spec("oversight", "oversight", "this year's figures for the partnership, with a link to the full oversight report",
         "oversight", _none, needs_case=False,
         roles=frozenset({Role.BUSINESS_UNIT, Role.PARTNERSHIP_MANAGER, Role.PARTNERSHIP_CHAIR, Role.EXECUTIVE_LEAD,
                          Role.INDEPENDENT_SCRUTINEER}),  # those who account for the partnership's reviews
         query="oversight"),
    Spec("aware", 'aware DATE [reason="…"]', "record when the council became aware (starts the 5-working-day SIN "
                                             'clock); correct it later with reason="…"', "aware 2026-12-18", _aware,
         roles=BU_AND_MANAGER,
         rows=[Row([S.REFERRAL_RECEIVED], "intake.aware", to=[S.SIN_DECISION, S.NOTIFICATION_ONLY]),
               Row([S.NOTIFICATION_ONLY], "intake.aware", to=[S.SIN_DECISION]),
               # A mistyped date is corrected while the deadlines it drives still matter.
               Row([S.SIN_DECISION, *RR_RUNNING], "intake.correct_aware")]),
    Spec("sin", 'sin DATE [reason="…"] | sin not-met | sin details [incident=DATE] '
                '[category=physical|emotional|sexual|neglect|multiple] [children=N] [consulted=yes|no]',
         "record the SIN submission (starts the 15-working-day clock) or that criteria are not met; correct the date "
         'later with reason="…"; record the SIN details the Panel asks for (kept in the store, never posted)',
         "sin 2026-12-22", _sin, roles=BU_AND_MANAGER, branching=True,
         rows=[Row([S.SIN_DECISION], "intake.sin", to=[S.RR_INITIATED], guard="intake.guard_sin"),
               Row(RR_RUNNING, "intake.correct_sin"),
               Row([S.SIN_DECISION], "intake.sin_not_met", to=[S.LOCAL_CONSIDERATION], option="not-met"),
               # The SIN details the Panel asks for, held in the store (issue 14 item 19), until the report is submitted.
               Row([*RR_RUNNING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT, S.APPROVED], "sin_details.record",
                   option="details")],
         explain={(S.REFERRAL_RECEIVED, "sin"): "Record when the council became aware first, for example: aware 2026-12-18"}),
    Spec("informed", "informed [DATE]", "record when the council reported the incident to the safeguarding partners (due with the SIN, 5 working "
         "days after it became aware); the bot's own notices to the Executive, Chair and Scrutineer are sent by "
         "themselves and need no command", "informed 2026-12-21",
         _optional_date("the date they were informed"), roles=BU_AND_MANAGER,
         rows=[Row([S.RR_INITIATED], "intake.informed", to=[S.SPRG_TRIAGE]),
               Row([S.SIN_DECISION, S.SPRG_TRIAGE], "intake.informed")]),
    # SPRG triage (S3): notifiable, local review, or the SIN criteria turn out not to be met.
    Spec("triage", 'triage notifiable|local | triage withdrawn reason="…"',
         "record the SPRG's triage decision (withdrawn: the SIN criteria were not met; the Panel is told)",
         "triage notifiable", _triage, roles=CASE_RUNNERS, branching=True,
         rows=[Row([S.RR_INITIATED, S.SPRG_TRIAGE], "intake.triage_notifiable", to=[S.INITIAL_CASE_DISCUSSION],
                   option="notifiable"),
               # A local review only without a sent SIN (domain S3 as corrected, AS-11): once the SIN is sent the
               # rapid review is owed, and the case leaves it only by withdrawing the notification.
               Row([S.SIN_DECISION, S.LOCAL_CONSIDERATION, S.SIN_WITHDRAWN], "intake.triage_local",
                   to=[S.LOCAL_REVIEW], option="local"),
               Row(RR_ACTIVE, "intake.triage_withdrawn", to=[S.SIN_WITHDRAWN], option="withdrawn")],
         explain={(S.SIN_DECISION, "triage notifiable"): "A rapid review requires a submitted SIN. Record it with "
                                                         "`sin DATE`, or choose `triage local` (local review) or `close`.",
                  (S.LOCAL_CONSIDERATION, "triage notifiable"): "A rapid review requires a submitted SIN, and the SIN "
                                                                "criteria were not met. Choose `triage local` (local "
                                                                "review) or `close`.",
                  **{(state, "triage local"): "A SIN has been sent to the Panel, so a rapid review is owed (domain S3). "
                                              "Two paths: continue the rapid review (`triage notifiable`), or, if the "
                                              "SIN criteria turn out not to be met, withdraw the notification with its "
                                              'reason (triage withdrawn reason="…"; the Panel is told), after which a '
                                              "local review may follow (`triage local`)."
                     for state in (S.RR_INITIATED, S.SPRG_TRIAGE, S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING)}}),
    # Initial case discussion and information gathering (S4, S5, §2.3).
    Spec("kloe", 'kloe "line of enquiry"', "add a key line of enquiry", 'kloe "Information sharing between agencies"', _kloe,
         roles=CASE_RUNNERS, rows=[Row([S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.LOCAL_REVIEW], "gathering.kloe")]),
    Spec("meeting", "meeting icdm|rrm DATE | meeting rrm held [DATE]",
         "set the initial case discussion or Rapid Review Meeting date (a future date schedules it); record the "
         "Rapid Review Meeting held on or after its date", "meeting rrm 2027-01-07",
         _meeting, roles=CASE_RUNNERS, branching=True,
         rows=[Row([S.SPRG_TRIAGE, S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.LOCAL_REVIEW], "gathering.meeting",
                   option="icdm"),
               # The Rapid Review Meeting: a future date schedules it; it is held (S7) only on or after its date,
               # after the pack.
               Row([S.INITIAL_CASE_DISCUSSION, S.INFO_GATHERING, S.LOCAL_REVIEW], "meeting.rrm", option="rrm"),
               Row([S.PACK_CIRCULATED], "meeting.rrm", to=[S.RAPID_REVIEW_MEETING], option="rrm", stay=True)]),
    Spec("request", "request AGENCY[,AGENCY…]", "ask agencies for their information", "request police,education", _agencies,
         roles=CASE_RUNNERS,
         rows=[Row([S.INITIAL_CASE_DISCUSSION], "gathering.request", to=[S.INFO_GATHERING], guard="gathering.guard_request"),
               Row(GATHERING, "gathering.request", guard="gathering.guard_request")]),
    Spec("ack", "ack [AGENCY]", "acknowledge an information request", "ack police", _agency_optional,
         roles=BU_AND_AGENCY_LEAD, rows=[Row(GATHERING, "gathering.agency_step")]),
    Spec("return", "return [AGENCY]", "record an agency's return as submitted", "return police", _agency_optional,
         roles=BU_AND_AGENCY_LEAD, rows=[Row(GATHERING, "gathering.agency_step")]),
    Spec("nil", "nil [AGENCY]", "record a nil return (no involvement)", "nil ambulance", _agency_optional,
         roles=BU_AND_AGENCY_LEAD, rows=[Row(GATHERING, "gathering.agency_step")]),
    Spec("query", 'query AGENCY reason="..."', "raise a query on a return", 'query health reason="chronology stops in March"',
         _agency_with_reason, roles=CASE_RUNNERS, rows=[Row(GATHERING, "gathering.agency_step")]),
    Spec("accept", "accept AGENCY", "accept a return after quality assurance", "accept police", _agency_required,
         roles=CASE_RUNNERS, rows=[Row(GATHERING, "gathering.agency_step")]),
    Spec("waive", 'waive AGENCY reason="..."', "proceed without an agency's return", 'waive education reason="no involvement confirmed by phone"',
         _agency_with_reason, roles=CASE_RUNNERS, rows=[Row(GATHERING, "gathering.agency_step")]),
    Spec("pack", "pack", "circulate the pack to the SPRG (members and the agency leads who contributed get a link "
                          "to it by direct message; later: link sprg-pack)", "pack", _none,
         roles=frozenset({Role.BUSINESS_UNIT}),
         rows=[Row([S.INFO_GATHERING], "gathering.pack", to=[S.PACK_CIRCULATED], guard="gathering.guard_pack")]),
    # The meeting's views and the recommendation (S7, S8).
    Spec("vote", 'vote lcspr|no-lcspr [national] reason="..."', "give your (advisory) view on an LCSPR", 'vote lcspr reason="multi-agency learning"',
         _view, roles=frozenset({Role.SPRG_MEMBER, Role.SPRG_CHAIR}),
         rows=[Row([S.PACK_CIRCULATED, S.RAPID_REVIEW_MEETING, S.REPORT_DRAFTING, S.EXEC_DISAGREEMENT], "decision.vote")]),
    Spec("recommend", 'recommend lcspr|no-lcspr [national] reason="..."', "record the SPRG chair's recommendation", 'recommend no-lcspr reason="learning via briefing"',
         _view, roles=CASE_RUNNERS,
         rows=[Row([S.RAPID_REVIEW_MEETING], "decision.recommend", to=[S.REPORT_DRAFTING]),
               Row([S.REPORT_DRAFTING], "decision.recommend"),
               # Reconsideration (issue 14 item 1): after a partner disagrees, or the Panel asks the partners to
               # reconsider, the chair revises the recommendation; the next version needs all three approvals again.
               Row([S.EXEC_DISAGREEMENT, S.EXEC_APPROVAL], "revision.revise_recommendation", to=[S.REPORT_DRAFTING],
                   guard="revision.guard_revise")],
         explain={(S.PACK_CIRCULATED, "recommend"): "The recommendation follows the Rapid Review Meeting, which is not "
                                                    "recorded as held yet: on or after its date, `meeting rrm held`."}),
    # Report versions and executive approval (S8, S9): all three approve the same version.
    Spec("report", "report", "produce the next report version and send it for executive approval", "report", _none,
         roles=CASE_RUNNERS,
         rows=[Row([S.REPORT_DRAFTING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT], "decision.report", to=[S.EXEC_APPROVAL],
                   guard="decision.guard_report")]),
    Spec("approve", "approve [vN]", "approve the current report version for your partner", "approve v2", _approve,
         roles=frozenset({Role.EXECUTIVE_LEAD}),
         before="repeated_approval",  # approve pressed again: answered from a read, not queued for the write lock
         rows=[Row([S.EXEC_APPROVAL], "decision.approve", to=[S.APPROVED], stay=True)],
         explain={(S.EXEC_DISAGREEMENT, "approve"): "A partner disagreed with this version: wait for the next version "
                                                    "(`report`)."}),
    Spec("disagree", 'disagree [vN] reason="..."', "disagree with the current report version", 'disagree reason="learning is single-agency"',
         _disagree, roles=frozenset({Role.EXECUTIVE_LEAD}),
         rows=[Row([S.EXEC_APPROVAL, S.APPROVED], "decision.disagree", to=[S.EXEC_DISAGREEMENT])]),
    # Submission and the Panel (S10-S12).
    Spec("submit", "submit [as-approved]", "send the approved rapid review (or requested information) to the Panel; "
                                           "as-approved sends it without report edits made after its approval",
         "submit", _submit, roles=frozenset({Role.BUSINESS_UNIT}),
         rows=[Row([S.APPROVED], "decision.submit", to=[S.SUBMITTED_TO_PANEL], guard="decision.guard_submit"),
               Row([S.PANEL_RESPONDED], "decision.submit", to=[S.AWAITING_PANEL], guard="decision.guard_submit"),
               # The national review (S16): sending the information the Panel asked for.
               Row([S.NATIONAL_REVIEW], "national.information_sent", guard="national.guard_information_sent")],
         explain={(S.EXEC_APPROVAL, "submit"): "All three partners must approve the same version before it goes to the "
                                               "Panel.",
                  (S.EXEC_DISAGREEMENT, "submit"): "A partner disagreed: a new version must be approved by all three first.",
                  (S.LOCAL_REVIEW, "submit"): "A local review is not submitted to the Panel."}),
    Spec("panel", 'panel acknowledged|agrees|disagrees|information|national|local [ref=...] [date=DATE] | '
                  'panel delay reason="…" [date=DATE]',
         "record the Panel's response, or that the Panel was told the rapid review is late (with the reason)",
         "panel agrees ref=CSPRP-123", _panel, roles=frozenset({Role.BUSINESS_UNIT}),
         branching=True,
         rows=[Row([S.SUBMITTED_TO_PANEL], "panel.acknowledged", to=[S.AWAITING_PANEL], option="acknowledged"),
               *(Row(AWAITING, "panel.responded", to=[S.PANEL_RESPONDED], option=outcome)
                 for outcome in ("agrees", "local", "information")),
               Row(AWAITING, "panel.disagrees", to=[S.EXEC_APPROVAL], option="disagrees"),
               Row(AWAITING, "panel.national", to=[S.NATIONAL_REVIEW], option="national"),
               # The national review (S16): the Panel's requests for information.
               Row([S.NATIONAL_REVIEW], "national.information_requested", option="information"),
               # A rapid review running late: the Panel told of the delay, with the reason (issue 14 item 5).
               Row(sorted(RR_CLOCK_RUNNING), "delay.panel_told_of_delay", option="delay")]),
    # Sharing, learning and actions (S13, S14), the LCSPR child workflow (S15), national review (S16).
    Spec("shared", "shared [RECIPIENT|all]", "record that the Panel's response was shared", "shared all", _shared,
         roles=BU_AND_MANAGER,
         rows=[Row([S.PANEL_RESPONDED], "panel.shared", to=[S.RESPONSE_SHARED], guard="panel.guard_shared", stay=True),
               Row([S.NATIONAL_REVIEW], "panel.shared", guard="panel.guard_shared")]),
    Spec("briefing", "briefing done", "record that the practitioners' briefing was issued", "briefing done", _briefing,
         roles=LEARNING, branching=True,
         rows=[Row([S.RESPONSE_SHARED], "learning.briefing_done", to=[S.LEARNING_AND_ACTIONS], option="done"),
               Row(LEARNING_STAGES, "learning.briefing_done", option="done")]),
    Spec("action", 'action add owner=AGENCY due=DATE "..." | action done N [evidence="..."]', "add or complete an action plan item",
         'action add owner=education due=2027-03-01 "Refresh DSL training"', _action, branching=True,
         option_roles={"add": LEARNING, "done": LEARNING | {Role.AGENCY_LEAD}},
         rows=[Row([S.RESPONSE_SHARED], "learning.action_add", to=[S.LEARNING_AND_ACTIONS], option="add"),
               Row(LEARNING_STAGES, "learning.action_add", option="add"),
               Row([S.RESPONSE_SHARED, *LEARNING_STAGES], "learning.action_done", option="done")]),
    # Immediate safety actions (issue 14 item 17): recorded from the SIN on, tracked until done.
    Spec("safety", 'safety add owner=AGENCY due=DATE at_risk=child|siblings|other-children "…" | safety done N',
         "record and track an immediate safety action during the rapid review (who is at risk now, what, who, by when)",
         'safety add owner=social_care due=2026-09-09 at_risk=siblings "Safety plan for the siblings agreed"', _safety,
         roles=CASE_RUNNERS, option_roles={"done": frozenset({Role.BUSINESS_UNIT, Role.SPRG_CHAIR, Role.AGENCY_LEAD})},
         branching=True,
         rows=[Row([*RR_RUNNING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT, S.APPROVED, S.LOCAL_REVIEW], "safety.add",
                   option="add"),
               Row([*RR_RUNNING, S.EXEC_APPROVAL, S.EXEC_DISAGREEMENT, S.APPROVED, *POST_APPROVAL, S.LOCAL_REVIEW,
                    S.NATIONAL_REVIEW], "safety.done", option="done")]),
    Spec("lcspr", 'lcspr decided|planned DATE [reason="…"] | lcspr published DATE | lcspr reviewer [DATE] | '
                  "lcspr publish full|improvements [DATE] | lcspr copy-sent [DATE]",
         "track the LCSPR child workflow (copy-sent: the report sent to the Panel, Secretary of State and Ofsted)",
         "lcspr decided 2027-01-20", _lcspr, roles=BU_AND_MANAGER, branching=True,
         rows=[*(Row((S.APPROVED, *POST_APPROVAL), "learning.lcspr", option=step) for step in (*LCSPR_STEPS, "publish")),
               Row((S.APPROVED, *POST_APPROVAL), "lcspr_checks.copy_sent", option="copy-sent")],
         explain={(S.NATIONAL_REVIEW, f"lcspr {step}"): _NO_LCSPR for step in LCSPR_STEPS}),
    Spec("notified", "notified DATE", "record the Secretary of State / Ofsted notification", "notified 2026-04-08",
         _one_date("the date of notification"), roles=BU_AND_MANAGER,
         rows=[Row([S.NOTIFICATION_ONLY], "intake.notified")]),
    # Closing (guarded where work must be finished first).
    Spec("close", 'close [reason="..."]', "close the case", "close", _close, roles=frozenset({Role.BUSINESS_UNIT}),
         rows=[Row([S.REFERRAL_RECEIVED, S.NOTIFICATION_ONLY, S.LOCAL_CONSIDERATION, S.SIN_WITHDRAWN, S.LOCAL_REVIEW,
                    S.LEARNING_AND_ACTIONS, S.NATIONAL_REVIEW, S.CONTRIBUTING], "intake.close", to=[S.CLOSED],
                   guard="intake.guard_close")]),
    # The report: narrative sections, the criteria tables, and links to the documents.
    Spec("section", 'section summary|lived-experience|practice-episodes|learning|rationale|sin-ref|period "..."',
         "write a part of the report (it goes into the next version)", 'section summary "What is known so far ..."', _section,
         roles=CASE_RUNNERS, rows=[Row(REPORT_EDITING, "report.section")]),
    Spec("criterion", 'criterion a|b|c|d|national-a|national-b|national-c met|not-met|uncertain reason="..."',
         "answer a reg 11 (LCSPR) or reg 3 (national review) criterion in the report",
         'criterion c met reason="information sharing between health and education"', _criterion,
         roles=CASE_RUNNERS, rows=[Row(REPORT_EDITING, "report.criterion")]),
    # Who may have a link to a document is who may read it (bot/roles.py `document_refusal`).
    Spec("link", "link [report|draft|pack|sprg-pack|briefing|action-plan] [vN] [docx|md|zip]",
         "get a 24-hour link to a document, by direct message (only people entitled to it)", "link v2", _link,
         roles=REPORT_READERS,  # the report and the Panel pack
         option_roles={"draft": CASE_RUNNERS,
                       "action-plan": REPORT_READERS | {Role.LEARNING_SUBGROUP, Role.PARTNERSHIP_MANAGER},
                       "briefing": EVERYONE,  # for sharing; an agency lead's agency must have taken part
                       # The pack circulated to the SPRG (issue 14 item 9); an agency lead only if their agency
                       # contributed (bot/roles.py `document_refusal`).
                       "sprg-pack": frozenset({Role.BUSINESS_UNIT, Role.SPRG_CHAIR, Role.SPRG_MEMBER, Role.AGENCY_LEAD})},
         rows=[Row(REPORT_LINKS, "report.link")]),
)}

# -- the registry's public API ---------------------------------------------------------------------------
_generation = 0  # bumped on every change, so the tables assembled from SPECS know to rebuild


def generation() -> int:
    return _generation


def register(spec: Spec) -> Spec:
    """Add a command (for example, a test's own). The built-in ones are the entries of SPECS above."""
    global _generation
    if spec.verb in SPECS:
        raise ValueError(f"`{spec.verb}` is already a command")
    if not spec.verb.isidentifier() or spec.verb != spec.verb.lower():
        raise ValueError(f"`{spec.verb}` is not a command word: use lower-case letters")
    if spec.roles is None and not spec.option_roles:
        raise ValueError(f"`{spec.verb}` says nobody may run it: give roles=")
    if spec.query is not None and spec.rows:
        raise ValueError(f"`{spec.verb}` is a query, so it has no lifecycle rows")
    SPECS[spec.verb] = spec
    _generation += 1
    return spec


def unregister(verb: str) -> None:
    global _generation
    del SPECS[verb]
    _generation += 1


def read_only(verb: str) -> bool:
    """Running it twice changes nothing (a query), so an adapter need not record its receipt."""
    spec = SPECS.get(verb)
    return spec is not None and spec.read_only


no_arguments = _none  # a parser for a command that takes nothing but an optional case code

# Kept for callers of the flat sets (the registry entries are the source).
READ_ONLY_VERBS = frozenset(v for v, s in SPECS.items() if s.read_only)
# Verbs whose option selects the branch of the lifecycle (and so is part of the table key).
BRANCHING = frozenset(v for v, s in SPECS.items() if s.branching)


def tokenize(text: str) -> list[str]:
    text = text.translate(_SMART_QUOTES).strip()
    try:
        return shlex.split(text)
    except ValueError:
        raise ParseError('a quote is not closed: put the text in straight quotes, for example reason="..."') from None


def parse(text: str) -> Command:
    """Parse one command line (without any @mention or slash prefix)."""
    if len(text) > 4 * MAX_TEXT:
        raise ParseError(f"that message is too long for a command ({len(text)} characters)")
    tokens = tokenize(text)
    if not tokens:
        raise ParseError("no command given. Try `help`, `status` or `list`.")
    verb = tokens[0].lower()
    spec = SPECS.get(verb)
    if spec is None:
        near = difflib.get_close_matches(verb, SPECS, n=1, cutoff=0.6)
        hint = f" Did you mean `{near[0]}`? Usage: {SPECS[near[0]].usage}" if near else " Type `help` to see the commands."
        raise ParseError(f"'{tokens[0]}' is not a command.{hint}")
    rest = tokens[1:]
    case_code = None
    kept = []
    for tok in rest:
        if tok.startswith("case="):
            case_code = tok[5:].lower()
            if not CASE_CODE.match(case_code):
                raise ParseError(f"'{tok[5:]}' is not a case code: use the channel's name, for example case=rr-2026-007")
        elif case_code is None and CASE_CODE.match(tok.lower()) and spec.needs_case:
            case_code = tok.lower()
        else:
            kept.append(tok)
    words = _Words(verb, kept)
    try:
        option, args = spec.parse(words)
    except ParseError as exc:
        raise ParseError(f"{exc}\nUsage: {spec.usage}\nExample: {spec.example}") from None
    return Command(verb=verb, option=option, args=args, case_code=case_code)


def help_text(topic: str | None = None, allowed: set[str] | None = None) -> str:
    """The command list (only what this person may run, when known), or one command's usage."""
    if topic:
        spec = SPECS.get(topic)
        if spec is None:
            near = difflib.get_close_matches(topic, SPECS, n=1)
            return f"'{topic}' is not a command." + (f" Did you mean `{near[0]}`?" if near else "")
        return f"`{spec.usage}`: {spec.summary}.\nExample: `{spec.example}`"
    lines = ["Commands (type `help COMMAND` for one):"]
    for spec in SPECS.values():
        if allowed is None or spec.verb in allowed:
            lines.append(f"• `{spec.usage}`: {spec.summary}")
    return "\n".join(lines)
