"""A case's deadlines: the one engine, built from the partnership's timescales and the working-day calendar.

The bot (status, reminders, the report) and the command line (`rapidreview deadlines`) both ask this module,
with the same partnership file and the same calendar, so they can never disagree (domain §2.1, §2.2).
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from datetime import date, datetime, time
from typing import Any

from bot.calendar import LONDON, MonthsLater, WorkingDayCalendar, at_london_time, format_human
from bot.partnership import ReminderPolicy, Timescales
from bot.states import NOTIFY_ONLY_KINDS, RR_CLOCK_RUNNING, CaseState
from storage.models import Case


def calendar_for(timescales: Timescales, holidays_file: Path | str | None = None) -> WorkingDayCalendar:
    """The partnership's working-day calendar: its counting convention, plus any one-off bank holidays."""
    kw = {"count_anchor_as_day_one": timescales.count_anchor_as_day_one}
    if holidays_file:
        return WorkingDayCalendar.from_override_file(holidays_file, **kw)
    return WorkingDayCalendar(**kw)


# -- the clocks, each from its anchor ----------------------------------------------------------------------
def sin_due(cal: WorkingDayCalendar, ts: Timescales, aware: date) -> date:
    """The SIN (and the report to the partners) is due k working days after the LA became aware [S]."""
    return cal.add_working_days(aware, ts.sin_working_days)


def rapid_review_due(cal: WorkingDayCalendar, ts: Timescales, sin_submitted: date) -> date:
    """From the date the SIN was sent, not from its due date (AS-08) [G/L]."""
    return cal.add_working_days(sin_submitted, ts.rapid_review_working_days)


def lcspr_publication_due(cal: WorkingDayCalendar, ts: Timescales, decided: date) -> MonthsLater:
    return cal.add_calendar_months(decided, ts.lcspr_publication_months)


def panel_copy_due(cal: WorkingDayCalendar, ts: Timescales, publication_planned: date) -> date:
    return cal.working_days_before(publication_planned, ts.panel_copy_working_days_before_publication)

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
    if state == CaseState.CONTRIBUTING:
        # AS-19 (reverse), issue 14 item 11: the lead partnership owns the SIN and the rapid review clocks; what we
        # owe it is our agencies' information, on an agency return's timescale from its SIN, when that is known.
        if case.sin_submitted_on:
            out.append(Deadline("contribution_due", f"Our information to {case.lead_partnership or 'the lead partnership'}",
                                cal.add_working_days(case.sin_submitted_on, ts.agency_return_working_days)))
        return out
    if case.la_aware_on:
        due = sin_due(cal, ts, case.la_aware_on)
        if state == CaseState.NOTIFICATION_ONLY or case.kind in NOTIFY_ONLY_KINDS and not case.sin_submitted_on:
            # A death first notified on its own keeps that date after converting to a SIN (issue 14 item 10).
            first = sin_due(cal, ts, case.notification_aware_on) if case.notification_aware_on else due
            out.append(Deadline("notification_due", "Secretary of State and Ofsted notified", first,
                                met=case.sos_notified_on is not None))
        if state != CaseState.NOTIFICATION_ONLY:
            late = cal.working_days_late(due, case.sin_submitted_on) if case.sin_submitted_on else 0
            note = f"SIN submitted {late} working day{'s' if late != 1 else ''} late" if late else None
            out.append(Deadline("sin_due", "SIN to the Panel", due, met=case.sin_submitted_on is not None, note=note))
            out.append(Deadline("partners_informed_due", "Safeguarding partners informed", due,
                                met=case.partnership_informed_on is not None))
    if case.sin_submitted_on and case.track == "rapid_review" and state not in (CaseState.SIN_WITHDRAWN,):
        rr_due = rapid_review_due(cal, ts, case.sin_submitted_on)
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
        pub = lcspr_publication_due(cal, ts, case.lcspr_decided_on)
        out.append(Deadline("lcspr_publication_due", "LCSPR published", pub.date,
                            met=case.lcspr_published_on is not None, note=pub.warning))
    if case.lcspr_publication_planned_on:
        out.append(Deadline("panel_copy_due", "LCSPR copy to the Panel, Secretary of State and Ofsted",
                            panel_copy_due(cal, ts, case.lcspr_publication_planned_on),
                            met=case.lcspr_published_on is not None or case.lcspr_copy_sent_on is not None))
    return out


def agency_return_due(case: Case, requested_on: date, cal: WorkingDayCalendar, ts: Timescales) -> date:
    """Returns are due k working days after the SIN (domain §2.2 S5); without a SIN, after the request."""
    anchor = case.sin_submitted_on or requested_on
    due = cal.add_working_days(anchor, ts.agency_return_working_days)
    if due < requested_on:  # a request made after the usual date still gets a little time
        due = cal.add_working_days(requested_on, 2)
    return due


def working_day_of(cal: WorkingDayCalendar, anchor: date, done: date) -> int:
    """Which working day of the clock started at `anchor` `done` fell on, counted as deadlines are counted:
    a rapid review sent on its due date is on day 15 of 15, whichever convention the partnership uses."""
    n = cal.working_days_late(anchor, done)
    if done >= anchor and cal.count_anchor_as_day_one and cal.is_working_day(anchor):
        n += 1  # the anchor itself is day 1 there (add_working_days(anchor, 1) == anchor)
    return n


def working_days_left(cal: WorkingDayCalendar, today: date, due: date) -> int:
    """Working days after today up to and including the due date (AS-13: Thu 24 Sep → 2 left)."""
    return cal.working_days_late(today, due)


# -- the command line's form: deadlines from bare anchor dates (`rapidreview deadlines`) -------------------------
_LABELS = {
    "sin_due": "SIN due",
    "partners_informed_due": "Safeguarding partners informed due",
    "rapid_review_due": "Rapid review due",
    "lcspr_publication_due": "LCSPR publication due",
    "panel_copy_due": "LCSPR report to the Panel, Secretary of State and Ofsted due",
}


def reminder_kind(offset: int) -> str:
    """`rapid_review_due_in_3_wd` for 3 working days before; `rapid_review_due_today` for 0."""
    return "rapid_review_due_today" if offset == 0 else f"rapid_review_due_in_{offset}_wd"


def compute_deadlines(
    cal: WorkingDayCalendar,
    ts: Timescales,
    policy: ReminderPolicy,
    *,
    aware: date | None = None,
    sin_submitted: date | None = None,
    lcspr_decided: date | None = None,
    publication_planned: date | None = None,
) -> dict[str, Any]:
    """The deadlines that follow from the given anchors; keys for missing anchors are left out.

    Values are `date`s, an `int` (sin_late_working_days), a `str` (lcspr_publication_warning) and,
    for rapid_review_reminders, dicts `{"kind": str, "at": datetime}` with `at` in UTC.
    """
    out: dict[str, Any] = {}
    if aware is not None:
        due = sin_due(cal, ts, aware)
        out["sin_due"] = due
        out["partners_informed_due"] = due
        if sin_submitted is not None:
            out["sin_late_working_days"] = cal.working_days_late(due, sin_submitted)
    if sin_submitted is not None:
        rr_due = rapid_review_due(cal, ts, sin_submitted)
        out["rapid_review_due"] = rr_due
        reminders = []
        at = time.fromisoformat(policy.time)
        for offset in policy.rapid_review_due:
            day = cal.working_days_before(rr_due, offset)
            reminders.append({"kind": reminder_kind(offset), "at": at_london_time(day, at)})
        out["rapid_review_reminders"] = sorted(reminders, key=lambda r: r["at"])
    if lcspr_decided is not None:
        publication = lcspr_publication_due(cal, ts, lcspr_decided)
        out["lcspr_publication_due"] = publication.date
        if publication.warning is not None:
            out["lcspr_publication_warning"] = publication.warning
    if publication_planned is not None:
        out["panel_copy_due"] = panel_copy_due(cal, ts, publication_planned)
    return out


def deadlines_json(deadlines: dict[str, Any]) -> dict[str, Any]:
    """The JSON form: dates as ISO strings, reminder instants as ISO London time with its offset."""
    out: dict[str, Any] = {}
    for key, value in deadlines.items():
        if key == "rapid_review_reminders":
            # The London offset (+00:00 or +01:00) shows a reader that the reminder stays at 09:00 local.
            value = [{"kind": r["kind"], "at": r["at"].astimezone(LONDON).isoformat()} for r in value]
        elif isinstance(value, date):
            value = value.isoformat()
        out[key] = value
    return out


def _reminder_line(reminder: dict[str, Any]) -> str:
    local: datetime = reminder["at"].astimezone(LONDON)
    when = f"{format_human(local.date())} {local:%H:%M} Europe/London"
    kind = reminder["kind"]
    if kind == "rapid_review_due_today":
        return f"Rapid review reminder on the due day: {when}"
    offset = int(kind.removeprefix("rapid_review_due_in_").removesuffix("_wd"))
    plural = "" if offset == 1 else "s"
    return f"Rapid review reminder {offset} working day{plural} before: {when}"


def deadline_lines(deadlines: dict[str, Any]) -> list[str]:
    """Human-readable lines, e.g. `SIN due: Tue 29 Dec 2026`, in the order of the case lifecycle."""
    lines = []
    for key, value in deadlines.items():
        if key in _LABELS:
            lines.append(f"{_LABELS[key]}: {format_human(value)}")
        elif key == "sin_late_working_days":
            if value == 0:
                lines.append("SIN submitted on time")
            else:
                lines.append(f"SIN submitted {value} working day{'' if value == 1 else 's'} late")
        elif key == "rapid_review_reminders":
            lines.extend(_reminder_line(r) for r in value)
        elif key == "lcspr_publication_warning":
            lines.append(f"Warning: {value}")
    return lines
