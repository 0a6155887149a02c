"""What the oversight report needs from the store, read once: dates, states and outcomes only.

Nothing here reads free text (reasons, lines of enquiry, actions' wording, returns' content, report
sections): the oversight outputs are built from these facts alone, so they cannot carry any of it.
Events that the case row overwrites (a second submission to the Panel, a resubmitted return) come from
the audit trail, which keeps every one with its instant.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from bot.calendar import london_date
from storage.db import Database
from storage.models import ActionItem, AgencyRequest, AuditEvent, Case, ExecutiveDecision

# The audit actions read here, and only the detail keys named in _detail below.
_ACTIONS = ("report_version_created", "executive_approved", "submitted_to_panel", "panel_response_recorded",
            "agency_return", "agency_nil", "action_added")


@dataclass(frozen=True)
class AgencyFact:
    agency: str
    due_on: date
    state: str
    returned_on: date | None  # the first return or nil return, London date
    nil: bool
    waived: bool


@dataclass(frozen=True)
class ActionFact:
    owner_agency: str
    due_on: date
    added_on: date | None
    done_on: date | None


@dataclass
class CaseFact:
    code: str
    pseudonym: str
    kind: str
    state: str
    track: str
    led_elsewhere: bool
    opened_on: date
    la_aware_on: date | None
    sin_submitted_on: date | None
    sos_notified_on: date | None
    triaged_on: date | None
    lcspr_decided_on: date | None
    lcspr_publication_planned_on: date | None
    lcspr_published_on: date | None
    first_report_on: date | None = None
    submissions: list[date] = field(default_factory=list)  # each submission to the Panel, in order
    approved_on: date | None = None  # the last of the three approvals of the version first submitted
    panel_responses: list[tuple[date, str]] = field(default_factory=list)  # (received, outcome)
    disagreed_before_submission: bool = False
    agencies: list[AgencyFact] = field(default_factory=list)
    actions: list[ActionFact] = field(default_factory=list)

    @property
    def first_submitted_on(self) -> date | None:
        return self.submissions[0] if self.submissions else None


def _as_date(value: object) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else None


async def load_facts(db: Database) -> list[CaseFact]:
    """Every case's facts, ordered by case code."""
    async with db.read() as s:
        # Named columns, not whole rows: a case row also holds free text (the recommendation's reason).
        cases = list((await s.execute(select(
            Case.id, Case.code, Case.pseudonym, Case.kind, Case.state, Case.track, Case.lead_partnership,
            Case.created_at, Case.la_aware_on, Case.sin_submitted_on, Case.sos_notified_on, Case.triaged_on,
            Case.lcspr_decided_on, Case.lcspr_publication_planned_on, Case.lcspr_published_on)
            .order_by(Case.code))).all())
        events = list((await s.execute(
            select(AuditEvent.case_code, AuditEvent.at, AuditEvent.action, AuditEvent.detail)
            .where(AuditEvent.action.in_(_ACTIONS)).order_by(AuditEvent.seq))).all())
        requests = list((await s.execute(select(
            AgencyRequest.case_id, AgencyRequest.agency_key, AgencyRequest.due_on, AgencyRequest.state,
            AgencyRequest.submitted_at, AgencyRequest.return_data).order_by(AgencyRequest.id))).all())
        actions = list((await s.execute(select(
            ActionItem.case_id, ActionItem.number, ActionItem.owner_agency, ActionItem.due_on, ActionItem.status,
            ActionItem.done_at).order_by(ActionItem.case_id, ActionItem.number))).all())
        disagreements = list((await s.execute(select(ExecutiveDecision.case_id, ExecutiveDecision.decided_at)
                                               .where(ExecutiveDecision.decision == "disagree"))).all())
    by_id: dict[int, CaseFact] = {}
    by_code: dict[str, CaseFact] = {}
    for c in cases:
        f = CaseFact(
            code=c.code, pseudonym=c.pseudonym, kind=c.kind, state=c.state, track=c.track,
            led_elsewhere=bool(c.lead_partnership), opened_on=london_date(c.created_at),
            la_aware_on=c.la_aware_on, sin_submitted_on=c.sin_submitted_on, sos_notified_on=c.sos_notified_on,
            triaged_on=c.triaged_on, lcspr_decided_on=c.lcspr_decided_on,
            lcspr_publication_planned_on=c.lcspr_publication_planned_on, lcspr_published_on=c.lcspr_published_on)
        by_id[c.id] = by_code[c.code] = f

    returned: dict[tuple[str, str], date] = {}
    action_added: dict[tuple[str, int], date] = {}
    approvals: dict[str, list[tuple[int, date]]] = defaultdict(list)  # code -> (version, day)
    submitted_version: dict[str, int] = {}
    for code, at, action, detail in events:
        f = by_code.get(code)
        if f is None:
            continue
        day = london_date(at)
        if action == "report_version_created":
            f.first_report_on = f.first_report_on or day
        elif action == "executive_approved":
            approvals[code].append((detail.get("version"), day))
        elif action == "submitted_to_panel":
            f.submissions.append(day)
            submitted_version.setdefault(code, detail.get("version"))
        elif action == "panel_response_recorded":
            f.panel_responses.append((_as_date(detail.get("on")) or day, str(detail.get("outcome"))))
        elif action in ("agency_return", "agency_nil"):
            returned.setdefault((code, str(detail.get("agency"))), day)
        elif action == "action_added":
            action_added.setdefault((code, detail.get("number")), day)

    for code, version in submitted_version.items():
        first = by_code[code].submissions[0]
        days = [d for v, d in approvals[code] if v == version and d <= first]
        by_code[code].approved_on = max(days) if days else None
    for case_id, decided_at in disagreements:
        f = by_id[case_id]
        if f.first_submitted_on is None or london_date(decided_at) <= f.first_submitted_on:
            f.disagreed_before_submission = True
    for case_id, agency, due_on, state, submitted_at, data in requests:
        f = by_id[case_id]
        first = returned.get((f.code, agency)) or (london_date(submitted_at) if submitted_at else None)
        f.agencies.append(AgencyFact(agency=agency, due_on=due_on, state=state, returned_on=first,
                                     nil=bool((data or {}).get("nil_return")) or state == "NIL_RETURN",
                                     waived=state == "WAIVED"))
    for case_id, number, owner, due_on, status, done_at in actions:
        f = by_id[case_id]
        f.actions.append(ActionFact(owner_agency=owner, due_on=due_on, added_on=action_added.get((f.code, number)),
                                    done_on=london_date(done_at) if done_at and status == "done" else None))
    return [by_code[c.code] for c in cases]
