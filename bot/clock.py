"""A case's deadlines, each computed by the working-day calendar from the case's recorded anchors."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.calendar import WorkingDayCalendar, format_human
from bot.partnership import Timescales
from bot.states import RR_CLOCK_RUNNING, CaseState
from storage.models import Case


@dataclass(frozen=True)
class Deadline:
    key: str
    label: str
    due: date
    met: bool = False
    note: str | None = None

    def as_dict(self, today: date) -> dict:
        return {"key": self.key, "label": self.label, "date": self.due.isoformat(), "human": format_human(self.due),
                "met": self.met, "overdue": (not self.met) and today > self.due, "note": self.note}


def case_deadlines(case: Case, cal: WorkingDayCalendar, ts: Timescales) -> list[Deadline]:
    """Every deadline the case's anchors give, in order of the lifecycle (met ones included)."""
    state = CaseState(case.state)
    out: list[Deadline] = []
    if case.la_aware_on:
        due = cal.add_working_days(case.la_aware_on, ts.sin_working_days)
        if state == CaseState.NOTIFICATION_ONLY or case.kind in ("care_leaver_death", "lac_death") and not case.sin_submitted_on:
            out.append(Deadline("notification_due", "Secretary of State and Ofsted notified", due,
                                met=case.sos_notified_on is not None))
        if state != CaseState.NOTIFICATION_ONLY:
            late = cal.working_days_late(due, case.sin_submitted_on) if case.sin_submitted_on else 0
            note = f"SIN submitted {late} working day{'s' if late != 1 else ''} late" if late else None
            out.append(Deadline("sin_due", "SIN to the Panel", due, met=case.sin_submitted_on is not None, note=note))
            out.append(Deadline("partners_informed_due", "Safeguarding partners informed", due,
                                met=case.partnership_informed_on is not None))
    if case.sin_submitted_on and case.track == "rapid_review" and state not in (CaseState.SIN_WITHDRAWN,):
        rr_due = cal.add_working_days(case.sin_submitted_on, ts.rapid_review_working_days)
        out.append(Deadline("rapid_review_due", "Rapid review to the Panel", rr_due,
                            met=case.rr_submitted_on is not None or state not in RR_CLOCK_RUNNING))
    if case.track == "local_review" and case.triaged_on:
        out.append(Deadline("local_review_due", "Local review complete",
                            cal.add_working_days(case.triaged_on, ts.local_review_working_days),
                            met=state == CaseState.CLOSED))
    if case.rr_submitted_on and state in (CaseState.SUBMITTED_TO_PANEL, CaseState.AWAITING_PANEL):
        out.append(Deadline("panel_chase", "Chase the Panel if no response",
                            cal.add_working_days(case.rr_submitted_on, ts.panel_chase_working_days)))
    if case.panel_response_on and state in (CaseState.PANEL_RESPONDED, CaseState.NATIONAL_REVIEW):
        out.append(Deadline("response_shared_due", "Panel response shared",
                            cal.add_working_days(case.panel_response_on, ts.response_share_working_days)))
    if case.lcspr_decided_on:
        pub = cal.add_calendar_months(case.lcspr_decided_on, ts.lcspr_publication_months)
        out.append(Deadline("lcspr_publication_due", "LCSPR published", pub.date,
                            met=case.lcspr_published_on is not None, note=pub.warning))
    if case.lcspr_publication_planned_on:
        out.append(Deadline("panel_copy_due", "LCSPR copy to the Panel, Secretary of State and Ofsted",
                            cal.working_days_before(case.lcspr_publication_planned_on,
                                                    ts.panel_copy_working_days_before_publication),
                            met=case.lcspr_published_on is not None))
    return out


def agency_return_due(case: Case, requested_on: date, cal: WorkingDayCalendar, ts: Timescales) -> date:
    """Returns are due k working days after the SIN (domain §2.2 S5); without a SIN, after the request."""
    anchor = case.sin_submitted_on or requested_on
    due = cal.add_working_days(anchor, ts.agency_return_working_days)
    if due < requested_on:  # a request made after the usual date still gets a little time
        due = cal.add_working_days(requested_on, 2)
    return due


def working_days_left(cal: WorkingDayCalendar, today: date, due: date) -> int:
    """Working days after today up to and including the due date (AS-13: Thu 24 Sep → 2 left)."""
    return cal.working_days_late(today, due)
