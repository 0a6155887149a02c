"""One text grammar for every platform: `status`, `vote lcspr reason="..."`, `approve v2`.

Parsing only decides *what* was asked (the match half of a match/handle split); whether it is
allowed and what it changes is decided elsewhere. Every error names the bad part and shows the
closest valid form, so a Business Unit officer can fix the command without opening the docs.
"""
from __future__ import annotations

import difflib
import re
import shlex
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

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
        return f"{self.verb} {self.option}" if self.option and self.verb in BRANCHING else self.verb


@dataclass(frozen=True)
class Spec:
    verb: str
    usage: str
    summary: str
    example: str
    parse: Callable[["_Words"], tuple[str | None, dict[str, Any]]]
    needs_case: bool = True


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
    kinds = ("death", "serious_harm", "lac_death", "care_leaver_death")
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
    from bot.states import SHARING_RECIPIENTS

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
LINK_KINDS = ("report", "draft", "pack", "briefing", "action-plan", "sprg-pack")


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


# Verbs that only read: running one twice changes nothing, so an adapter need not record its receipt
# (a database write) to stop a platform's retry or a replay.
READ_ONLY_VERBS = frozenset({"help", "status", "list"})

SPECS: dict[str, Spec] = {s.verb: s for s in (
    Spec("help", "help [command]", "what you can do here, or how to use one command", "help vote", _help, needs_case=False),
    Spec("new", 'new pseudonym="Child V" [aware=DATE] [sin=DATE] [kind=death|serious_harm|lac_death|care_leaver_death] '
                '[residing="…" | lead="…"]',
         "open a case and its private channel", 'new pseudonym="Child V" aware=2026-12-18', _new, needs_case=False),
    Spec("status", "status [case]", "where the case stands and what is due", "status", _none),
    Spec("list", "list [page=N]", "the open cases, 20 at a time, with each one's stage and next deadline", "list page=2",
         _list, needs_case=False),
    Spec("aware", 'aware DATE [reason="…"]', "record when the council became aware (starts the 5-working-day SIN "
                                             'clock); correct it later with reason="…"', "aware 2026-12-18", _aware),
    Spec("sin", 'sin DATE [reason="…"] | sin not-met | sin details [incident=DATE] '
                '[category=physical|emotional|sexual|neglect|multiple] [children=N] [consulted=yes|no]',
         "record the SIN submission (starts the 15-working-day clock) or that criteria are not met; correct the date "
         'later with reason="…"; record the SIN details the Panel asks for (kept in the store, never posted)',
         "sin 2026-12-22", _sin),
    Spec("informed", "informed [DATE]", "record when the council reported the incident to the safeguarding partners (due with the SIN, 5 working "
         "days after it became aware); the bot's own notices to the Executive, Chair and Scrutineer are sent by "
         "themselves and need no command", "informed 2026-12-21",
         _optional_date("the date they were informed")),
    Spec("triage", 'triage notifiable|local | triage withdrawn reason="…"',
         "record the SPRG's triage decision (withdrawn: the SIN criteria were not met; the Panel is told)",
         "triage notifiable", _triage),
    Spec("kloe", 'kloe "line of enquiry"', "add a key line of enquiry", 'kloe "Information sharing between agencies"', _kloe),
    Spec("meeting", "meeting icdm|rrm DATE | meeting rrm held [DATE]",
         "set the initial case discussion or Rapid Review Meeting date (a future date schedules it); record the "
         "Rapid Review Meeting held on or after its date", "meeting rrm 2027-01-07", _meeting),
    Spec("request", "request AGENCY[,AGENCY…]", "ask agencies for their information", "request police,education", _agencies),
    Spec("ack", "ack [AGENCY]", "acknowledge an information request", "ack police", _agency_optional),
    Spec("return", "return [AGENCY]", "record an agency's return as submitted", "return police", _agency_optional),
    Spec("nil", "nil [AGENCY]", "record a nil return (no involvement)", "nil ambulance", _agency_optional),
    Spec("query", 'query AGENCY reason="..."', "raise a query on a return", 'query health reason="chronology stops in March"', _agency_with_reason),
    Spec("accept", "accept AGENCY", "accept a return after quality assurance", "accept police", _agency_required),
    Spec("waive", 'waive AGENCY reason="..."', "proceed without an agency's return", 'waive education reason="no involvement confirmed by phone"', _agency_with_reason),
    Spec("pack", "pack", "circulate the pack to the SPRG (members and the agency leads who contributed get a link "
                          "to it by direct message; later: link sprg-pack)", "pack", _none),
    Spec("vote", 'vote lcspr|no-lcspr [national] reason="..."', "give your (advisory) view on an LCSPR", 'vote lcspr reason="multi-agency learning"', _view),
    Spec("recommend", 'recommend lcspr|no-lcspr [national] reason="..."', "record the SPRG chair's recommendation", 'recommend no-lcspr reason="learning via briefing"', _view),
    Spec("report", "report", "produce the next report version and send it for executive approval", "report", _none),
    Spec("approve", "approve [vN]", "approve the current report version for your partner", "approve v2", _approve),
    Spec("disagree", 'disagree [vN] reason="..."', "disagree with the current report version", 'disagree reason="learning is single-agency"', _disagree),
    Spec("submit", "submit [as-approved]", "send the approved rapid review (or requested information) to the Panel; "
                                           "as-approved sends it without report edits made after its approval",
         "submit", _submit),
    Spec("panel", 'panel acknowledged|agrees|disagrees|information|national|local [ref=...] [date=DATE] | '
                  'panel delay reason="…" [date=DATE]',
         "record the Panel's response, or that the Panel was told the rapid review is late (with the reason)",
         "panel agrees ref=CSPRP-123", _panel),
    Spec("shared", "shared [RECIPIENT|all]", "record that the Panel's response was shared", "shared all", _shared),
    Spec("briefing", "briefing done", "record that the practitioners' briefing was issued", "briefing done", _briefing),
    Spec("action", 'action add owner=AGENCY due=DATE "..." | action done N [evidence="..."]', "add or complete an action plan item",
         'action add owner=education due=2027-03-01 "Refresh DSL training"', _action),
    Spec("safety", 'safety add owner=AGENCY due=DATE at_risk=child|siblings|other-children "…" | safety done N',
         "record and track an immediate safety action during the rapid review (who is at risk now, what, who, by when)",
         'safety add owner=social_care due=2026-09-09 at_risk=siblings "Safety plan for the siblings agreed"', _safety),
    Spec("lcspr", 'lcspr decided|planned DATE [reason="…"] | lcspr published DATE | lcspr reviewer [DATE] | '
                  "lcspr publish full|improvements [DATE] | lcspr copy-sent [DATE]",
         "track the LCSPR child workflow (copy-sent: the report sent to the Panel, Secretary of State and Ofsted)",
         "lcspr decided 2027-01-20", _lcspr),
    Spec("notified", "notified DATE", "record the Secretary of State / Ofsted notification", "notified 2026-04-08",
         _one_date("the date of notification")),
    Spec("close", 'close [reason="..."]', "close the case", "close", _close),
    # The report: narrative sections, the criteria tables, and links to the documents.
    Spec("section", 'section summary|lived-experience|practice-episodes|learning|rationale|sin-ref|period "..."',
         "write a part of the report (it goes into the next version)", 'section summary "What is known so far ..."', _section),
    Spec("criterion", 'criterion a|b|c|d|national-a|national-b|national-c met|not-met|uncertain reason="..."',
         "answer a reg 11 (LCSPR) or reg 3 (national review) criterion in the report",
         'criterion c met reason="information sharing between health and education"', _criterion),
    Spec("link", "link [report|draft|pack|sprg-pack|briefing|action-plan] [vN] [docx|md|zip]",
         "get a 24-hour link to a document, by direct message (only people entitled to it)", "link v2", _link),
)}

# Verbs whose option selects the branch of the lifecycle (and so is part of the table key).
BRANCHING = frozenset({"triage", "sin", "meeting", "panel", "briefing", "action", "lcspr", "safety"})


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
