"""The sandbox's clock: real time plus an offset that the "advance the clock" control moves forward.

One instance is shared by the core, the outbox dispatcher and the ticker (`Runtime.use_clock`), so a
reminder due "next working day at 09:00" is released when the sandbox says it is that day.
"""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone

from bot.calendar import LONDON, WorkingDayCalendar, at_london_time, format_human, london_date

# Just after the reminders' default 09:00, so advancing shows the morning's reminders straight away.
ADVANCE_TO = time(9, 5)


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class SandboxClock:
    """Callable like the core's default clock: returns an aware UTC instant."""

    def __init__(self, start: date | None = None, *, real: Callable[[], datetime] = _utcnow):
        self._real = real
        self.offset = timedelta(0)
        if start is not None:
            self.offset = at_london_time(start, time(9, 0)) - real()

    def __call__(self) -> datetime:
        return self._real() + self.offset

    def today(self) -> date:
        return london_date(self())

    def advance(self, cal: WorkingDayCalendar, at: time = ADVANCE_TO) -> datetime:
        """Move to the next working day (London) at `at`; time runs on from there."""
        target = at_london_time(cal.next_working_day(self.today()), at)
        self.offset = target - self._real()
        return target

    def describe(self) -> dict:
        """For the page: the instant, the London date and a human line such as `Tue 8 Sep 2026 09:05`."""
        now = self()
        local = now.astimezone(LONDON)
        return {"iso": now.isoformat(), "date": local.date().isoformat(),
                "human": f"{format_human(local.date())} {local:%H:%M}", "shifted": abs(self.offset) > timedelta(minutes=1)}
