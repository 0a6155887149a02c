"""The oversight figures for a period, each with the definition a reader can check it against.

Pure computation over the facts of facts.py: every deadline and every count of working days comes from
the one deadline engine (bot/deadlines.py) with the partnership's calendar and timescales, so a figure
here always agrees with what the bot told the case channel at the time.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from bot.calendar import WorkingDayCalendar, format_human
from bot.deadlines import lcspr_publication_due, rapid_review_due, sin_due, working_day_of
from bot.oversight.facts import CaseFact
# The report's parts live in model.py; they are named here too, where callers have always found them.
from bot.oversight.model import (  # noqa: F401
    OUTCOME_LABELS, ActionLine, AgencyLine, CaseLine, Duration, Figure, Oversight, Period, Quarter,
    Timeliness)
from bot.partnership import Timescales

NOTIFICATION_ONLY_KINDS = ("lac_death", "care_leaver_death")
WORKING_DAYS = "working days (Monday to Friday, not an England and Wales bank holiday)"
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


@dataclass
class _Scope:
    """What every section of the computation reads, and the list of figures it adds to."""

    facts: list[CaseFact]
    cal: WorkingDayCalendar
    ts: Timescales
    period: Period
    as_at: date
    names: dict[str, str]
    figs: list[Figure] = field(default_factory=list)

    @property
    def ours(self) -> list[CaseFact]:
        return [f for f in self.facts if not f.led_elsewhere]

    def add(self, section: str, key: str, label: str, value, definition: str) -> None:  # noqa: ANN001
        self.figs.append(Figure(section, key, label, value, definition))


def compute(facts: Iterable[CaseFact], cal: WorkingDayCalendar, ts: Timescales, period: Period, as_at: date,
            *, agency_names: dict[str, str] | None = None, partnership: str = "") -> Oversight:
    """Every figure for the period. `as_at` is the day the report describes (the period's end, or today if
    that is earlier): it decides which actions and returns are overdue."""
    sc = _Scope(list(facts), cal, ts, period, as_at, agency_names or {})
    _activity(sc)
    cases, rr_days = _timeliness_figures(sc)
    agencies = _agency_returns(sc)
    outcomes = _panel(sc)
    actions = _action_plan(sc)
    quarters = _by_quarter(period, cases)
    order = {"sin": 0, "rapid_review": 1, "lcspr_publication": 2}  # the lifecycle's order
    cases.sort(key=lambda c: (order[c.measure], c.done, c.code))
    return Oversight(partnership, period, as_at, sc.figs, quarters, sorted(rr_days), agencies, actions,
                     {k: outcomes.get(k, 0) for k in OUTCOME_LABELS}, cases, ts.rapid_review_working_days)


def _activity(sc: _Scope) -> None:
    """Referrals, SINs, notification-only cases, rapid reviews, local reviews, LCSPRs and national reviews."""
    ours, facts, period, add = sc.ours, sc.facts, sc.period, sc.add
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



def _timeliness_figures(sc: _Scope) -> tuple[list[CaseLine], list[int]]:
    """Each clock against its due date; returns the cases' lines and the rapid reviews' working days."""
    ours, cal, ts, period, add = sc.ours, sc.cal, sc.ts, sc.period, sc.add
    wd = WORKING_DAYS
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

    return cases, rr_days


def _agency_returns(sc: _Scope) -> list[AgencyLine]:
    """Each agency's returns due in the period: on time, late, missing after the due date, nil, waived."""
    ours, cal, period, as_at, names, add = sc.ours, sc.cal, sc.period, sc.as_at, sc.names, sc.add
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

    return agencies


def _panel(sc: _Scope) -> Counter:
    """The Panel's responses in the period by outcome, and how often an executive lead disagreed first."""
    ours, period, add = sc.ours, sc.period, sc.add
    outcomes = Counter(outcome for f in ours for on, outcome in f.panel_responses if period.holds(on))
    for outcome, label in OUTCOME_LABELS.items():
        add("Panel outcomes", f"outcome_{outcome.lower()}", label, outcomes.get(outcome, 0),
            "Responses from the Panel received in the period with this outcome.")
    add("Panel outcomes", "executive_disagreed", "Rapid reviews where an executive lead disagreed first",
        sum(period.holds(f.first_submitted_on) and f.disagreed_before_submission for f in ours),
        "Of the rapid reviews first sent to the Panel in the period, those where an executive lead disagreed with "
        "a version before the one that was sent.")

    return outcomes


def _action_plan(sc: _Scope) -> list[ActionLine]:
    """The action plan by owning agency, as at the report's day."""
    ours, as_at, names, add = sc.ours, sc.as_at, sc.names, sc.add
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

    return actions


def _by_quarter(period: Period, cases: list[CaseLine]) -> list[Quarter]:
    """SINs and rapid reviews on time in each calendar quarter of the period."""
    quarters = []
    for label, start, end in quarters_of(period):
        qs, qr = Timeliness(), Timeliness()
        for line in cases:
            if start <= line.done <= end:
                {"sin": qs, "rapid_review": qr}.get(line.measure, Timeliness()).add(line.late)
        quarters.append(Quarter(label, start, end, qs, qr))
    return quarters


def _timeliness(add, section: str, key: str, noun: str, within: str, t: Timeliness, definition: str) -> None:  # noqa: ANN001
    add(section, f"{key}_n", f"{noun} counted", t.n, definition)
    add(section, f"{key}_on_time", f"{noun} {within}", t.on_time, "Of those counted, on or before the due date.")
    add(section, f"{key}_on_time_pct", f"{noun} {within} (%)", t.pct, "On time as a percentage of those counted.")
    add(section, f"{key}_median_late", f"{noun}: median working days late", t.median_late,
        "The median of the late ones' working days after the due date (none when none was late).")
    add(section, f"{key}_worst_late", f"{noun}: most working days late", t.worst_late,
        "The latest one's working days after the due date.")
