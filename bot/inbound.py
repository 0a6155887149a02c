"""Acknowledged work that must not be lost: kept in the database from before the ack until it is answered.

Slack never retries a slash command, so a command acknowledged and then lost in a crash would leave the
person with no answer and nothing done. Each command is therefore written (with its inbound receipt, in
one transaction) before the acknowledgement goes back; then it is claimed with a lease and finished by
the process that received it or, after a crash, by any replica once the lease has run out (`sweep`).
The command's own transaction also marks it `committed` (storage.db.joined), so a command whose outcome
committed just before a crash is answered again, never run twice.
"""
from __future__ import annotations

import logging
import os
import socket
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database, joined
from storage.models import InboundReceipt, InboundWork

log = logging.getLogger("rapidreview.inbound")

LEASE = timedelta(seconds=30)  # a claim older than this is from a dead process (commands take well under a second)
GRACE = timedelta(seconds=3)  # a pending row younger than this is about to be claimed by the process that took it
KEEP_DONE = timedelta(days=2)
MAX_ATTEMPTS = 10
MAX_CLAIMS = 5  # a command claimed this often without finishing (each holder died) is answered with an apology  # a command that keeps failing is answered with an apology rather than tried for ever

Finisher = Callable[[int], Awaitable[None]]


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class InboundQueue:
    def __init__(self, db: Database, *, clock: Callable[[], datetime] = _utcnow, worker_id: str | None = None):
        self.db, self.clock = db, clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.finishers: dict[str, Finisher] = {}  # kind -> how to finish one (registered by adapters)

    async def accept(self, platform: str, key: str, kind: str, payload: dict[str, Any]) -> int | None:
        """Record the receipt and the work together; None when the receipt exists (a retry or a replay)."""
        now = self.clock()
        try:
            async with self.db.transaction() as s:
                s.add(InboundReceipt(platform=platform, key=key[:200], received_at=now))
                work = InboundWork(platform=platform, kind=kind, payload=payload, received_at=now)
                s.add(work)
                await s.flush()
                return work.id
        except IntegrityError:
            return None

    async def claim(self, work_id: int) -> InboundWork | None:
        """Take the row if nobody holds it (pending, or its holder's lease has run out): one winner across
        replicas, by a conditional UPDATE (atomic on PostgreSQL and on SQLite alike)."""
        now = self.clock()
        async with self.db.transaction() as s:
            result = await s.execute(
                update(InboundWork).where(InboundWork.id == work_id, or_(
                    InboundWork.status == "pending",
                    (InboundWork.status == "claimed") & (InboundWork.claimed_until < now)))
                .values(status="claimed", claimed_by=self.worker_id, claimed_until=now + LEASE,
                        attempts=InboundWork.attempts + 1))
            if result.rowcount != 1:
                return None
            return (await s.execute(select(InboundWork).where(InboundWork.id == work_id))).scalar_one()

    @contextmanager
    def committing(self, work_id: int) -> Iterator[None]:
        """Inside: whatever the command writes also marks it committed, in the same transaction."""
        async def mark(s) -> None:  # noqa: ANN001 (AsyncSession)
            await s.execute(update(InboundWork).where(InboundWork.id == work_id).values(committed=True))

        with joined(mark):
            yield

    async def is_committed(self, work_id: int) -> bool:
        async with self.db.read() as s:
            return bool((await s.execute(select(InboundWork.committed).where(InboundWork.id == work_id))).scalar())

    async def keep_reply(self, work_id: int, reply: dict[str, Any]) -> None:
        """The answer, kept until it has been sent (a crash before sending sends this one, not a new one)."""
        async with self.db.transaction() as s:
            await s.execute(update(InboundWork).where(InboundWork.id == work_id).values(reply=reply))

    async def done(self, work_id: int) -> None:
        """Answered: what the person typed and what they were told are not kept (a `watch` command names people)."""
        async with self.db.transaction() as s:
            await s.execute(update(InboundWork).where(InboundWork.id == work_id)
                            .values(status="done", done_at=self.clock(), claimed_until=None, payload={}, reply=None))

    async def purge(self, older_than: timedelta = KEEP_DONE) -> int:
        """Done rows are only a count after a while: removed with the receipts' retention."""
        async with self.db.transaction() as s:
            result = await s.execute(delete(InboundWork).where(InboundWork.status == "done",
                                                               InboundWork.done_at < self.clock() - older_than))
        return result.rowcount or 0

    async def unfinished(self, limit: int = 50) -> list[tuple[int, str]]:
        """Rows nobody is finishing: pending past the grace period, or claimed by a holder whose lease ran out."""
        now = self.clock()
        async with self.db.read() as s:
            rows = await s.execute(
                select(InboundWork.id, InboundWork.kind).where(or_(
                    (InboundWork.status == "pending") & (InboundWork.received_at < now - GRACE),
                    (InboundWork.status == "claimed") & (InboundWork.claimed_until < now)))
                .order_by(InboundWork.id).limit(limit))
            return [(r[0], r[1]) for r in rows]

    async def sweep(self) -> int:
        """Finish what a dead process (or a full queue) left: run by every replica's ticker loop."""
        self._sweeps = getattr(self, "_sweeps", 0) + 1
        if self._sweeps % 1000 == 1:  # about twice an hour at one sweep every 2 seconds
            await self.purge()
        found = await self.unfinished()
        for work_id, kind in found:
            finisher = self.finishers.get(kind)
            if finisher is not None:
                await finisher(work_id)
        if found:
            log.info("picked up %d acknowledged command(s) left unfinished", len(found))
        return len(found)


# -- events: the receipt commits with what the event caused ------------------------------------------------
async def seen(db: Database, platform: str, key: str) -> bool:
    async with db.read() as s:
        return (await s.execute(select(InboundReceipt.id).where(InboundReceipt.platform == platform,
                                                                InboundReceipt.key == key[:200]))).first() is not None


@contextmanager
def receipt_with_outcome(platform: str, key: str, clock: Callable[[], datetime] = _utcnow) -> Iterator[dict[str, bool]]:
    """Inside: the first write transaction also records the receipt (so a crash before it leaves no receipt and
    the platform's retry is handled, and a crash after it leaves both). `state["written"]` says whether it was."""
    state = {"written": not key}  # no key (not an event Slack could retry): no receipt to write
    if not key:
        yield state
        return

    async def write(s) -> None:  # noqa: ANN001 (AsyncSession)
        if not state["written"]:
            s.add(InboundReceipt(platform=platform, key=key[:200], received_at=clock()))
            await s.flush()
            state["written"] = True

    with joined(write):
        yield state


async def record(db: Database, platform: str, key: str, clock: Callable[[], datetime] = _utcnow) -> None:
    """Record a receipt on its own (the event caused no write); a concurrent copy's receipt is fine."""
    try:
        async with db.transaction() as s:
            s.add(InboundReceipt(platform=platform, key=key[:200], received_at=clock()))
    except IntegrityError:
        pass
