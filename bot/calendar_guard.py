"""Dates the working-day calendar has no bank holiday data for (issue 14 item 7).

A typed date outside the calendar's years is refused with a message naming the value (most often a mistyped
year: 2062 for 2026). A deadline that would fall in such a year is never guessed: the command is refused, the
Business Unit is told by direct message and the administrator by the error log, and no date is output.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any

from bot.calendar import WorkingDayCalendar


def dates_outside(args: dict[str, Any], cal: WorkingDayCalendar, today: date) -> str | None:
    """A refusal naming every typed date outside the calendar's years, with an example of a right one."""
    bad = [(k, v) for k, v in args.items() if isinstance(v, date) and not cal.first_year <= v.year <= cal.last_year]
    if not bad:
        return None
    named = ", ".join(f"{k}={v.isoformat()}" if k != "date" else v.isoformat() for k, v in bad)
    if any(v > today for _, v in bad):  # most often a mistyped year: say so, as a form would for any future date
        named += f" (in the future: today is {today.isoformat()})"
    example = today.replace(month=bad[0][1].month, day=min(bad[0][1].day, 28)).isoformat()
    return (f"{named}: the year is outside the years this bot has bank holiday data for "
            f"({cal.first_year}–{cal.last_year}), so no working-day deadline can be worked out from it. "
            f"Check the year (for example {example}). Nothing was changed.")


_YEAR = re.compile(r"\b(\d{4})\b")


def year_of(exc: Exception) -> str:
    m = _YEAR.search(str(exc))
    return m.group(1) if m else "a year"


def deadline_out_of_range_text(code: str, pseudonym: str, exc: Exception) -> str:
    return (f"{code} / {pseudonym}: a deadline of this case would fall in {year_of(exc)}, for which the working-day "
            "calendar has no bank holiday data, so no date was given and the last command was not applied. "
            "An administrator must add that year's bank holidays (the partnership's holidays file) first.")
