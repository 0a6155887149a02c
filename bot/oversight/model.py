"""What the oversight report is made of: the period, each figure with its definition, and the tables and
series behind the charts. Built by figures.compute; read by render.py, charts.py, html.py and chat.py."""
from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import date

from bot.calendar import format_human
from bot.states import PANEL_OUTCOMES

MAX_PERIOD_DAYS = 5 * 366
OUTCOME_LABELS = {
    "AGREES": "Agrees with the partners",
    "DISAGREES_OR_RECONSIDER": "Asks the partners to reconsider",
    "REQUESTS_INFORMATION": "Requests more information",
    "NATIONAL_REVIEW_COMMISSIONED": "Commissions a national review",
    "LOCAL_REVIEW_MORE_APPROPRIATE": "A local review is more appropriate",
}
assert set(OUTCOME_LABELS) == set(PANEL_OUTCOMES.values())


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"the period ends ({self.end.isoformat()}) before it starts ({self.start.isoformat()})")
        if self.end.toordinal() - self.start.toordinal() > MAX_PERIOD_DAYS:
            # A chart of a hundred quarters helps nobody, and drawing it would hold the page up.
            raise ValueError(f"the period {self.start.isoformat()} to {self.end.isoformat()} is longer than five years")

    def holds(self, d: date | None) -> bool:
        return d is not None and self.start <= d <= self.end

    @property
    def human(self) -> str:
        return f"{format_human(self.start)} to {format_human(self.end)}"


@dataclass(frozen=True)
class Figure:
    section: str
    key: str
    label: str
    value: int | float | str | None
    definition: str

    @property
    def shown(self) -> str:
        if self.value is None:
            return "none"
        if isinstance(self.value, float):
            return f"{self.value:.1f}".removesuffix(".0")
        return str(self.value)


@dataclass
class Timeliness:
    """Items against a deadline: how many, how many on time, and how late the late ones were."""

    n: int = 0
    on_time: int = 0
    late: list[int] = field(default_factory=list)  # working days late, one per late item

    def add(self, late: int) -> None:
        self.n += 1
        if late:
            self.late.append(late)
        else:
            self.on_time += 1

    @property
    def pct(self) -> float | None:
        return round(100 * self.on_time / self.n, 1) if self.n else None

    @property
    def median_late(self) -> float | None:
        return float(statistics.median(self.late)) if self.late else None

    @property
    def worst_late(self) -> int | None:
        return max(self.late) if self.late else None


@dataclass
class Duration:
    days: list[int] = field(default_factory=list)  # working days, one per item

    @property
    def median(self) -> float | None:
        return float(statistics.median(self.days)) if self.days else None

    @property
    def worst(self) -> int | None:
        return max(self.days) if self.days else None


@dataclass(frozen=True)
class CaseLine:
    """One case against one clock: code and pseudonym, dates and working days only."""

    measure: str  # sin | rapid_review | lcspr_publication
    code: str
    pseudonym: str
    anchor: date
    due: date
    done: date
    working_day: int
    late: int


@dataclass
class AgencyLine:
    agency: str  # the agency's name from the partnership file
    requests: int = 0
    on_time: int = 0
    late: list[int] = field(default_factory=list)
    outstanding_overdue: int = 0
    nil: int = 0
    waived: int = 0

    @property
    def counted(self) -> int:
        return self.on_time + len(self.late) + self.outstanding_overdue

    @property
    def pct(self) -> float | None:
        return round(100 * self.on_time / self.counted, 1) if self.counted else None

    @property
    def median_late(self) -> float | None:
        return float(statistics.median(self.late)) if self.late else None


@dataclass
class ActionLine:
    agency: str
    completed: int = 0
    completed_late: int = 0
    open: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class Quarter:
    label: str
    start: date
    end: date
    sin: Timeliness
    rapid_review: Timeliness


@dataclass
class Oversight:
    partnership: str
    period: Period
    as_at: date
    figures: list[Figure]
    quarters: list[Quarter]
    rr_working_days: list[int]  # working day of the SIN clock on which each rapid review went (distribution)
    agencies: list[AgencyLine]
    actions: list[ActionLine]
    outcomes: dict[str, int]
    cases: list[CaseLine]
    # The working day of the SIN clock on which a rapid review is due (the engine's deadline is that day).
    rr_due_day: int = 15

    def figure(self, key: str) -> Figure:
        return next(f for f in self.figures if f.key == key)

    @property
    def values(self) -> dict[str, object]:
        return {f.key: f.value for f in self.figures}
