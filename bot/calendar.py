"""Working days in England and Wales, and London dates: the only place deadlines are computed.

Domain §4.2: a working day is Monday to Friday and not an England-and-Wales bank holiday (substitute
days included). A deadline is the n-th working day strictly after its anchor (the anchor is day 0),
unless the partnership counts the anchor as day 1 (§7.2 item 7). Dates are London calendar dates.
"""
from __future__ import annotations

import calendar as _stdlib_calendar
import os
import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")
HOLIDAYS_FILE_ENV = "RAPIDREVIEW_HOLIDAYS_FILE"

# English names by hand: strftime's %a/%b follow the process locale, and %-d is not portable.
_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# date.fromisoformat also accepts 20261218 and 2026-W51-5; operators must write one unambiguous form.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# England and Wales have had 8 bank holidays a year since 1978; fewer means the data is missing.
_MIN_BANK_HOLIDAYS_A_YEAR = 8


class CalendarRangeError(ValueError):
    """A computation reached a year for which the calendar has no holiday data."""


def format_human(d: date) -> str:
    """`Tue 29 Dec 2026`: the human-facing form of a date (STYLE.md)."""
    return f"{_DAY_NAMES[d.weekday()]} {d.day} {_MONTH_NAMES[d.month - 1]} {d.year}"


def parse_iso_date(text: str) -> date:
    """Parse exactly `YYYY-MM-DD`; raise ValueError for anything else."""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError(f"not a YYYY-MM-DD date: {text!r}")
    return date.fromisoformat(text)


def london_date(instant: datetime) -> date:
    """The Europe/London calendar date of a timezone-aware instant."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        # A naive datetime could be UTC or London time; guessing would shift late-evening events a day.
        raise ValueError(f"instant must be timezone-aware, got naive {instant.isoformat()}")
    return instant.astimezone(LONDON).date()


def at_london_time(d: date, t: time = time(9, 0)) -> datetime:
    """The UTC instant at which London clocks show time `t` on date `d`."""
    if t.tzinfo is not None:
        raise ValueError("t must be a London wall-clock time without tzinfo")
    return datetime.combine(d, t, tzinfo=LONDON).astimezone(UTC)


@lru_cache(maxsize=None)
def _england_and_wales_bank_holidays(year: int) -> frozenset[date]:
    """Bank holidays in England and Wales for one year, from the `holidays` package (domain §4.2 rule 7)."""
    # subdiv ENG leaves out Scotland-only (2 Jan, St Andrew's, first Monday of August) and NI-only days.
    found = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))
    if len(found) < _MIN_BANK_HOLIDAYS_A_YEAR:
        raise CalendarRangeError(f"no bank holiday data for {year} (found {len(found)} days)")
    return found


class _Year(NamedTuple):
    closed: frozenset[date]  # bank holidays (weekends are checked separately)
    working: tuple[int, ...]  # ordinals of the year's working days, ascending, for bisect


@dataclass(frozen=True)
class MonthsLater:
    """A date some calendar months after an anchor, with a warning when it is not a working day."""

    date: date
    is_working_day: bool
    last_working_day_before: date | None
    warning: str | None


class WorkingDayCalendar:
    """England-and-Wales working days over a fixed range of years, plus one-off extra holidays."""

    def __init__(
        self,
        extra_holidays: Iterable[date] = (),
        *,
        count_anchor_as_day_one: bool = False,
        first_year: int = 2015,
        last_year: int = 2040,
    ) -> None:
        if first_year > last_year:
            raise ValueError(f"first_year {first_year} is after last_year {last_year}")
        extra = frozenset(extra_holidays)
        for d in extra:
            if not isinstance(d, date) or isinstance(d, datetime):
                raise ValueError(f"extra holiday {d!r} is not a date")
        self._extra = extra
        self._count_anchor_as_day_one = count_anchor_as_day_one
        self.first_year = first_year
        self.last_year = last_year
        self._years: dict[int, _Year] = {}

    @classmethod
    def from_override_file(cls, path: str | os.PathLike[str], **kw: Any) -> WorkingDayCalendar:
        """A calendar with the one-off bank holidays listed in a YAML file added."""
        extra = [*kw.pop("extra_holidays", ()), *read_override_file(path)]
        return cls(extra, **kw)

    @property
    def count_anchor_as_day_one(self) -> bool:
        return self._count_anchor_as_day_one

    @property
    def extra_holidays(self) -> frozenset[date]:
        return self._extra

    def _year(self, year: int) -> _Year:
        cached = self._years.get(year)
        if cached is None:
            if not self.first_year <= year <= self.last_year:
                raise CalendarRangeError(
                    f"{year} is outside the working-day calendar's range "
                    f"{self.first_year}-{self.last_year}; no bank holiday data for it"
                )
            closed = _england_and_wales_bank_holidays(year) | {d for d in self._extra if d.year == year}
            first, last = date(year, 1, 1).toordinal(), date(year, 12, 31).toordinal()
            working = tuple(
                o for o in range(first, last + 1)
                if (d := date.fromordinal(o)).weekday() < 5 and d not in closed
            )
            cached = self._years[year] = _Year(closed, working)
        return cached

    def is_working_day(self, d: date) -> bool:
        """Monday to Friday and not a bank holiday in England and Wales."""
        return d.weekday() < 5 and d not in self._year(d.year).closed

    def _nth_after(self, anchor: date, n: int) -> date:
        """The n-th working day strictly after anchor (n >= 1)."""
        year = anchor.year
        working = self._year(year).working
        i = bisect_right(working, anchor.toordinal())
        while i + n > len(working):
            n -= len(working) - i
            year += 1
            working = self._year(year).working
            i = 0
        return date.fromordinal(working[i + n - 1])

    def _nth_before(self, target: date, n: int) -> date:
        """The n-th working day strictly before target (n >= 1)."""
        year = target.year
        working = self._year(year).working
        i = bisect_left(working, target.toordinal())  # working days before target in its year
        while i < n:
            n -= i
            year -= 1
            working = self._year(year).working
            i = len(working)
        return date.fromordinal(working[i - n])

    def add_working_days(self, anchor: date, n: int) -> date:
        """The deadline n working days from anchor (anchor = day 0 unless counted as day 1)."""
        _check_count(n)
        self._year(anchor.year)  # an anchor outside the range is an error even when n == 0
        if n and self._count_anchor_as_day_one and self.is_working_day(anchor):
            n -= 1
        return self._nth_after(anchor, n) if n else anchor

    def working_days_before(self, target: date, n: int) -> date:
        """The n-th working day strictly before target: the latest date for "N working days before" (§4.2 rule 5)."""
        _check_count(n)
        self._year(target.year)
        return self._nth_before(target, n) if n else target

    def working_days_late(self, due: date, done: date) -> int:
        """How many working days after `due` `done` falls (0 when done on or before the due date)."""
        self._year(due.year)
        self._year(done.year)
        if done <= due:
            return 0
        due_ord, done_ord = due.toordinal(), done.toordinal()
        late = 0
        for year in range(due.year, done.year + 1):
            working = self._year(year).working
            late += bisect_right(working, done_ord) - bisect_right(working, due_ord)
        return late

    def next_working_day(self, d: date) -> date:
        """The first working day strictly after d."""
        return self._nth_after(d, 1)

    def add_calendar_months(self, anchor: date, months: int) -> MonthsLater:
        """Same day of month `months` later, clamped to the month end (§4.2 rule 4)."""
        index = anchor.year * 12 + anchor.month - 1 + months
        year, month = divmod(index, 12)
        month += 1
        day = min(anchor.day, _stdlib_calendar.monthrange(year, month)[1])
        target = date(year, month, day)
        if self.is_working_day(target):
            return MonthsLater(target, True, None, None)
        before = self._nth_before(target, 1)
        warning = (
            f"{format_human(target)} is not a working day; "
            f"the last working day before it is {format_human(before)}"
        )
        return MonthsLater(target, False, before, warning)


def _check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise ValueError(f"number of working days must be a whole number >= 0, got {n!r}")


def read_override_file(path: str | os.PathLike[str]) -> list[date]:
    """The one-off bank holidays in a YAML file: `holidays: [{date: ..., name: ...}]` or a list of dates."""
    import yaml  # only needed when an override file is used; keeps CLI start-up lean

    where = f"holidays file {os.fspath(path)}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"{where}: cannot read it ({exc.strerror or exc})") from None
    try:
        # BaseLoader keeps every scalar a string, so dates are parsed strictly here and a bad one can be named.
        data = yaml.load(text, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds no objects
    except yaml.YAMLError as exc:
        raise ValueError(f"{where}: not valid YAML ({exc})") from None
    if data is None or data == "":
        return []
    if isinstance(data, Mapping):
        if "holidays" not in data:
            raise ValueError(f"{where}: expected a 'holidays:' list, for example 'holidays: [{{date: 2027-06-04}}]'")
        data = data["holidays"]
    if not isinstance(data, list):
        raise ValueError(f"{where}: expected a list of dates, for example '- 2027-06-04'")
    found = []
    for number, entry in enumerate(data, start=1):
        raw = entry.get("date") if isinstance(entry, Mapping) else entry
        try:
            found.append(parse_iso_date(raw))
        except ValueError:
            raise ValueError(
                f"{where}: entry {number} ({entry!r}) is not a date: use YYYY-MM-DD, for example 2027-06-04"
            ) from None
    return found


def calendar_from_env(environ: Mapping[str, str] | None = None, **kw: Any) -> WorkingDayCalendar:
    """The calendar, with the override file named by RAPIDREVIEW_HOLIDAYS_FILE if that is set."""
    env = os.environ if environ is None else environ
    path = env.get(HOLIDAYS_FILE_ENV, "").strip()
    if path:
        return WorkingDayCalendar.from_override_file(path, **kw)
    return WorkingDayCalendar(**kw)
