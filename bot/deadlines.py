"""The statutory deadline set of a case, computed from whichever clock anchors are known (domain §2.1).

Pure functions: every date comes from a `WorkingDayCalendar`, so the counting convention and the bank
holidays are decided in one place.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from bot.calendar import LONDON, WorkingDayCalendar, at_london_time, format_human

SIN_WORKING_DAYS = 5  # [G] from la_aware_date; the report to the partners has the same deadline
RAPID_REVIEW_WORKING_DAYS = 15  # [G/L] from sin_submitted_date, not from the SIN due date (AS-08)
LCSPR_PUBLICATION_MONTHS = 6  # [G/U] from the decision to initiate
PANEL_COPY_WORKING_DAYS_BEFORE = 7  # [U] report to the Panel, SoS and Ofsted before publication
REMINDER_TIME = time(9, 0)  # London wall-clock time, across BST changes (§4.2 rule 8)

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
    *,
    aware: date | None = None,
    sin_submitted: date | None = None,
    lcspr_decided: date | None = None,
    publication_planned: date | None = None,
    reminder_offsets: Iterable[int] = (3, 1, 0),
) -> dict[str, Any]:
    """The deadlines that follow from the given anchors; keys for missing anchors are left out.

    Values are `date`s, an `int` (sin_late_working_days), a `str` (lcspr_publication_warning) and,
    for rapid_review_reminders, dicts `{"kind": str, "at": datetime}` with `at` in UTC.
    """
    out: dict[str, Any] = {}
    if aware is not None:
        sin_due = cal.add_working_days(aware, SIN_WORKING_DAYS)
        out["sin_due"] = sin_due
        out["partners_informed_due"] = sin_due
        if sin_submitted is not None:
            out["sin_late_working_days"] = cal.working_days_late(sin_due, sin_submitted)
    if sin_submitted is not None:
        rr_due = cal.add_working_days(sin_submitted, RAPID_REVIEW_WORKING_DAYS)
        out["rapid_review_due"] = rr_due
        reminders = []
        for offset in reminder_offsets:
            day = cal.working_days_before(rr_due, offset)
            reminders.append({"kind": reminder_kind(offset), "at": at_london_time(day, REMINDER_TIME)})
        out["rapid_review_reminders"] = sorted(reminders, key=lambda r: r["at"])
    if lcspr_decided is not None:
        publication = cal.add_calendar_months(lcspr_decided, LCSPR_PUBLICATION_MONTHS)
        out["lcspr_publication_due"] = publication.date
        if publication.warning is not None:
            out["lcspr_publication_warning"] = publication.warning
    if publication_planned is not None:
        out["panel_copy_due"] = cal.working_days_before(publication_planned, PANEL_COPY_WORKING_DAYS_BEFORE)
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
