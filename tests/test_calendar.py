"""Working days, London dates and deadlines: domain §4 and the dated acceptance scenarios of §6."""
from __future__ import annotations

import time as timer
from datetime import UTC, date, datetime, time, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import calendar as calendar_module
from bot.calendar import (
    LONDON,
    CalendarRangeError,
    MonthsLater,
    WorkingDayCalendar,
    at_london_time,
    calendar_from_env,
    format_human,
    london_date,
    parse_iso_date,
)
from bot.deadlines import compute_deadlines, deadline_lines, deadlines_json
from bot.partnership import ReminderPolicy, Timescales

CAL = WorkingDayCalendar()
DAY_ONE = WorkingDayCalendar(count_anchor_as_day_one=True)
TS, REMIND = Timescales(), ReminderPolicy()  # the domain's defaults


def d(text: str) -> date:
    """`Tue 29 Dec 2026` -> date, checking the weekday so a wrong literal in a test cannot pass unnoticed."""
    parsed = datetime.strptime(text, "%a %d %b %Y").date()
    assert format_human(parsed) == text, f"{text!r} is really {format_human(parsed)}"
    return parsed


# --- §4.3: the England and Wales bank holidays 2026-2028 ---------------------------------------------

BANK_HOLIDAYS_2026_2028 = [
    "Thu 1 Jan 2026", "Fri 3 Apr 2026", "Mon 6 Apr 2026", "Mon 4 May 2026", "Mon 25 May 2026",
    "Mon 31 Aug 2026", "Fri 25 Dec 2026", "Mon 28 Dec 2026",
    "Fri 1 Jan 2027", "Fri 26 Mar 2027", "Mon 29 Mar 2027", "Mon 3 May 2027", "Mon 31 May 2027",
    "Mon 30 Aug 2027", "Mon 27 Dec 2027", "Tue 28 Dec 2027",
    "Mon 3 Jan 2028", "Fri 14 Apr 2028", "Mon 17 Apr 2028", "Mon 1 May 2028", "Mon 29 May 2028",
    "Mon 28 Aug 2028", "Mon 25 Dec 2028", "Tue 26 Dec 2028",
]


@pytest.mark.parametrize("holiday", BANK_HOLIDAYS_2026_2028)
def test_every_bank_holiday_in_the_section_4_3_table_is_not_a_working_day(holiday):
    assert not CAL.is_working_day(d(holiday))


def test_the_weekday_closures_2026_to_2028_are_exactly_the_section_4_3_table():
    table = {d(h) for h in BANK_HOLIDAYS_2026_2028}
    day, closed_weekdays = date(2026, 1, 1), set()
    while day.year <= 2028:
        if day.weekday() < 5 and not CAL.is_working_day(day):
            closed_weekdays.add(day)
        day += timedelta(days=1)
    assert closed_weekdays == table


@pytest.mark.parametrize("working", [
    "Fri 2 Jan 2026",    # Scotland only
    "Tue 17 Mar 2026",   # St Patrick's Day: Northern Ireland only
    "Mon 13 Jul 2026",   # Battle of the Boyne (12 Jul is a Sunday): Northern Ireland only
    "Mon 3 Aug 2026",    # Scottish summer bank holiday
    "Mon 30 Nov 2026",   # St Andrew's Day: Scotland only
    "Thu 24 Dec 2026",   # Christmas Eve is not a bank holiday
    "Thu 31 Dec 2026",   # nor is New Year's Eve
    "Mon 4 Jan 2027",    # Scotland's 2 January substitute
    "Mon 12 Jul 2027",
    "Tue 4 Jan 2028",    # Scotland's second January substitute
])
def test_scotland_only_and_northern_ireland_only_days_and_the_eves_are_working_days(working):
    assert CAL.is_working_day(d(working))


def test_weekends_are_not_working_days():
    assert not CAL.is_working_day(d("Sat 19 Dec 2026"))
    assert not CAL.is_working_day(d("Sun 20 Dec 2026"))


# --- §6 acceptance scenarios ------------------------------------------------------------------------

def test_as01_aware_mon_14_dec_2026_sin_and_partners_due_mon_21_dec():
    deadlines = compute_deadlines(CAL, TS, REMIND, aware=d("Mon 14 Dec 2026"))
    assert deadlines == {"sin_due": d("Mon 21 Dec 2026"), "partners_informed_due": d("Mon 21 Dec 2026")}


def test_as02_aware_fri_18_dec_2026_sin_due_tue_29_dec_across_the_boxing_day_substitute():
    due = CAL.add_working_days(d("Fri 18 Dec 2026"), 5)
    assert due == d("Tue 29 Dec 2026")
    assert due != d("Mon 28 Dec 2026"), "the Boxing Day substitute was counted as a working day"
    assert due != d("Wed 23 Dec 2026"), "5 calendar days, not 5 working days"


def test_as04_easter_2026_sin_due_fri_10_apr_and_rr_due_fri_1_may():
    assert CAL.add_working_days(d("Wed 1 Apr 2026"), 5) == d("Fri 10 Apr 2026")
    assert CAL.add_working_days(d("Fri 10 Apr 2026"), 15) == d("Fri 1 May 2026")


def test_as07a_aware_on_sunday_before_the_spring_bank_holiday_sin_due_mon_1_jun_2026():
    assert CAL.add_working_days(d("Sun 24 May 2026"), 5) == d("Mon 1 Jun 2026")


def test_as07b_aware_on_saturday_sin_due_fri_5_jun_2026():
    assert CAL.add_working_days(d("Sat 30 May 2026"), 5) == d("Fri 5 Jun 2026")


def test_as08_late_sin_is_one_working_day_late_and_the_rr_clock_runs_from_actual_submission():
    deadlines = compute_deadlines(CAL, TS, REMIND, aware=d("Mon 2 Nov 2026"), sin_submitted=d("Tue 10 Nov 2026"))
    assert deadlines["sin_due"] == d("Mon 9 Nov 2026")
    assert deadlines["sin_late_working_days"] == 1
    assert deadlines["rapid_review_due"] == d("Tue 1 Dec 2026")
    # Mon 30 Nov is what counting from the SIN due date would give: the wrong anchor.
    assert CAL.add_working_days(d("Mon 9 Nov 2026"), 15) == d("Mon 30 Nov 2026")
    assert deadlines["rapid_review_due"] != d("Mon 30 Nov 2026")
    assert "SIN submitted 1 working day late" in deadline_lines(deadlines)


def test_as10_agency_returns_due_wd8_thu_17_sep_rr_due_mon_28_sep_reminder_tue_15_sep():
    submitted = d("Mon 7 Sep 2026")
    returns_due = CAL.add_working_days(submitted, 8)
    assert returns_due == d("Thu 17 Sep 2026")
    assert CAL.add_working_days(submitted, 15) == d("Mon 28 Sep 2026")
    assert CAL.working_days_before(returns_due, 2) == d("Tue 15 Sep 2026")
    assert CAL.next_working_day(returns_due) == d("Fri 18 Sep 2026")  # the school is flagged OVERDUE
    assert CAL.working_days_late(returns_due, d("Mon 21 Sep 2026")) == 2


def test_as13_after_a_disagreement_on_thu_24_sep_only_fri_25_and_mon_28_sep_remain():
    disagreed, rr_due = d("Thu 24 Sep 2026"), d("Mon 28 Sep 2026")
    assert CAL.working_days_late(disagreed, rr_due) == 2
    assert CAL.next_working_day(disagreed) == d("Fri 25 Sep 2026")
    assert CAL.next_working_day(d("Fri 25 Sep 2026")) == rr_due


def test_as14_chase_the_panel_15_working_days_after_fri_15_jan_2027_is_fri_5_feb():
    assert CAL.add_working_days(d("Fri 15 Jan 2027"), 15) == d("Fri 5 Feb 2027")


# --- counting conventions (§4.2 rule 2 and §7.2 item 7) ---------------------------------------------

def test_zero_working_days_is_the_anchor_itself():
    assert CAL.add_working_days(d("Sat 19 Dec 2026"), 0) == d("Sat 19 Dec 2026")
    assert DAY_ONE.add_working_days(d("Fri 18 Dec 2026"), 0) == d("Fri 18 Dec 2026")


def test_counting_the_anchor_as_day_one_makes_deadlines_one_working_day_earlier_from_a_working_day():
    assert not CAL.count_anchor_as_day_one and DAY_ONE.count_anchor_as_day_one
    assert DAY_ONE.add_working_days(d("Mon 14 Dec 2026"), 5) == d("Fri 18 Dec 2026")
    assert DAY_ONE.add_working_days(d("Fri 18 Dec 2026"), 5) == d("Thu 24 Dec 2026")
    assert DAY_ONE.add_working_days(d("Fri 18 Dec 2026"), 1) == d("Fri 18 Dec 2026")


def test_counting_the_anchor_as_day_one_changes_nothing_when_the_anchor_is_not_a_working_day():
    assert DAY_ONE.add_working_days(d("Sun 24 May 2026"), 5) == d("Mon 1 Jun 2026")
    assert DAY_ONE.add_working_days(d("Mon 25 May 2026"), 5) == d("Mon 1 Jun 2026")  # bank holiday
    assert DAY_ONE.add_working_days(d("Sat 30 May 2026"), 5) == d("Fri 5 Jun 2026")


def test_deadlines_follow_the_day_one_convention_too():
    deadlines = compute_deadlines(DAY_ONE, TS, REMIND, aware=d("Mon 2 Nov 2026"), sin_submitted=d("Tue 10 Nov 2026"))
    assert deadlines["sin_due"] == d("Fri 6 Nov 2026")
    assert deadlines["sin_late_working_days"] == 2
    assert deadlines["rapid_review_due"] == d("Mon 30 Nov 2026")


def test_negative_working_days_are_refused():
    with pytest.raises(ValueError):
        CAL.add_working_days(d("Fri 18 Dec 2026"), -1)
    with pytest.raises(ValueError):
        CAL.working_days_before(d("Fri 18 Dec 2026"), -1)


# --- "N working days before" (§4.2 rule 5) and lateness ---------------------------------------------

def test_the_panel_copy_is_due_the_7th_working_day_strictly_before_publication():
    assert CAL.working_days_before(d("Fri 26 Feb 2027"), 7) == d("Wed 17 Feb 2027")
    deadlines = compute_deadlines(CAL, TS, REMIND, publication_planned=d("Fri 26 Feb 2027"))
    assert deadlines == {"panel_copy_due": d("Wed 17 Feb 2027")}


def test_working_days_before_skips_christmas_and_weekends():
    assert CAL.working_days_before(d("Tue 29 Dec 2026"), 1) == d("Thu 24 Dec 2026")
    assert CAL.working_days_before(d("Tue 29 Dec 2026"), 2) == d("Wed 23 Dec 2026")
    assert CAL.working_days_before(d("Sun 28 Feb 2027"), 1) == d("Fri 26 Feb 2027")
    assert CAL.working_days_before(d("Mon 4 Jan 2027"), 3) == d("Tue 29 Dec 2026")  # across the year end


def test_lateness_counts_working_days_after_the_due_date_up_to_and_including_the_day_done():
    due = d("Thu 24 Dec 2026")
    assert CAL.working_days_late(due, due) == 0
    assert CAL.working_days_late(due, d("Mon 21 Dec 2026")) == 0
    assert CAL.working_days_late(due, d("Mon 28 Dec 2026")) == 0  # bank holiday: no working day yet
    assert CAL.working_days_late(due, d("Mon 4 Jan 2027")) == 4  # 29, 30, 31 Dec and 4 Jan


# --- calendar months (§4.2 rule 4) ------------------------------------------------------------------

def test_six_months_after_31_aug_2026_clamps_to_sun_28_feb_2027_with_a_warning():
    later = CAL.add_calendar_months(d("Mon 31 Aug 2026"), 6)
    assert later == MonthsLater(
        date=d("Sun 28 Feb 2027"),
        is_working_day=False,
        last_working_day_before=d("Fri 26 Feb 2027"),
        warning="Sun 28 Feb 2027 is not a working day; the last working day before it is Fri 26 Feb 2027",
    )


def test_six_months_after_31_aug_2027_clamps_to_tue_29_feb_2028_in_a_leap_year_without_warning():
    later = CAL.add_calendar_months(d("Tue 31 Aug 2027"), 6)
    assert later == MonthsLater(d("Tue 29 Feb 2028"), True, None, None)


def test_six_months_landing_on_christmas_day_warns_with_christmas_eve():
    later = CAL.add_calendar_months(d("Thu 25 Jun 2026"), 6)
    assert later.date == d("Fri 25 Dec 2026")
    assert later.last_working_day_before == d("Thu 24 Dec 2026")


def test_lcspr_publication_deadline_and_warning_in_the_deadline_set():
    deadlines = compute_deadlines(CAL, TS, REMIND, lcspr_decided=d("Mon 31 Aug 2026"))
    assert set(deadlines) == {"lcspr_publication_due", "lcspr_publication_warning"}
    assert deadlines["lcspr_publication_due"] == d("Sun 28 Feb 2027")
    assert set(compute_deadlines(CAL, TS, REMIND, lcspr_decided=d("Tue 31 Aug 2027"))) == {"lcspr_publication_due"}


# --- London time (§4.2 rules 3 and 8) ---------------------------------------------------------------

def test_an_event_at_2330_london_on_fri_18_dec_2026_is_dated_18_dec():
    assert london_date(datetime(2026, 12, 18, 23, 30, tzinfo=LONDON)) == d("Fri 18 Dec 2026")
    assert london_date(datetime(2026, 12, 18, 23, 30, tzinfo=UTC)) == d("Fri 18 Dec 2026")


def test_london_date_in_summer_time_uses_bst():
    assert london_date(datetime(2026, 6, 18, 22, 30, tzinfo=UTC)) == d("Thu 18 Jun 2026")  # 23:30 BST
    assert london_date(datetime(2026, 6, 18, 23, 30, tzinfo=UTC)) == d("Fri 19 Jun 2026")  # 00:30 BST


def test_a_naive_instant_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        london_date(datetime(2026, 12, 18, 23, 30))


def test_nine_oclock_london_is_0900z_in_winter_and_0800z_in_summer():
    assert at_london_time(d("Fri 27 Mar 2026")) == datetime(2026, 3, 27, 9, 0, tzinfo=UTC)
    assert at_london_time(d("Mon 30 Mar 2026")) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert at_london_time(d("Fri 23 Oct 2026")) == datetime(2026, 10, 23, 8, 0, tzinfo=UTC)
    assert at_london_time(d("Mon 26 Oct 2026")) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    assert at_london_time(d("Mon 26 Oct 2026"), time(17, 30)).tzinfo is UTC


def test_rapid_review_reminders_stay_at_0900_london_across_the_start_of_bst_on_29_mar_2026():
    deadlines = compute_deadlines(CAL, TS, REMIND, sin_submitted=d("Tue 10 Mar 2026"))
    assert deadlines["rapid_review_due"] == d("Tue 31 Mar 2026")
    assert deadlines["rapid_review_reminders"] == [
        {"kind": "rapid_review_due_in_3_wd", "at": datetime(2026, 3, 26, 9, 0, tzinfo=UTC)},
        {"kind": "rapid_review_due_in_1_wd", "at": datetime(2026, 3, 30, 8, 0, tzinfo=UTC)},
        {"kind": "rapid_review_due_today", "at": datetime(2026, 3, 31, 8, 0, tzinfo=UTC)},
    ]
    assert [r["at"] for r in deadlines_json(deadlines)["rapid_review_reminders"]] == [
        "2026-03-26T09:00:00+00:00", "2026-03-30T09:00:00+01:00", "2026-03-31T09:00:00+01:00",
    ]


def test_rapid_review_reminders_stay_at_0900_london_across_the_end_of_bst_on_25_oct_2026():
    deadlines = compute_deadlines(CAL, TS, REMIND, sin_submitted=d("Tue 6 Oct 2026"))
    assert deadlines["rapid_review_due"] == d("Tue 27 Oct 2026")
    assert [r["at"] for r in deadlines["rapid_review_reminders"]] == [
        datetime(2026, 10, 22, 8, 0, tzinfo=UTC),
        datetime(2026, 10, 26, 9, 0, tzinfo=UTC),
        datetime(2026, 10, 27, 9, 0, tzinfo=UTC),
    ]
    assert [r["at"] for r in deadlines_json(deadlines)["rapid_review_reminders"]] == [
        "2026-10-22T09:00:00+01:00", "2026-10-26T09:00:00+00:00", "2026-10-27T09:00:00+00:00",
    ]


def test_reminders_skip_christmas_and_fall_on_working_days():
    deadlines = compute_deadlines(CAL, TS, REMIND, sin_submitted=d("Wed 9 Dec 2026"))
    assert deadlines["rapid_review_due"] == d("Mon 4 Jan 2027")
    days = [london_date(r["at"]) for r in deadlines["rapid_review_reminders"]]
    assert days == [d("Tue 29 Dec 2026"), d("Thu 31 Dec 2026"), d("Mon 4 Jan 2027")]
    assert deadlines_json(deadlines)["rapid_review_reminders"][0]["at"] == "2026-12-29T09:00:00+00:00"


# --- human dates and strict ISO dates ---------------------------------------------------------------

def test_human_dates_look_like_tue_29_dec_2026_without_zero_padding():
    assert format_human(date(2026, 12, 29)) == "Tue 29 Dec 2026"
    assert format_human(date(2026, 5, 1)) == "Fri 1 May 2026"


def test_human_lines_for_a_full_deadline_set():
    lines = deadline_lines(compute_deadlines(CAL, TS, REMIND, aware=d("Fri 18 Dec 2026"), sin_submitted=d("Tue 29 Dec 2026")))
    assert lines[0] == "SIN due: Tue 29 Dec 2026"
    assert "SIN submitted on time" in lines
    assert any(line.startswith("Rapid review due: ") for line in lines)


@pytest.mark.parametrize("text", ["2026-13-45", "2026-02-30", "20261218", "2026-12-1", "18/12/2026", " 2026-12-18", ""])
def test_only_strict_yyyy_mm_dd_dates_parse(text):
    with pytest.raises(ValueError):
        parse_iso_date(text)


# --- holiday data: range, caching and the override file (§4.2 rule 7) -------------------------------

def test_a_year_after_the_range_fails_loudly():
    with pytest.raises(CalendarRangeError, match="2041"):
        CAL.add_working_days(date(2040, 12, 28), 5)
    with pytest.raises(CalendarRangeError, match="2041"):
        CAL.is_working_day(date(2041, 1, 2))


def test_a_year_before_the_range_fails_loudly():
    with pytest.raises(CalendarRangeError, match="2014"):
        CAL.working_days_before(date(2015, 1, 5), 5)
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(date(2014, 6, 1), 0)


def test_a_narrow_range_is_enforced_and_the_error_is_a_value_error():
    cal = WorkingDayCalendar(first_year=2026, last_year=2026)
    assert cal.add_working_days(d("Fri 18 Dec 2026"), 5) == d("Tue 29 Dec 2026")
    with pytest.raises(ValueError, match="2026-2026"):
        cal.add_working_days(d("Fri 18 Dec 2026"), 15)


def test_a_year_without_holiday_data_is_never_treated_as_holiday_free(monkeypatch):
    monkeypatch.setattr(calendar_module.holidays, "country_holidays", lambda *a, **kw: {})
    calendar_module._england_and_wales_bank_holidays.cache_clear()
    try:
        with pytest.raises(CalendarRangeError, match="no bank holiday data"):
            WorkingDayCalendar().is_working_day(date(2030, 6, 3))
    finally:
        calendar_module._england_and_wales_bank_holidays.cache_clear()


def test_holiday_data_is_built_once_per_year_however_many_deadlines_are_computed(monkeypatch):
    calls = []
    real = holidays.country_holidays

    def counting(*args, **kwargs):
        calls.append(kwargs.get("years"))
        return real(*args, **kwargs)

    monkeypatch.setattr(calendar_module.holidays, "country_holidays", counting)
    calendar_module._england_and_wales_bank_holidays.cache_clear()
    try:
        started = timer.perf_counter()
        cal = WorkingDayCalendar()
        anchor = date(2026, 1, 1)
        for i in range(5000):
            cal.add_working_days(anchor + timedelta(days=i % 700), 1 + i % 20)
        elapsed = timer.perf_counter() - started
    finally:
        calendar_module._england_and_wales_bank_holidays.cache_clear()
    assert sorted(calls) == [2026, 2027]
    assert elapsed < 2.0  # typically a few milliseconds


def test_an_override_file_adds_a_one_off_bank_holiday_and_moves_a_deadline(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text('holidays:\n  - {date: 2027-06-04, name: "Example one-off bank holiday"}\n')
    assert CAL.add_working_days(d("Fri 28 May 2027"), 5) == d("Mon 7 Jun 2027")
    cal = WorkingDayCalendar.from_override_file(path)
    assert not cal.is_working_day(d("Fri 4 Jun 2027"))
    assert cal.add_working_days(d("Fri 28 May 2027"), 5) == d("Tue 8 Jun 2027")


def test_an_override_file_may_be_a_plain_list_of_dates_and_keeps_the_other_options(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("- 2027-06-04\n- '2027-06-07'\n")
    cal = WorkingDayCalendar.from_override_file(path, count_anchor_as_day_one=True)
    assert cal.extra_holidays == {date(2027, 6, 4), date(2027, 6, 7)}
    assert cal.count_anchor_as_day_one


@pytest.mark.parametrize("content, bad", [
    ("holidays:\n  - {date: 2027-06-04}\n  - {date: 2027-06-31}\n", "2027-06-31"),
    ("- 2027-06-04\n- 4/6/2027\n", "4/6/2027"),
    ("holidays:\n  - {name: no date}\n", "no date"),
])
def test_a_bad_override_file_names_the_bad_entry(tmp_path, content, bad):
    path = tmp_path / "holidays.yaml"
    path.write_text(content)
    with pytest.raises(ValueError, match="entry") as error:
        WorkingDayCalendar.from_override_file(path)
    assert bad in str(error.value) and "2027-06-04" in str(error.value)


@pytest.mark.parametrize("content", ["holidays: 2027-06-04\n", "other: [2027-06-04]\n", "holidays: [\n"])
def test_an_override_file_of_the_wrong_shape_is_refused(tmp_path, content):
    path = tmp_path / "holidays.yaml"
    path.write_text(content)
    with pytest.raises(ValueError, match="holidays file"):
        WorkingDayCalendar.from_override_file(path)


def test_a_missing_override_file_is_a_value_error(tmp_path):
    with pytest.raises(ValueError, match="cannot read"):
        WorkingDayCalendar.from_override_file(tmp_path / "absent.yaml")


def test_the_calendar_from_the_environment_uses_the_override_file_when_one_is_named(tmp_path):
    path = tmp_path / "holidays.yaml"
    path.write_text("- 2027-06-04\n")
    assert calendar_from_env({}).is_working_day(d("Fri 4 Jun 2027"))
    cal = calendar_from_env({"RAPIDREVIEW_HOLIDAYS_FILE": str(path)})
    assert not cal.is_working_day(d("Fri 4 Jun 2027"))


# --- properties -------------------------------------------------------------------------------------

anchors = st.dates(min_value=date(2016, 1, 1), max_value=date(2038, 12, 31))
counts = st.integers(min_value=0, max_value=60)
positive_counts = st.integers(min_value=1, max_value=60)
calendars = st.sampled_from([CAL, DAY_ONE])
ORACLE = holidays.country_holidays("GB", subdiv="ENG", years=range(2016, 2041))


def oracle_add(anchor: date, n: int) -> date:
    """Day by day from the `holidays` package directly: an independent reference for the default convention."""
    day = anchor
    while n:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in ORACLE:
            n -= 1
    return day


@given(anchors, counts)
def test_property_add_working_days_agrees_with_a_day_by_day_reference(anchor, n):
    assert CAL.add_working_days(anchor, n) == oracle_add(anchor, n)


@given(calendars, anchors, positive_counts)
def test_property_a_deadline_is_always_a_working_day(cal, anchor, n):
    assert cal.is_working_day(cal.add_working_days(anchor, n))


@given(anchors, positive_counts)
def test_property_a_deadline_is_strictly_after_its_anchor(anchor, n):
    assert CAL.add_working_days(anchor, n) > anchor


@given(calendars, anchors, anchors, counts)
def test_property_a_later_anchor_never_gives_an_earlier_deadline(cal, a, b, n):
    first, second = sorted((a, b))
    assert cal.add_working_days(first, n) <= cal.add_working_days(second, n)


@given(anchors, st.integers(min_value=1, max_value=30))
def test_property_n_working_days_are_n_single_steps(anchor, n):
    stepped = anchor
    for _ in range(n):
        stepped = CAL.add_working_days(stepped, 1)
    assert CAL.add_working_days(anchor, n) == stepped


@given(anchors, positive_counts)
def test_property_going_back_from_a_deadline_lands_on_the_anchor_or_the_working_day_before_it(anchor, n):
    back = CAL.working_days_before(CAL.add_working_days(anchor, n), n)
    expected = anchor if CAL.is_working_day(anchor) else CAL.working_days_before(anchor, 1)
    assert back == expected


@given(anchors, positive_counts)
def test_property_going_forward_from_a_latest_date_lands_on_the_target_or_the_next_working_day(target, n):
    forward = CAL.add_working_days(CAL.working_days_before(target, n), n)
    assert forward == (target if CAL.is_working_day(target) else CAL.next_working_day(target))


@given(anchors, counts)
def test_property_lateness_of_the_nth_working_day_after_a_date_is_n(anchor, n):
    assert CAL.working_days_late(anchor, CAL.add_working_days(anchor, n)) == n


@given(anchors, positive_counts)
def test_property_day_one_is_one_working_day_earlier_exactly_when_the_anchor_is_a_working_day(anchor, n):
    day_zero = CAL.add_working_days(anchor, n)
    day_one = DAY_ONE.add_working_days(anchor, n)
    if CAL.is_working_day(anchor):
        assert day_one == CAL.working_days_before(day_zero, 1)
    else:
        assert day_one == day_zero


@settings(max_examples=200)
@given(anchors, st.integers(min_value=0, max_value=24))
def test_property_calendar_months_clamp_and_warn_only_on_non_working_days(anchor, months):
    later = CAL.add_calendar_months(anchor, months)
    assert (later.date.year * 12 + later.date.month) - (anchor.year * 12 + anchor.month) == months
    assert later.date.day == anchor.day or later.date.day < anchor.day and (later.date + timedelta(days=1)).day == 1
    assert later.is_working_day == CAL.is_working_day(later.date)
    assert (later.warning is None) == later.is_working_day == (later.last_working_day_before is None)
    if not later.is_working_day:
        assert later.last_working_day_before == CAL.working_days_before(later.date, 1)
