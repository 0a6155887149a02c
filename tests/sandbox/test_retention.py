"""Retention in the sandbox: members leave the case channel at closure, and after the chat period every
message and the channel itself are deleted; a restart (rebuilt from delivered queue rows) does not bring the
channel back."""
from __future__ import annotations

from datetime import timedelta

from adapters.sandbox.store import TEXT, Message, Store, new_id, rebuild
from bot import audit, retention
from tests.driver import Driver
from tests.retention_helpers import CLOSED_ON, closed_case
from tests.sandbox.conftest import DayClock

CHAT_DUE = CLOSED_ON + timedelta(days=90)


async def _drain(rt) -> None:  # noqa: ANN001
    """Deliver everything due (the server's own dispatcher task may hold some rows for a moment)."""
    import asyncio

    from sqlalchemy import select

    from storage.models import OutboxEffect

    for _ in range(500):
        await rt.dispatcher.drain()
        async with rt.db.read() as s:
            busy = (await s.execute(select(OutboxEffect.id).where(OutboxEffect.status.in_(("pending", "claimed")))
                                    .limit(1))).first()
        if busy is None:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("the outbox did not settle")


async def test_members_leave_at_closure_and_the_channel_goes_after_the_chat_period(sandbox):
    rt, store = sandbox.rt, sandbox.store
    clock = DayClock(CLOSED_ON)
    rt.use_clock(clock)
    d = Driver(rt.core, clock, platform="sandbox")
    await closed_case(d)
    await _drain(rt)
    conv = next(c for c in store.conversations.values() if c.case_code == d.case_code and not c.direct)
    assert conv.archived and conv.members == {"bu_officer", "partnership_manager"}
    store.add(conv, Message(new_id(), TEXT, clock(), author="bu_officer", text="thanks all"))
    cards = len(conv.messages) - 1
    clock.on(CHAT_DUE)
    assert (await retention.run_due(rt.db, rt.partnership, clock())).chats == 1
    await _drain(rt)
    assert conv.id not in store.conversations and d.case_code not in store.status_views
    async with rt.db.read() as s:
        from sqlalchemy import select

        from storage.models import AuditEvent

        [purged] = (await s.execute(select(AuditEvent).where(AuditEvent.action == "channel_purged"))).scalars().all()
        assert purged.detail == {"deleted": cards + 1, "hidden": 0, "left": 0, "channel": "deleted"}
        assert (await audit.verify(s)).ok
    again = Store(clock)
    rebuild(again, await rt.core.shown("sandbox"))
    assert not [c for c in again.conversations.values() if c.case_code == d.case_code]
