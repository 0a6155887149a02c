"""Drive the core the way a platform would: as a named member, on a given day, with a command."""
from __future__ import annotations

from datetime import date, time

from sqlalchemy import select

from bot.context import Invocation
from bot.core import Core, Reply
from storage.models import AuditEvent, Case, OutboxEffect, Reminder


class Driver:
    def __init__(self, core: Core, clock, platform: str = "fake"):  # noqa: ANN001
        self.core, self.clock, self.platform = core, clock, platform
        self.case_code: str | None = None

    def on(self, d: date, at: time = time(10, 0)) -> "Driver":
        self.clock.on(d, at)
        return self

    async def run(self, member_key: str | None, text: str, *, case: str | None = "current", private: bool = False) -> Reply:
        member = self.core.partnership.member(member_key) if member_key else None
        code = self.case_code if case == "current" else case
        inv = Invocation(platform=self.platform, platform_user=member.slack_user_id if member else "U_STRANGER",
                         member=member, text=text, case_code=code, private=private)
        reply = await self.core.handle(inv)
        if reply.ok and text.startswith("new ") and reply.case_code:
            self.case_code = reply.case_code
        return reply

    async def ok(self, member_key: str, text: str, **kw) -> Reply:  # noqa: ANN003
        reply = await self.run(member_key, text, **kw)
        assert reply.ok, f"{member_key}: {text!r} was refused: {reply.text}"
        return reply

    async def refused(self, member_key: str | None, text: str, **kw) -> Reply:  # noqa: ANN003
        reply = await self.run(member_key, text, **kw)
        assert not reply.ok, f"{member_key}: {text!r} should have been refused"
        return reply

    # -- reading back --------------------------------------------------------------------------------
    async def case(self, code: str | None = None) -> Case:
        async with self.core.db.read() as s:
            return (await s.execute(select(Case).where(Case.code == (code or self.case_code)))).scalar_one()

    async def state(self) -> str:
        return (await self.case()).state

    async def outbox(self) -> list[OutboxEffect]:
        async with self.core.db.read() as s:
            return list((await s.execute(select(OutboxEffect).order_by(OutboxEffect.id))).scalars())

    async def audit(self, action: str | None = None) -> list[AuditEvent]:
        async with self.core.db.read() as s:
            q = select(AuditEvent).order_by(AuditEvent.seq)
            if action:
                q = q.where(AuditEvent.action == action)
            return list((await s.execute(q)).scalars())

    async def reminders(self, kind: str | None = None) -> list[Reminder]:
        async with self.core.db.read() as s:
            q = select(Reminder).order_by(Reminder.due_at, Reminder.id)
            if kind:
                q = q.where(Reminder.kind == kind)
            return list((await s.execute(q)).scalars())
