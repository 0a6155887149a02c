"""The Rapid Review Report (domain §3.2): built from what the case holds, as canonical Markdown.

The twelve headings are always there, in order. Facts come from the case's records (dates through
the calendar, agency returns, views, the recommendation); narrative parts come from what the SPRG
chair and the Business Unit wrote (`section`, `criterion`, or an uploaded Word file). A version's
content hash is the SHA-256 of this Markdown: executive approvals bind to it.

Section 12 (sign-off) is part of the hashed text only as an empty table; the approvals recorded
against the hash fill it when a version is exported (`with_signoff`), since a text cannot contain
the approvals of itself.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

import jinja2
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot import return_screen
from bot.pii_normal import strip_bidi
from bot.report import blocks as md
from bot.calendar import LONDON, WorkingDayCalendar, format_human
from bot.casefile import CaseFile
from bot.deadlines import case_deadlines
from bot.partnership import PARTNER_LABELS, Partnership, Role, StatutoryPartner
from bot.states import CASE_KINDS, AgencyState, StatutoryPartnerKeys
from storage.models import ReportCriterion, ReportSection, ReportVersion

TEMPLATES = Path(__file__).parent / "templates" / "report"
MAX_SECTION = 8000  # characters in one narrative section (forms and uploads; typed commands are shorter)

SECTION_TITLES = (
    "1. Case details", "2. Summary of the incident", "3. The child's lived experience and family context",
    "4. Agencies involved and scope", "5. Integrated summary of agency involvement",
    "6. Analysis of key practice episodes", "7. Immediate actions", "8. Learning identified",
    "9. Decision against the LCSPR criteria (reg 11)", "10. National review view (reg 3)",
    "11. Recommendation and next steps", "12. Sign-off",
)


@dataclass(frozen=True)
class Narrative:
    key: str
    label: str
    heading: str  # the sub-heading it is written under (how an uploaded Word file is read back)


PLACEHOLDER = "To be completed by the SPRG chair and the Business Unit."
NARRATIVES: dict[str, Narrative] = {n.key: n for n in (
    Narrative("summary", "summary of the incident", "2.1 What happened and what is known"),
    Narrative("lived-experience", "lived experience and family context", "3.1 Who the child is, their voice and family context"),
    Narrative("practice-episodes", "analysis of key practice episodes", "6.1 Analysis of key practice episodes"),
    Narrative("learning", "multi-agency learning", "8.1 Multi-agency learning"),
    Narrative("rationale", "rationale for the recommendation", "11.2 Rationale for the recommendation"),
)}
# Short fields shown as rows of the case details table.
FIELDS = {"sin-ref": "SIN reference", "period": "Period under review"}

LCSPR_CRITERIA = {
    "a": "(a) highlights or may highlight improvements needed to safeguard and promote the welfare of children, "
         "including where those improvements have been previously identified",
    "b": "(b) highlights or may highlight recurrent themes in the safeguarding and promotion of the welfare of children",
    "c": "(c) highlights or may highlight concerns regarding two or more agencies working together effectively to "
         "safeguard and promote the welfare of children",
    "d": "(d) is one which the Panel have considered and concluded a local review may be more appropriate",
}
NATIONAL_CRITERIA = {
    "national-a": "(a) highlights or may highlight improvements needed to safeguard and promote the welfare of children, "
                  "including where those improvements have been previously identified",
    "national-b": "(b) raises or may raise issues requiring legislative change or changes to guidance",
    "national-c": "(c) highlights or may highlight recurrent themes in the safeguarding and promotion of the welfare of children",
}
CRITERIA = {**LCSPR_CRITERIA, **NATIONAL_CRITERIA}
ANSWERS = {"met": "Met", "not_met": "Not met", "uncertain": "Uncertain"}

NATURE_LABELS = CASE_KINDS
RECOMMENDATION_LABELS = {
    "LCSPR": "A local child safeguarding practice review (LCSPR) should be commissioned",
    "NO_LCSPR_LEARNING_VIA_OTHER_ROUTE": "No LCSPR: the learning is taken forward through other routes "
                                         "(practitioners' briefing and action plans)",
}
_AGENCY_STATUS = {
    AgencyState.SUBMITTED: "returned", AgencyState.RESUBMITTED: "returned", AgencyState.QA_ACCEPTED: "returned",
    AgencyState.NIL_RETURN: "nil return", AgencyState.WAIVED: "waived", AgencyState.REQUESTED: "outstanding",
    AgencyState.ACKNOWLEDGED: "outstanding", AgencyState.QUERY_RAISED: "query raised",
}
_AGENCY_TEXT = ("parallel_processes", "lived_experience", "equality_considerations", "went_well",
                "could_be_different", "information_sharing", "immediate_actions", "single_agency_learning")
ANALYSIS_PARTS = (("went_well", "6.2 What went well"), ("could_be_different", "6.3 What could have been done differently"),
                  ("information_sharing", "6.4 Multi-agency working and information sharing"))
_UNSET = "_not recorded_"
_TO_ADD = "_to be added by the Business Unit_"


@dataclass
class ReportParts:
    """What the SPRG chair and the Business Unit wrote: narrative sections and criteria answers."""

    sections: dict[str, str] = field(default_factory=dict)
    criteria: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (answer, rationale)


async def load_parts(session: AsyncSession, case_id: int) -> ReportParts:
    sections = (await session.execute(select(ReportSection).where(ReportSection.case_id == case_id))).scalars()
    criteria = (await session.execute(select(ReportCriterion).where(ReportCriterion.case_id == case_id))).scalars()
    return ReportParts({s.key: s.text for s in sections}, {c.key: (c.answer, c.rationale) for c in criteria})


# -- building ----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=False, trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters.update(inline=md.inline, cell=md.cell)
    return env


def _d(d: date | None, missing: str = _UNSET) -> str:
    return format_human(d) if d else missing


def _received(r) -> str:  # noqa: ANN001
    return format_human(r.submitted_at.astimezone(LONDON).date()) if r.submitted_at else ""


def _agency_rows(f: CaseFile, p: Partnership) -> tuple[list[dict], list[str]]:
    rows, outside = [], []
    for r in f.requests:
        state = AgencyState(r.state)
        data = r.return_data or {}
        name = p.agency(r.agency_key).name
        notes = ""
        if state == AgencyState.WAIVED:
            notes = "Waived" + (f": {md.cell(r.waived_reason)}" if r.waived_reason else "")
        elif state == AgencyState.NIL_RETURN or data.get("nil_return"):
            notes = "No involvement"
        elif data.get("received_outside_chat"):
            notes = "Received outside the bot (content not in this draft)"
            outside.append(name)
        elif data.get("completed_by_role"):
            data = safe_return(f, data)
            notes = (f"Completed by {md.cell(data['completed_by_role'])}; signed off by "
                     f"{md.cell(data.get('senior_signoff_role'))} on {_d(date.fromisoformat(data['signoff_date']))}"
                     if data.get("signoff_date") else f"Completed by {md.cell(data['completed_by_role'])}")
        status = "nil return" if data.get("nil_return") else _AGENCY_STATUS.get(state, state.value.lower())
        rows.append({"name": name, "status": status,
                     "due": format_human(r.due_on), "received": _received(r), "notes": notes})
    return rows, outside


def _structured(f: CaseFile) -> list[tuple[str, dict]]:
    """Each structured return as the report may show it: identifying content made safe or withheld
    unless its author confirmed it (bot/return_screen.py)."""
    return [(r.agency_key, safe_return(f, r.return_data)) for r in f.requests
            if r.return_data and r.return_data.get("completed_by_role")]


def safe_return(f: CaseFile, data: dict) -> dict:
    c = f.case
    # Ages are given at the date the council became aware of the incident: fixed for the case, so the
    # report stays the same text (and hash) whenever it is built.
    on = c.la_aware_on or c.sin_submitted_on or c.created_at.date()
    return return_screen.report_copy(data, watch=c.watch_names or (), pseudonym=c.pseudonym, on=on)


def _chronology(f: CaseFile, p: Partnership) -> list[dict]:
    """Every agency's chronology rows merged by date; ties keep the order agencies were asked in."""
    rows = []
    for order, (key, data) in enumerate(_structured(f)):
        for i, row in enumerate(data.get("chronology") or []):
            rows.append(((date.fromisoformat(row["date"]), order, i), {
                "date": format_human(date.fromisoformat(row["date"])), "agency": p.agency(key).name,
                "source": row.get("source", ""), "event": row.get("event", ""), "action": row.get("action", ""),
                "outcome": row.get("outcome", "")}))
    return [r for _, r in sorted(rows, key=lambda x: x[0])]


def _criteria_rows(table: dict[str, str], parts: ReportParts) -> list[dict]:
    rows = []
    for key, label in table.items():
        answer, rationale = parts.criteria.get(key, (None, ""))
        rows.append({"key": key, "label": label, "answer": ANSWERS.get(answer, "_to be completed_"),
                     "rationale": md.cell(rationale) if answer else ""})
    return rows


def _member_label(p: Partnership, key: str) -> str:
    m = p.member(key)
    role = "SPRG chair" if m.has(Role.SPRG_CHAIR) else "SPRG member"
    return f"{role}, {p.agency(m.agency).name}"


def votes_context(f: CaseFile, p: Partnership) -> dict:
    rows = [{"who": _member_label(p, v.member_key), "view": "LCSPR" if v.choice == "lcspr" else "No LCSPR",
             "national": "yes" if v.national else "no", "reason": v.reason} for v in f.votes]
    lcspr = sum(v.choice == "lcspr" for v in f.votes)
    national = sum(v.national for v in f.votes)
    against = len(f.votes) - lcspr
    tally = (f"{lcspr} recommend{'s' if lcspr == 1 else ''} an LCSPR, {against} do{'es' if against == 1 else ''} not; "
             f"{national} consider{'s' if national == 1 else ''} the case may be of national importance."
             if f.votes else "no views were recorded.")
    return {"rows": rows, "tally": tally}


def _details(f: CaseFile, p: Partnership, cal: WorkingDayCalendar, parts: ReportParts) -> list[tuple[str, str]]:
    c = f.case
    dl = {d.key: d for d in case_deadlines(c, cal, p.timescales)}
    la = p.partner_agency(StatutoryPartner.LOCAL_AUTHORITY).name
    sin_note = f" ({dl['sin_due'].note})" if "sin_due" in dl and dl["sin_due"].note else ""
    field_value = {k: md.cell(parts.sections.get(k)) or _TO_ADD for k in FIELDS}
    rows = [
        ("Case code / pseudonym", f"{md.cell(c.code)} / {md.cell(c.pseudonym)}"),
        ("SIN reference", field_value["sin-ref"]),
        ("Notifying local authority", md.cell(la)),
        ("Nature of the incident", NATURE_LABELS.get(c.kind, _UNSET)),
        ("Local authority became aware", _d(c.la_aware_on)),
        ("SIN due", _d(dl["sin_due"].due) if "sin_due" in dl else _UNSET),
        ("SIN submitted", _d(c.sin_submitted_on) + sin_note),
        ("Safeguarding partners informed", _d(c.partnership_informed_on)),
        ("Rapid review due to the Panel", _d(dl["rapid_review_due"].due) if "rapid_review_due" in dl else _UNSET),
        ("Initial Case Discussion", _d(c.icdm_on)),
        ("Rapid Review Meeting", _d(c.rrm_on)),
        ("Sent to the Panel", _d(c.rr_submitted_on, "not yet sent")),
        ("Residing partnership (if different)", md.cell(c.residing_partnership) or "not applicable"),
        ("Period under review", field_value["period"]),
    ]
    rows.extend(sin_detail_rows(c))
    if c.panel_told_of_delay_on:  # issue 14 item 5: a late rapid review says when the Panel was told, and why
        rows.insert(rows.index(("Sent to the Panel", _d(c.rr_submitted_on, "not yet sent"))) + 1,
                    ("Panel told of the delay", f"{_d(c.panel_told_of_delay_on)}: {md.cell(c.panel_delay_reason)}"))
    return rows


def sin_detail_rows(c) -> list[tuple[str, str]]:  # noqa: ANN001
    """Issue 14 item 19: the SIN details the Panel asks for, only those recorded (`sin details`)."""
    rows = []
    if c.incident_on:
        rows.append(("Date of the incident", _d(c.incident_on)))
    if c.abuse_category:
        rows.append(("Category of abuse or neglect", c.abuse_category.capitalize()))
    if c.children_count:
        rows.append(("Number of children", str(c.children_count)))
    if c.partners_consulted is not None:
        rows.append(("Safeguarding partners consulted on notifying", "yes" if c.partners_consulted else "no"))
    return rows


def _next_steps(f: CaseFile, p: Partnership, cal: WorkingDayCalendar) -> list[str]:
    c = f.case
    steps = ["Practitioners' briefing: issued by the Business Unit after the Panel's response, for every agency "
             "to share with its practitioners."]
    open_actions = [a for a in f.actions if a.status != "done"]
    steps.append("Action plan: held by the Practice and Learning Sub Group, with a monthly progress digest"
                 + (f" ({len(f.actions)} item{'s' if len(f.actions) != 1 else ''}, {len(open_actions)} open)." if f.actions else "."))
    if c.recommendation == "LCSPR":
        steps.append("LCSPR: publication within 6 months of the partners' decision to initiate it; the report goes to "
                     "the Panel, the Secretary of State and Ofsted at least 7 working days before publication.")
    dl = {d.key: d for d in case_deadlines(c, cal, p.timescales)}
    if c.lcspr_decided_on and "lcspr_publication_due" in dl:
        steps.append(f"LCSPR decided on {format_human(c.lcspr_decided_on)}: publication due "
                     f"{format_human(dl['lcspr_publication_due'].due)}.")
    return steps


def signoff_context(f: CaseFile, p: Partnership, version: ReportVersion | None = None) -> dict:
    """Section 12: empty in the hashed text; filled from the decisions bound to `version` on export."""
    rows = []
    chair = next((m for m in p.members_with(Role.SPRG_CHAIR)), None)
    rows.append({"role": "SPRG chair (report prepared with the Business Unit)",
                 "organisation": p.agency(chair.agency).name if chair else "",
                 "decision": "Prepared" if version else "", "version": f"v{version.number}" if version else "",
                 "date": format_human(version.created_at.astimezone(LONDON).date()) if version else ""})
    decisions = [d for d in f.decisions if version and d.report_version == version.number
                 and d.content_hash == version.content_hash]
    for partner in StatutoryPartnerKeys:
        mine = [d for d in decisions if d.partner == partner]
        d = mine[-1] if mine else None
        label = PARTNER_LABELS[partner]
        role = f"Executive lead, {label if label.isupper() else label.lower()}"
        if d is not None and p.member(d.member_key).deputy_of:
            role = f"Deputy executive lead, {labels[partner]}"
        decision, when, which = ("Awaiting", "", "")
        if d is not None:
            decision = {"approve": "Approved", "disagree": "Disagreed"}[d.decision] + (" (later voided)" if d.void else "")
            when = format_human(d.decided_at.astimezone(LONDON).date())
            which = f"v{d.report_version} (sha256 {d.content_hash[:12]})"
        rows.append({"role": role, "organisation": p.partner_agency(StatutoryPartner(partner)).name,
                     "decision": decision if version else "", "date": when, "version": which})
    note = ("Approvals are recorded in the bot against this version's content hash; this table is completed "
            "from them when the report is exported." if version is None else
            f"Version {version.number}, content hash (SHA-256) {version.content_hash}.")
    return {"rows": rows, "note": note}


def report_context(f: CaseFile, p: Partnership, cal: WorkingDayCalendar, parts: ReportParts, number: int,
                   built_on: date) -> dict:
    c = f.case
    names = {r.agency_key: p.agency(r.agency_key).name for r in f.requests}
    structured = _structured(f)
    by_agency = {k: [{"agency": names[key], "text": data[k]} for key, data in structured if (data.get(k) or "").strip()]
                 for k in _AGENCY_TEXT}
    agencies, outside = _agency_rows(f, p)
    narr = {k: md.narrative(parts.sections.get(k), PLACEHOLDER) for k in NARRATIVES}
    if not parts.sections.get("rationale") and c.recommendation_reason:
        narr["rationale"] = md.narrative(c.recommendation_reason, PLACEHOLDER)
    national = ("The partners consider the case **may** raise issues that are complex or of national importance."
                if c.refer_as_possibly_national else
                "The partners do not consider that the case raises issues that are complex or of national importance.")
    return {
        "case": {"code": c.code, "pseudonym": c.pseudonym, "partnership": p.partnership.name},
        "number": number, "built_on": format_human(built_on),
        "details": _details(f, p, cal, parts),
        "headings": {k: n.heading for k, n in NARRATIVES.items()}, "narr": narr,
        "by_agency": by_agency, "analysis_parts": ANALYSIS_PARTS,
        "agencies": agencies, "outside": outside,
        "involvement": [{"agency": names[key], "period": data.get("involvement_period", ""),
                         "text": data.get("nature_of_involvement") or "no detail given"}
                        for key, data in structured if data.get("involvement_period") or data.get("nature_of_involvement")],
        "kloes": [loe.text for loe in f.lines_of_enquiry],
        "chronology": _chronology(f, p),
        "safety": [{"number": a.number, "owner": p.agency(a.owner_agency).name, "text": a.text,
                    "at_risk": {"child": "The child", "siblings": "Siblings", "other-children": "Other children"}
                    .get(a.at_risk, a.at_risk), "due": format_human(a.due_on),
                    "status": "done" if a.status == "done" else "open"} for a in f.safety],
        "actions": [{"number": a.number, "owner": p.agency(a.owner_agency).name, "text": a.text,
                     "due": format_human(a.due_on), "status": a.status} for a in f.actions],
        "lcspr_criteria": _criteria_rows(LCSPR_CRITERIA, parts),
        "national_criteria": _criteria_rows(NATIONAL_CRITERIA, parts),
        "national_view": national,
        "recommendation": {"label": RECOMMENDATION_LABELS.get(c.recommendation or "", c.recommendation or "not recorded"),
                           "national": "yes" if c.refer_as_possibly_national else "no"},
        "votes": votes_context(f, p), "next_steps": _next_steps(f, p, cal),
        "signoff": signoff_context(f, p),
    }


def build_markdown(f: CaseFile, p: Partnership, cal: WorkingDayCalendar, number: int, parts: ReportParts,
                   built_on: date) -> str:
    """The canonical Markdown of report version `number` (deterministic: same case, same text)."""
    text = environment().get_template("report.md.j2").render(report_context(f, p, cal, parts, number, built_on))
    return tidy(text)


def content_hash(markdown: str) -> str:
    return hashlib.sha256(markdown.encode("utf-8")).hexdigest()


def with_signoff(markdown: str, f: CaseFile, p: Partnership, version: ReportVersion) -> str:
    """A stored version as exported: section 12 completed from the decisions bound to its hash."""
    block = tidy(environment().get_template("signoff.md.j2").render(signoff=signoff_context(f, p, version)))
    head, sep, _ = markdown.partition("\n## 12. Sign-off\n")
    return (head.rstrip("\n") + "\n\n" + block) if sep else (markdown.rstrip("\n") + "\n\n" + block)


def tidy(text: str) -> str:
    """No runs of blank lines, no trailing spaces, one final newline: the canonical form."""
    # No bidi override or isolate character survives into a report (it can make text read backwards).
    lines = [line.rstrip() for line in strip_bidi(text).replace("\r\n", "\n").split("\n")]
    out: list[str] = []
    for line in lines:
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"
