"""The clock that nags, ticked with a frozen "now" across the held weeks of the domain scenarios."""
from __future__ import annotations

import random
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.calendar import WorkingDayCalendar, at_london_time
from bot.context import Invocation
from bot.core import Core
from tests.fakes.platform import FakePlatform
from bot.outbox import Dispatcher
from bot.ports import DeliveryError
from bot.ticker import Ticker
from storage.models import OutboxEffect, Reminder
from tests.driver import Driver
from tests.scenarios import returns_in, to_gathering


@pytest.fixture
def ticker(db, partnership, calendar, dispatcher, clock):
    return Ticker(db, partnership, calendar, dispatcher, clock=clock)


def _days(start: date, end: date):
    d = start
    while d <= end:
        yield d
        d += timedelta(days=1)


async def _tick_days(ticker, clock, fake, start, end, at=time(9, 5)):  # noqa: ANN001
    """Tick once a day at `at` London time; return {day: [(member, kind, text)]} of reminder DMs received."""
    got: dict[date, list] = defaultdict(list)
    for day in _days(start, end):
        clock.on(day, at)
        before = len(fake.calls)
        await ticker.tick()
        for c in fake.calls[before:]:
            if c.method == "direct_message" and c.args["card"] == "reminder":
                got[day].append((c.args["member"], c.args["context"]["kind"], c.args["context"]["text"]))
    return got


async def test_as10_reminders_and_escalation_arrive_on_the_right_working_days(core, clock, ticker, fake):
    d = Driver(core, clock)
    await to_gathering(d)
    d.on(date(2026, 9, 9))
    await d.ok("lead_ambulance", "nil")
    got = await _tick_days(ticker, clock, fake, date(2026, 9, 7), date(2026, 9, 16))
    school = {day: [g for g in got[day] if g[0] == "lead_education"] for day in got}
    assert [day for day, g in school.items() if g] == [date(2026, 9, 15)]
    assert not any(g[0] == "lead_ambulance" for gs in got.values() for g in gs)
    got = await _tick_days(ticker, clock, fake, date(2026, 9, 17), date(2026, 9, 17))
    assert {g[0] for g in got[date(2026, 9, 17)]} == {"lead_education", "lead_police", "lead_health", "lead_social_care"}
    await returns_in(d, date(2026, 9, 17), "police,health,social_care")  # at 10:00, after the reminders
    got = await _tick_days(ticker, clock, fake, date(2026, 9, 18), date(2026, 9, 20))
    escalated = {g[0] for g in got[date(2026, 9, 18)]}
    # (the example Partnership Manager also holds the business_unit role)
    assert escalated == {"lead_education", "sprg_education", "bu_officer", "partnership_manager"}
    assert all("Education (school) return overdue (due Thu 17 Sep 2026)" in g[2] for g in got[date(2026, 9, 18)])
    assert not got[date(2026, 9, 19)] and not got[date(2026, 9, 20)]  # the weekend
    # Mon 21 Sep: the school submits before 09:00, so nothing stale is sent.
    d.on(date(2026, 9, 21), time(8, 30))
    await d.ok("lead_education", "return")
    got = await _tick_days(ticker, clock, fake, date(2026, 9, 21), date(2026, 9, 22))
    assert not [g for gs in got.values() for g in gs if "return" in g[1]]


async def test_christmas_2026_no_reminder_on_a_weekend_or_bank_holiday(core, clock, ticker, fake):
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    got = await _tick_days(ticker, clock, fake, date(2026, 12, 18), date(2027, 1, 6))
    days = sorted(day for day, g in got.items() if g)
    assert days[:2] == [date(2026, 12, 24), date(2026, 12, 29)]  # 1 WD before and on the SIN due date
    cal = WorkingDayCalendar()
    assert all(cal.is_working_day(day) for day in days)
    assert date(2026, 12, 28) not in days and date(2027, 1, 1) not in days


async def test_easter_2026_reminders_skip_good_friday_and_easter_monday(core, clock, ticker, fake):
    d = Driver(core, clock).on(date(2026, 4, 1))
    await d.ok("bu_officer", 'new pseudonym="Child E" aware=2026-04-01')
    got = await _tick_days(ticker, clock, fake, date(2026, 4, 1), date(2026, 4, 14))
    days = sorted(day for day, g in got.items() if g)
    assert days == [date(2026, 4, 9), date(2026, 4, 10), date(2026, 4, 13), date(2026, 4, 14)]


async def test_reminders_fire_at_nine_london_time_across_the_bst_change(core, clock, ticker, fake):
    # SIN sent Mon 5 Oct 2026 -> RR due Mon 26 Oct; 3 WD before = Wed 21 Oct (BST), due day after the change (GMT).
    d = Driver(core, clock).on(date(2026, 10, 5))
    await d.ok("bu_officer", 'new pseudonym="Child B" aware=2026-10-01 sin=2026-10-05')
    rr = await d.reminders("rapid_review_due")
    assert [r.due_at for r in rr] == [datetime(2026, 10, 21, 8, tzinfo=timezone.utc),
                                      datetime(2026, 10, 23, 8, tzinfo=timezone.utc),
                                      datetime(2026, 10, 26, 9, tzinfo=timezone.utc)]
    clock.now = datetime(2026, 10, 26, 8, 30, tzinfo=timezone.utc)  # 08:30 London (GMT): not yet
    await ticker.tick()
    assert (await d.reminders("rapid_review_due"))[-1].status == "pending"
    clock.now = datetime(2026, 10, 26, 9, 0, tzinfo=timezone.utc)
    await ticker.tick()
    assert (await d.reminders("rapid_review_due"))[-1].status == "sent"


async def test_a_daily_digest_is_posted_in_the_case_channel(core, clock, ticker, fake):
    d = Driver(core, clock)
    await to_gathering(d)
    clock.on(date(2026, 9, 18), time(9, 5))
    await ticker.tick()
    digests = [c for c in fake.of("post_card") if c.args["context"].get("text", "").startswith("Daily digest")]
    assert digests
    text = digests[-1].args["context"]["text"]
    assert "Late: " in text and "Education (school)" in text and "Rapid review to the Panel, Mon 28 Sep 2026" in text


async def test_done_snooze_and_not_mine(core, clock, ticker, fake, db):
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    await _tick_days(ticker, clock, fake, date(2026, 12, 24), date(2026, 12, 24))
    sent = [r for r in await d.reminders("sin_due") if r.status == "sent"][0]
    bu = core.partnership.member("bu_officer")
    inv = Invocation(platform="fake", platform_user=bu.slack_user_id, member=bu)
    r = await core.reminder_action(inv, sent.id, "snooze")
    assert r.ok and "Tue 29 Dec 2026" in r.text
    snoozed = await d.reminders("snoozed")
    assert snoozed[0].recipients == ["bu_officer"] and snoozed[0].due_at == at_london_time(date(2026, 12, 29), time(9))
    # A stranger to the reminder cannot act on it.
    lead = core.partnership.member("lead_police")
    r = await core.reminder_action(Invocation(platform="fake", platform_user="x", member=lead), sent.id, "done")
    assert not r.ok and (await d.audit("access_refused"))[-1].detail["command"] == "reminder done"
    # Not mine: the Partnership Manager's reminders of this kind route to the Business Unit.
    pm = core.partnership.member("partnership_manager")
    await d.ok("bu_officer", "informed")
    # Done: the Business Unit officer stops getting SIN reminders for this case.
    r = await core.reminder_action(inv, sent.id, "done")
    assert r.ok
    pending = [x for x in await d.reminders("sin_due") if x.status == "pending"]
    assert all("bu_officer" not in x.recipients for x in pending)
    # Once the SIN is recorded the snoozed one is dropped: nothing stale.
    d.on(date(2026, 12, 24), time(11))
    await d.ok("bu_officer", "sin 2026-12-24")
    assert not [x for x in await d.reminders("snoozed") if x.status == "pending"]


async def test_not_mine_routes_to_the_business_unit(core, clock, ticker, fake):
    d = Driver(core, clock)
    await to_gathering(d)
    await _tick_days(ticker, clock, fake, date(2026, 9, 15), date(2026, 9, 15))
    sent = [r for r in await d.reminders("agency_return") if r.subject == "health" and r.status == "sent"][0]
    lead = core.partnership.member("lead_health")
    r = await core.reminder_action(Invocation(platform="fake", platform_user="x", member=lead), sent.id, "not_mine")
    assert r.ok and "Business Unit" in r.text
    later = [x for x in await d.reminders() if x.subject == "health" and x.status == "pending"]
    assert later and all("lead_health" not in x.recipients and "bu_officer" in x.recipients for x in later)
    r = await core.reminder_action(Invocation(platform="fake", platform_user="x", member=core.partnership.member("lead_police")),
                                   [x for x in await d.reminders("agency_return") if x.subject == "police"][0].id, "done")
    assert r.ok and "stops by itself" in r.text


async def test_a_waiver_removes_the_agencys_pending_reminders_in_the_same_transaction(core, clock):
    d = Driver(core, clock)
    await to_gathering(d)
    assert [r for r in await d.reminders() if r.subject == "education"]
    await d.ok("sprg_chair", 'waive education reason="no involvement confirmed"')
    assert not [r for r in await d.reminders() if r.subject == "education" and r.status == "pending"]


async def test_a_bank_holiday_override_moves_pending_reminders_at_start_up(core, clock, db, partnership, fake):
    d = Driver(core, clock)
    await to_gathering(d)
    assert at_london_time(date(2026, 9, 15), time(9)) in [r.due_at for r in await d.reminders("agency_return")]
    holiday_cal = WorkingDayCalendar([date(2026, 9, 15)])  # a one-off bank holiday
    ticker = Ticker(db, partnership, holiday_cal, Dispatcher(db, partnership, {"fake": fake}, clock=clock), clock=clock)
    await ticker.recompute_all()
    due = {r.due_at for r in await d.reminders("agency_return")}
    assert at_london_time(date(2026, 9, 15), time(9)) not in due
    assert at_london_time(date(2026, 9, 14), time(9)) in due  # 2 WD before the (unchanged) due date


async def test_a_platform_failing_30_percent_of_calls_still_gets_everything_once(db, partnership, calendar, clock):
    rng = random.Random(7)
    fake = FakePlatform("fake")
    fake.fail_when = lambda method, args: (DeliveryError("429", retry_after=5) if rng.random() < 0.15 else
                                           DeliveryError("500") if rng.random() < 0.18 else None)
    core = Core(db, partnership, calendar, clock=clock)
    dispatcher = Dispatcher(db, partnership, {"fake": fake}, clock=clock, worker_id="w", max_attempts=50)
    ticker = Ticker(db, partnership, calendar, dispatcher, clock=clock)
    d = Driver(core, clock)
    await to_gathering(d)
    await returns_in(d, date(2026, 9, 16))
    await d.ok("bu_officer", "pack")
    for _ in range(200):
        await ticker.tick()
        async with db.read() as s:
            left = (await s.execute(select(OutboxEffect).where(OutboxEffect.status != "delivered"))).scalars().all()
        if not left:
            break
        clock.now += timedelta(minutes=6)
    assert not left
    async with db.read() as s:
        rows = (await s.execute(select(OutboxEffect))).scalars().all()
    dms = [r for r in rows if r.kind == "direct_message"]
    assert len(fake.of("direct_message")) == len(dms)  # every DM once, none twice
    unslotted = [r for r in rows if r.kind == "post_card" and not r.payload.get("slot")]
    slots = {r.payload.get("slot") for r in rows if r.kind == "post_card" and r.payload.get("slot")} | {"status"}
    assert len(fake.channels) == 1
    assert len(fake.of("post_card")) == len(unslotted) + len(slots)  # each posted once, slots updated in place


async def test_old_inbound_receipts_are_forgotten_but_recent_ones_still_stop_retries(core, clock, ticker):
    assert await core.first_receipt("fake", "event-1")
    clock.now += timedelta(hours=2)
    assert await core.first_receipt("fake", "event-2")
    clock.now += timedelta(hours=23)
    await ticker.tick()
    assert not await core.first_receipt("fake", "event-2")  # 23 h old: still a retry
    assert await core.first_receipt("fake", "event-1")  # 25 h old: forgotten, so seen as new


async def test_strangers_pressing_reminder_buttons_or_setting_watch_lists_are_refused_and_audited(core, clock):
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    stranger = Invocation(platform="fake", platform_user="U_STRANGER", member=None, private=True)
    r = await core.reminder_action(stranger, 1, "done")
    assert not r.ok and "not set up as a member" in r.text
    r = await core.set_watch_names(stranger, d.case_code, ["A Name"])
    assert not r.ok and "not set up as a member" in r.text
    refused = [(e.platform_user, e.detail["command"]) for e in await d.audit("access_refused")]
    assert refused == [("U_STRANGER", "reminder done"), ("U_STRANGER", "watch")]
    assert (await d.case()).watch_names == []
