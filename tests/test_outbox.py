"""Outbox delivery: in order per case, retried on failure, never lost, not duplicated by competing workers."""
from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from tests.fakes.platform import FakePlatform
from bot.outbox import Dispatcher
from storage.models import ChannelLink, OutboxEffect
from tests.driver import Driver
from tests.scenarios import to_approval


async def _statuses(db) -> Counter:  # noqa: ANN001
    async with db.read() as s:
        return Counter((await s.execute(select(OutboxEffect.status))).scalars())


async def test_a_case_channel_is_opened_before_anything_is_posted_in_it(core, clock, dispatcher, fake, db):
    d = Driver(core, clock)
    await to_approval(d)
    await dispatcher.drain()
    assert (await _statuses(db)) == Counter({"delivered": sum((await _statuses(db)).values())})
    methods = [c.method for c in fake.calls if c.method != "direct_message"]  # DMs need no channel
    assert methods[0] == "open_channel" and methods[1] == "invite"
    cid, channel = fake.channel_named(d.case_code)
    assert {"bu_officer", "sprg_chair", "lead_police", "exec_police", "exec_police_deputy"} <= channel["members"]
    # The status card is posted once, pinned, then updated in place.
    status_posts = [c for c in fake.of("post_card") if c.args["card"] == "case_status"]
    assert len(status_posts) == 1 and status_posts[0].args["pin"] is True
    assert len([c for c in fake.of("update_card") if c.args["card"] == "case_status"]) >= 5
    # The vote card is one message, updated as views arrive.
    assert len([c for c in fake.of("post_card") if c.args["card"] == "vote"]) == 1


async def test_a_rate_limit_is_honoured_and_nothing_is_lost(core, clock, dispatcher, fake, db):
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    fake.fail_next(1, retry_after=30)
    assert await dispatcher.drain() == 0
    async with db.read() as s:
        first = (await s.execute(select(OutboxEffect).order_by(OutboxEffect.id))).scalars().first()
    assert (first.status, first.attempts) == ("pending", 1)
    assert first.next_attempt_at == clock.now + timedelta(seconds=30)
    assert not fake.calls  # later effects of the case waited for the channel
    clock.now += timedelta(seconds=31)
    assert await dispatcher.drain() >= 3
    assert set((await _statuses(db))) == {"delivered"}


async def test_repeated_failure_ends_in_dead_letters_and_is_reported(core, clock, db, partnership, fake):
    dead = []
    dispatcher = Dispatcher(db, partnership, {"fake": fake}, clock=clock, worker_id="w", max_attempts=3)
    dispatcher.on_dead.append(dead.append)
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    fake.fail_next(3)
    for _ in range(3):
        await dispatcher.drain()
        clock.now += timedelta(minutes=10)
    assert len(dead) == 1 and dead[0].kind == "open_channel"
    assert (await _statuses(db))["dead"] == 1


async def test_a_delivery_left_claimed_by_a_dead_process_is_recovered_after_its_lease(core, clock, db, partnership, fake):
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    crashed = Dispatcher(db, partnership, {"fake": fake}, clock=clock, worker_id="crashed", lease=timedelta(seconds=60))
    claimed = await crashed.claim(100)
    assert claimed  # ...and the process dies here, before delivering
    survivor = Dispatcher(db, partnership, {"fake": fake}, clock=clock, worker_id="survivor")
    assert await survivor.drain() == 0  # the lease still holds
    clock.now += timedelta(seconds=61)
    assert await survivor.drain() == len(claimed)
    assert len(fake.of("open_channel")) == 1


async def test_reopening_after_a_crash_between_platform_call_and_commit_does_not_open_twice(core, clock, db, dispatcher, fake):
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    await dispatcher.drain()
    async with db.transaction() as s:  # pretend the delivered mark never committed
        rows = (await s.execute(select(OutboxEffect))).scalars().all()
        for r in rows:
            r.status = "pending"
    await dispatcher.drain()
    assert len(fake.channels) == 1
    async with db.read() as s:
        assert len((await s.execute(select(ChannelLink))).scalars().all()) == 1


async def test_competing_workers_deliver_each_effect_once(db, partnership, calendar, clock):
    from bot.core import Core

    core = Core(db, partnership, calendar, clock=clock)
    d = Driver(core, clock).on(date(2026, 12, 18))
    for i in range(12):
        await d.ok("bu_officer", f'new pseudonym="Child {chr(65 + i)}" aware=2026-12-18')
    fake = FakePlatform("fake")
    workers = [Dispatcher(db, partnership, {"fake": fake}, clock=clock, worker_id=f"w{i}", batch=5) for i in range(3)]
    await asyncio.gather(*(w.drain() for w in workers))
    opened = Counter(c.args["case_code"] for c in fake.of("open_channel"))
    assert len(opened) == 12 and set(opened.values()) == {1}
    async with db.read() as s:
        total = len((await s.execute(select(OutboxEffect))).scalars().all())
    assert len(fake.calls) == total
    assert set((await _statuses(db))) == {"delivered"}
