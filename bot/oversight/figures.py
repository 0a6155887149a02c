"""The oversight figures for a period, each with the definition a reader can check it against.

Pure computation over the facts of facts.py: every deadline and every count of working days comes from
the one deadline engine (bot/deadlines.py) with the partnership's calendar and timescales, so a figure
here always agrees with what the bot told the case channel at the time.
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.calendar import WorkingDayCalendar, format_human
from bot.deadlines import lcspr_publication_due, rapid_review_due, sin_due, working_day_of
from bot.oversight.facts import CaseFact
from bot.partnership import Timescales
from bot.states import PANEL_OUTCOMES

NOTIFICATION_ONLY_KINDS = ("lac_death", "care_leaver_death")
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


# -- the computation -------------------------------------------------------------------------------------
def quarters_of(period: Period) -> list[tuple[str, date, date]]:
    """The calendar quarters the period touches, clipped to it: ("Oct–Dec 2026", start, end)."""
    names = ("Jan–Mar", "Apr–Jun", "Jul–Sep", "Oct–Dec")
    out = []
    y, q = period.start.year, (period.start.month - 1) // 3
    while True:
        start = date(y, 3 * q + 1, 1)
        end = date(y + (q == 3), 1 if q == 3 else 3 * q + 4, 1)
        end = date.fromordinal(end.toordinal() - 1)
        if start > period.end:
            return out
        out.append((f"{names[q]} {y}", max(start, period.start), min(end, period.end)))
        y, q = (y + 1, 0) if q == 3 else (y, q + 1)


def compute(facts: Iterable[CaseFact], cal: WorkingDayCalendar, ts: Timescales, period: Period, as_at: date,
            *, agency_names: dict[str, str] | None = None, partnership: str = "") -> Oversight:
    """Every figure for the period. `as_at` is the day the report describes (the period's end, or today if
    that is earlier): it decides which actions and returns are overdue."""
    names = agency_names or {}
    ours = [f for f in facts if not f.led_elsewhere]
    wd = "working days (Monday to Friday, not an England and Wales bank holiday)"
    figs: list[Figure] = []

    def add(section: str, key: str, label: str, value, definition: str) -> None:  # noqa: ANN001
        figs.append(Figure(section, key, label, value, definition))

    # -- activity ----------------------------------------------------------------------------------------
    act = "Activity"
    national = [f for f in ours for on, outcome in f.panel_responses
                if outcome == "NATIONAL_REVIEW_COMMISSIONED" and period.holds(on)]
    add(act, "referrals", "Referrals", sum(period.holds(f.opened_on) for f in ours),
        "Cases opened in the bot in the period (by the day the case was opened).")
    add(act, "sins", "Serious incident notifications (SINs)", sum(period.holds(f.sin_submitted_on) for f in ours),
        "Cases whose SIN was sent to the Panel in the period (by the recorded SIN date).")
    add(act, "notification_only", "Notification-only cases",
        sum(f.kind in NOTIFICATION_ONLY_KINDS and f.sin_submitted_on is None and period.holds(f.sos_notified_on)
            for f in ours),
        "Deaths of a looked-after child or care leaver notified to the Secretary of State and Ofsted in the period, "
        "with no SIN (no rapid review).")
    add(act, "rapid_reviews", "Rapid reviews sent to the Panel",
        sum(period.holds(f.first_submitted_on) for f in ours if f.track == "rapid_review"),
        "Rapid reviews first sent to the Panel in the period.")
    add(act, "local_reviews", "Local reviews", sum(f.track == "local_review" and period.holds(f.triaged_on) for f in ours),
        "Referrals the SPRG triaged to a local review in the period.")
    add(act, "lcsprs_decided", "LCSPRs decided", sum(period.holds(f.lcspr_decided_on) for f in ours),
        "Cases where the partners decided in the period to start a local child safeguarding practice review.")
    add(act, "lcsprs_published", "LCSPRs published", sum(period.holds(f.lcspr_published_on) for f in ours),
        "LCSPRs published in the period.")
    add(act, "national_reviews", "National reviews commissioned", len({f.code for f in national}),
        "Cases where the Panel's response received in the period commissioned a national review.")
    led = sum(f.led_elsewhere and period.holds(f.opened_on) for f in facts)
    add(act, "contributing", "Contributing to another partnership's review", led,
        "Cases opened in the period that another partnership leads; left out of every other figure.")

    # -- timeliness --------------------------------------------------------------------------------------
    tim = "Timeliness"
    cases: list[CaseLine] = []
    sin, rr = Timeliness(), Timeliness()
    rr_days: list[int] = []
    for f in ours:
        if f.la_aware_on and period.holds(f.sin_submitted_on):
            due = sin_due(cal, ts, f.la_aware_on)
            late = cal.working_days_late(due, f.sin_submitted_on)
            sin.add(late)
            cases.append(CaseLine("sin", f.code, f.pseudonym, f.la_aware_on, due, f.sin_submitted_on,
                                  working_day_of(cal, f.la_aware_on, f.sin_submitted_on), late))
        sent = f.first_submitted_on
        if f.track == "rapid_review" and f.sin_submitted_on and period.holds(sent):
            due = rapid_review_due(cal, ts, f.sin_submitted_on)
            late = cal.working_days_late(due, sent)
            rr.add(late)
            day = working_day_of(cal, f.sin_submitted_on, sent)
            rr_days.append(day)
            cases.append(CaseLine("rapid_review", f.code, f.pseudonym, f.sin_submitted_on, due, sent, day, late))
    _timeliness(add, tim, "sin", "SINs", f"sent within {ts.sin_working_days} working days", sin,
                f"SINs sent in the period whose awareness date is recorded, against the due date "
                f"{ts.sin_working_days} {wd} after the council became aware (the awareness day is day "
                f"{'1' if cal.count_anchor_as_day_one else '0'}). Late = working days after the due date.")
    _timeliness(add, tim, "rapid_review", "Rapid reviews", f"sent within {ts.rapid_review_working_days} working days", rr,
                f"Rapid reviews first sent to the Panel in the period, against the due date "
                f"{ts.rapid_review_working_days} {wd} after the SIN was sent. Late = working days after the due date.")

    approval, panel = Duration(), Duration()
    for f in ours:
        if f.first_report_on and period.holds(f.approved_on):
            approval.days.append(working_day_of(cal, f.first_report_on, f.approved_on))
        for on, _outcome in f.panel_responses:
            before = [d for d in f.submissions if d <= on]
            if period.holds(on) and before:
                panel.days.append(working_day_of(cal, before[-1], on))
    add(tim, "approval_n", "Reports approved by all three partners", len(approval.days),
        "Rapid reviews whose version first sent to the Panel had its last executive approval in the period.")
    add(tim, "approval_median", "Executive approval: median working days", approval.median,
        "Working days from the report's first version being sent to the executive leads to the last of the three "
        "approvals of the version that went to the Panel (disagreements and new versions included).")
    add(tim, "approval_worst", "Executive approval: longest (working days)", approval.worst, "As above, the longest.")
    add(tim, "panel_n", "Panel responses received", len(panel.days),
        "Responses from the Panel recorded in the period (each response counts, after a resubmission too).")
    add(tim, "panel_median", "Panel response: median working days", panel.median,
        "Working days from the submission to the Panel to its response (the date on the Panel's letter).")
    add(tim, "panel_worst", "Panel response: longest (working days)", panel.worst, "As above, the longest.")

    pub = Timeliness()
    for f in ours:
        if f.lcspr_decided_on and period.holds(f.lcspr_published_on):
            due = lcspr_publication_due(cal, ts, f.lcspr_decided_on).date
            late = cal.working_days_late(due, f.lcspr_published_on)
            pub.add(late)
            cases.append(CaseLine("lcspr_publication", f.code, f.pseudonym, f.lcspr_decided_on, due,
                                  f.lcspr_published_on, working_day_of(cal, f.lcspr_decided_on, f.lcspr_published_on),
                                  late))
    _timeliness(add, tim, "lcspr", "LCSPRs", f"published within {ts.lcspr_publication_months} months", pub,
                f"LCSPRs published in the period, against the date {ts.lcspr_publication_months} calendar months after "
                "the decision to start the review (same day of the month, clamped to the month's end). "
                "Late = working days after that date.")
    planned = sum(period.holds(f.lcspr_published_on) and f.lcspr_publication_planned_on is not None for f in ours)
    add(tim, "panel_copy", f"Pre-publication copies {ts.panel_copy_working_days_before_publication} working days "
        "before publication", "not recorded",
        f"The bot reminds the Business Unit to send the Panel, the Secretary of State and Ofsted the report "
        f"{ts.panel_copy_working_days_before_publication} {wd} before the planned publication date ({planned} "
        "LCSPR(s) published in the period had a planned date), but it has no command to record the copy being "
        "sent, so whether it went on time cannot be counted from the store.")

    # -- agencies ----------------------------------------------------------------------------------------
    by_agency: dict[str, AgencyLine] = {}
    for f in ours:
        for a in f.agencies:
            if not period.holds(a.due_on):
                continue
            line = by_agency.setdefault(a.agency, AgencyLine(names.get(a.agency, a.agency)))
            line.requests += 1
            line.nil += a.nil
            if a.waived and a.returned_on is None:
                line.waived += 1
            elif a.returned_on is not None and a.returned_on <= as_at:
                late = cal.working_days_late(a.due_on, a.returned_on)
                if late:
                    line.late.append(late)
                else:
                    line.on_time += 1
            elif a.due_on < as_at:
                line.outstanding_overdue += 1
    agencies = sorted(by_agency.values(), key=lambda x: x.agency)
    add("Agency returns", "returns_requested", "Agency returns due in the period", sum(x.requests for x in agencies),
        "Requests for an agency's information whose due date fell in the period. On time = the return (or nil "
        "return) came on or before the due date; the percentage counts late returns and returns still missing after "
        "their due date against the agency, and leaves out waived requests. Agencies are named, people never.")

    # -- the Panel's outcomes and the executive leads ---------------------------------------------------
    outcomes = Counter(outcome for f in ours for on, outcome in f.panel_responses if period.holds(on))
    for outcome, label in OUTCOME_LABELS.items():
        add("Panel outcomes", f"outcome_{outcome.lower()}", label, outcomes.get(outcome, 0),
            "Responses from the Panel received in the period with this outcome.")
    add("Panel outcomes", "executive_disagreed", "Rapid reviews where an executive lead disagreed first",
        sum(period.holds(f.first_submitted_on) and f.disagreed_before_submission for f in ours),
        "Of the rapid reviews first sent to the Panel in the period, those where an executive lead disagreed with "
        "a version before the one that was sent.")

    # -- the action plan ---------------------------------------------------------------------------------
    by_owner: dict[str, ActionLine] = {}
    for f in ours:
        for a in f.actions:
            if a.added_on is not None and a.added_on > as_at:
                continue
            line = by_owner.setdefault(a.owner_agency, ActionLine(names.get(a.owner_agency, a.owner_agency)))
            if a.done_on is not None and a.done_on <= as_at:
                line.completed += 1
                line.completed_late += a.done_on > a.due_on
            elif a.due_on < as_at:
                line.overdue += 1
            else:
                line.open += 1
    actions = sorted(by_owner.values(), key=lambda x: x.agency)
    for key, label, attr in (("actions_open", "Actions open (not yet due)", "open"),
                             ("actions_overdue", "Actions overdue", "overdue"),
                             ("actions_completed", "Actions completed", "completed")):
        add("Action plan", key, label, sum(getattr(x, attr) for x in actions),
            f"Action plan items on the plan on {format_human(as_at)}: completed by then; overdue = not completed and "
            "due before then; open = not completed and not yet due.")
    add("Action plan", "learning_themes", "Learning themes", "not recorded",
        "Learning is written as free text in the report and the briefing, which this report never includes; "
        "the bot records no structured learning themes yet.")

    quarters = []
    for label, start, end in quarters_of(period):
        qs, qr = Timeliness(), Timeliness()
        for line in cases:
            if start <= line.done <= end:
                {"sin": qs, "rapid_review": qr}.get(line.measure, Timeliness()).add(line.late)
        quarters.append(Quarter(label, start, end, qs, qr))
    order = {"sin": 0, "rapid_review": 1, "lcspr_publication": 2}  # the lifecycle's order
    cases.sort(key=lambda c: (order[c.measure], c.done, c.code))
    return Oversight(partnership, period, as_at, figs, quarters, sorted(rr_days), agencies, actions,
                     {k: outcomes.get(k, 0) for k in OUTCOME_LABELS}, cases, ts.rapid_review_working_days)


def _timeliness(add, section: str, key: str, noun: str, within: str, t: Timeliness, definition: str) -> None:  # noqa: ANN001
    add(section, f"{key}_n", f"{noun} counted", t.n, definition)
    add(section, f"{key}_on_time", f"{noun} {within}", t.on_time, "Of those counted, on or before the due date.")
    add(section, f"{key}_on_time_pct", f"{noun} {within} (%)", t.pct, "On time as a percentage of those counted.")
    add(section, f"{key}_median_late", f"{noun}: median working days late", t.median_late,
        "The median of the late ones' working days after the due date (none when none was late).")
    add(section, f"{key}_worst_late", f"{noun}: most working days late", t.worst_late,
        "The latest one's working days after the due date.")
