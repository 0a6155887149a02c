"""The oversight figures, computed from a scripted year of cases whose answers were worked out by hand
(tests/oversight_cases.py), on SQLite and on PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.oversight import oversight
from bot.oversight.figures import Period, quarters_of
from tests.oversight_cases import scripted_year

Y2026 = Period(date(2026, 1, 1), date(2026, 12, 31))
Y2027 = Period(date(2027, 1, 1), date(2027, 12, 31))


@pytest.fixture
async def year(core, clock):
    return await scripted_year(core, clock)


async def _figures(core, period: Period, today: date = date(2027, 12, 31)):  # noqa: ANN001
    return await oversight(core.db, core.partnership, core.calendar, period, today)


async def test_activity_counts_in_each_year(core, year):
    v26 = (await _figures(core, Y2026)).values
    assert {k: v26[k] for k in ("referrals", "sins", "notification_only", "rapid_reviews", "local_reviews",
                                "lcsprs_decided", "lcsprs_published", "national_reviews", "contributing")} == {
        "referrals": 4, "sins": 2, "notification_only": 1, "rapid_reviews": 1, "local_reviews": 1,
        "lcsprs_decided": 1, "lcsprs_published": 0, "national_reviews": 0, "contributing": 0}
    v27 = (await _figures(core, Y2027)).values
    # Child P's referral was in December 2026; its SIN and its rapid review went in January 2027.
    assert (v27["referrals"], v27["sins"], v27["rapid_reviews"], v27["lcsprs_published"]) == (0, 1, 1, 1)


async def test_sin_timeliness_uses_the_corrected_awareness_date_across_a_bank_holiday(core, year):
    o = await _figures(core, Y2026)
    v = o.values
    # Child A: corrected to aware Thu 27 Aug → due Fri 4 Sep (Mon 31 Aug is a bank holiday), sent Mon 7 Sep.
    # Child L: aware Tue 1 Sep → due Tue 8 Sep, sent Mon 7 Sep.
    assert (v["sin_n"], v["sin_on_time"], v["sin_on_time_pct"], v["sin_median_late"], v["sin_worst_late"]) == (
        2, 1, 50.0, 1.0, 1)
    a = next(c for c in o.cases if c.measure == "sin" and c.pseudonym == "Child A")
    assert (a.anchor, a.due, a.done, a.late, a.working_day) == (
        date(2026, 8, 27), date(2026, 9, 4), date(2026, 9, 7), 1, 6)


async def test_sin_across_the_year_boundary_counts_in_the_year_it_was_sent(core, year):
    v = (await _figures(core, Y2027)).values
    # Due Tue 29 Dec 2026, sent Mon 4 Jan 2027: 30 and 31 Dec and 4 Jan (1 Jan is a bank holiday).
    assert (v["sin_n"], v["sin_on_time"], v["sin_median_late"], v["sin_worst_late"]) == (1, 0, 3.0, 3)


async def test_rapid_review_timeliness_and_distribution(core, year):
    o26, o27 = await _figures(core, Y2026), await _figures(core, Y2027)
    assert (o26.values["rapid_review_n"], o26.values["rapid_review_on_time_pct"]) == (1, 100.0)
    assert o26.rr_working_days == [15]
    assert (o27.values["rapid_review_on_time"], o27.values["rapid_review_worst_late"]) == (0, 2)
    assert o27.rr_working_days == [17]
    both = await _figures(core, Period(date(2026, 1, 1), date(2027, 12, 31)))
    assert (both.values["rapid_review_n"], both.values["rapid_review_on_time_pct"]) == (2, 50.0)


async def test_executive_approval_and_panel_response_times(core, year):
    v26, v27 = (await _figures(core, Y2026)).values, (await _figures(core, Y2027)).values
    # Child A: v1 Mon 21 Sep, the last approval of v2 Fri 25 Sep → working day 4; the Panel: 28 Sep → 12 Oct = 10.
    assert (v26["approval_n"], v26["approval_median"], v26["approval_worst"]) == (1, 4.0, 4)
    assert (v26["panel_n"], v26["panel_median"], v26["panel_worst"]) == (1, 10.0, 10)
    # Child P: report Wed 20 Jan 2027, approved Fri 22 Jan → 2; no Panel response yet.
    assert (v27["approval_median"], v27["panel_n"]) == (2.0, 0)


async def test_lcspr_publication_against_six_months(core, year):
    v = (await _figures(core, Y2027)).values
    # Decided Wed 14 Oct 2026 → due Wed 14 Apr 2027; published Tue 20 Apr: 15, 16, 19, 20 Apr = 4 late.
    assert (v["lcspr_n"], v["lcspr_on_time"], v["lcspr_worst_late"]) == (1, 0, 4)
    assert v["panel_copy"] == "not recorded"


async def test_agency_returns_per_agency(core, year):
    o26, o27 = await _figures(core, Y2026), await _figures(core, Y2027)
    lines = {a.agency: a for a in o26.agencies}
    police, health, education = (lines["North Yorkshire Police"], lines["NHS Foundation Trust (community health)"],
                                 lines["Education (school)"])
    assert (police.requests, police.on_time, police.late, police.pct) == (1, 1, [], 100.0)
    assert (health.nil, health.on_time, health.pct) == (1, 1, 100.0)
    assert (education.waived, education.counted, education.pct) == (1, 0, None)
    (police27,) = o27.agencies
    assert (police27.on_time, police27.late, police27.pct, police27.median_late) == (0, [4], 0.0, 4.0)


async def test_outstanding_return_counts_against_the_agency_once_overdue(core, clock):
    from tests.driver import Driver

    d = Driver(core, clock).on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child Q" aware=2026-09-01 sin=2026-09-07')
    await d.ok("sprg_chair", "triage notifiable")
    await d.ok("bu_officer", "request police")  # due Thu 17 Sep
    period = Period(date(2026, 9, 1), date(2026, 9, 30))
    before = (await _figures(core, period, today=date(2026, 9, 17))).agencies[0]
    after = (await _figures(core, period, today=date(2026, 9, 18))).agencies[0]
    assert (before.outstanding_overdue, before.pct) == (0, None)
    assert (after.outstanding_overdue, after.pct) == (1, 0.0)


async def test_panel_outcomes_and_executive_disagreement(core, year):
    o = await _figures(core, Y2026)
    assert o.outcomes["AGREES"] == 1 and sum(o.outcomes.values()) == 1
    assert o.values["executive_disagreed"] == 1
    assert (await _figures(core, Y2027)).values["executive_disagreed"] == 0


async def test_action_plan_by_agency_as_at_the_period_end(core, year):
    o = await _figures(core, Y2026)
    by = {a.agency: (a.completed, a.open, a.overdue) for a in o.actions}
    assert by == {"Education (school)": (1, 0, 0), "North Yorkshire Police": (0, 0, 1),
                  "NHS Foundation Trust (community health)": (0, 1, 0)}
    assert (o.values["actions_completed"], o.values["actions_open"], o.values["actions_overdue"]) == (1, 1, 1)
    assert o.values["learning_themes"] == "not recorded"
    # As at the end of September no action had been added yet.
    early = await _figures(core, Period(date(2026, 1, 1), date(2026, 9, 30)))
    assert early.actions == []


async def test_quarters_split_timeliness(core, year):
    o = await _figures(core, Y2026)
    q = {x.label: (x.sin.n, x.sin.on_time, x.rapid_review.n) for x in o.quarters}
    assert q == {"Jan–Mar 2026": (0, 0, 0), "Apr–Jun 2026": (0, 0, 0), "Jul–Sep 2026": (2, 1, 1),
                 "Oct–Dec 2026": (0, 0, 0)}


def test_quarters_are_clipped_to_a_financial_year():
    got = quarters_of(Period(date(2026, 4, 1), date(2027, 3, 31)))
    assert [x[0] for x in got] == ["Apr–Jun 2026", "Jul–Sep 2026", "Oct–Dec 2026", "Jan–Mar 2027"]
    assert quarters_of(Period(date(2026, 5, 10), date(2026, 5, 20))) == [
        ("Apr–Jun 2026", date(2026, 5, 10), date(2026, 5, 20))]


def test_every_figure_has_a_definition():
    from bot.oversight.figures import compute
    from bot.partnership import Timescales
    from bot.calendar import WorkingDayCalendar

    o = compute([], WorkingDayCalendar(), Timescales(), Y2026, date(2026, 12, 31))
    assert o.figures and all(f.definition and f.label for f in o.figures)
    assert len({f.key for f in o.figures}) == len(o.figures)


def test_a_period_that_ends_before_it_starts_is_refused():
    with pytest.raises(ValueError, match="ends"):
        Period(date(2026, 12, 31), date(2026, 1, 1))


@pytest.mark.parametrize("day_one", [False, True])
@pytest.mark.parametrize("anchor", [date(2026, 9, 7), date(2026, 12, 18), date(2026, 12, 26), date(2027, 3, 26)])
@pytest.mark.parametrize("n", [1, 5, 15])
def test_the_working_day_of_a_due_date_is_its_count_under_either_convention(day_one, anchor, n):
    """A step done on its due date is on working day n of n (the distribution chart's dashed line), whether the
    anchor is day 0 or day 1, and on a weekend or bank-holiday anchor (Sat 26 Dec 2026; Good Friday 2027)."""
    from bot.calendar import WorkingDayCalendar
    from bot.deadlines import working_day_of

    cal = WorkingDayCalendar(count_anchor_as_day_one=day_one)
    due = cal.add_working_days(anchor, n)
    assert working_day_of(cal, anchor, due) == n
    assert working_day_of(cal, anchor, cal.next_working_day(due)) == n + 1
    assert working_day_of(cal, anchor, anchor - timedelta(days=1)) == 0


def test_a_spreadsheet_never_runs_a_cell_as_a_formula():
    from bot.calendar import WorkingDayCalendar
    from bot.oversight.figures import CaseLine, compute
    from bot.oversight.render import to_csv
    from bot.partnership import Timescales

    o = compute([], WorkingDayCalendar(), Timescales(), Y2026, date(2026, 12, 31))
    o.cases.append(CaseLine("sin", "rr-2026-001", '=HYPERLINK("http://x","y")', date(2026, 9, 1), date(2026, 9, 8),
                            date(2026, 9, 8), 5, 0))
    row = next(line for line in to_csv(o).splitlines() if line.startswith("rr-2026-001"))
    assert row.split(",", 2)[1].startswith("\"'=HYPERLINK")


async def test_a_case_another_partnership_leads_is_left_out_but_counted_apart(core, clock):
    from tests.driver import Driver

    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child Y" aware=2026-12-18 lead="City of York"')
    await Driver(core, clock).on(date(2026, 12, 18)).ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-14')
    v = (await _figures(core, Y2026)).values
    assert (v["contributing"], v["referrals"]) == (1, 1)
