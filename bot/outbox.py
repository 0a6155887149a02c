"""Delivering outbox effects: claim, call the platform, mark delivered; back off and retry on failure.

Claiming is one UPDATE … WHERE id IN (SELECT … [FOR UPDATE SKIP LOCKED]) RETURNING: on PostgreSQL
competing replicas skip each other's rows; on SQLite the statement runs under the write lock. A
claim is a lease: if the process dies mid-delivery the row is claimable again when the lease ends.
Effects of one case are delivered in order (the channel exists before anything is posted in it).
The guarantee is at-least-once; opening a channel is idempotent by name, and slot cards are updated
in place rather than posted again.
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import os
import random
import socket
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from itertools import groupby

from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot import audit
from bot import effects as fx
from bot.partnership import Partnership
from bot.ports import DeliveryError, MessageGone, PlatformPort
from storage.db import Database
from storage.models import Case, ChannelLink, OutboxEffect, ShownEffect

log = logging.getLogger("rapidreview.outbox")


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


async def enqueue(session: AsyncSession, effects: list[fx.Effect], case: Case | None, now: datetime, *,
                  platform: str | None = None) -> list[OutboxEffect]:
    """Write effects as outbox rows in the caller's transaction: the only place outbox rows are made.

    An effect about `case` is tied to it (so its channel effects are delivered in order); an effect about
    another case, or with no case given (a dead-letter alert), is not. The platform is the case's unless named."""
    return await enqueue_many(session, [(case, effects)], now, platform=platform)


async def enqueue_many(session: AsyncSession, batch: list[tuple[Case | None, list[fx.Effect]]], now: datetime, *,
                       platform: str | None = None) -> list[OutboxEffect]:
    """`enqueue` for several cases at once (the ticker's batch of due reminders): one flush for them all."""
    rows = [OutboxEffect(case_id=case.id if case is not None and e.case_code == case.code else None,
                         case_code=e.case_code, platform=platform or case.platform, kind=e.kind, payload=e.payload,
                         next_attempt_at=now, created_at=now)
            for case, effects in batch for e in effects]
    if rows:
        session.add_all(rows)
        await session.flush()  # the rows' ids: what is shown remembers which row wrote it last
        await _record_shown(session, rows, now)
    return rows


def _slot(row: OutboxEffect) -> str | None:
    """The card a channel effect updates in place (the pinned status, the vote tally...), if any."""
    if row.case_id is None:
        return None
    if row.kind == fx.UPDATE_STATUS:
        return "status"
    return row.payload.get("slot") if row.kind == fx.POST_CARD else None


async def _record_shown(session: AsyncSession, rows: list[OutboxEffect], now: datetime) -> None:
    """Keep what each platform is asked to show beside the outbox (storage.models.ShownEffect)."""
    keys = {(r.case_id, r.platform, _slot(r)) for r in rows if _slot(r)}
    held: dict[tuple, ShownEffect] = {}
    if keys:
        found = await session.execute(select(ShownEffect).where(
            ShownEffect.case_id.in_({k[0] for k in keys}), ShownEffect.slot.in_({k[2] for k in keys})))
        held = {(x.case_id, x.platform, x.slot): x for x in found.scalars()}
    for r in rows:
        slot, card = _slot(r), r.payload.get("card")
        shown = held.get((r.case_id, r.platform, slot)) if slot else None
        if shown is None:
            shown = ShownEffect(case_id=r.case_id, case_code=r.case_code, platform=r.platform, kind=r.kind, card=card,
                                member_key=r.payload.get("member") if r.kind == fx.DIRECT_MESSAGE else None, slot=slot,
                                payload=r.payload, outbox_id=r.id, created_at=now, updated_at=now)
            session.add(shown)
            if slot:
                held[(r.case_id, r.platform, slot)] = shown
        else:
            shown.kind, shown.card, shown.payload, shown.outbox_id, shown.updated_at = r.kind, card, r.payload, r.id, now


class AfterCommit:
    """What to do once a transaction that wrote outbox rows has committed (wake the dispatcher, so the
    effects go out now rather than at the next tick). The core, the ticker and reminder actions share one."""

    def __init__(self) -> None:
        self.hooks: list[Callable[[], None]] = []

    def append(self, hook: Callable[[], None]) -> None:
        self.hooks.append(hook)

    def __call__(self) -> None:
        for hook in self.hooks:
            hook()


class Dispatcher:
    # max_attempts=20: with back-off doubling to a 5-minute cap, a message is retried for about an hour before
    # it becomes a dead letter. At 8 it gave up after about 4 minutes, shorter than a platform incident, and
    # at 30% of calls failing an effect that takes 3-4 calls (opening a channel) died in ~1 run in 20.
    def __init__(self, db: Database, partnership: Partnership, platforms: dict[str, PlatformPort], *,
                 clock: Callable[[], datetime] = _utcnow, worker_id: str | None = None,
                 lease: timedelta = timedelta(seconds=60), max_attempts: int = 20, batch: int = 200,
                 concurrency: int = 8):
        self.db, self.partnership, self.platforms, self.clock = db, partnership, platforms, clock
        self.worker_id = worker_id or f"{socket.gethostname()}:{os.getpid()}"
        self.lease, self.max_attempts, self.batch = lease, max_attempts, batch
        self._sem = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self.on_dead: list[Callable[[OutboxEffect], None]] = []

    def wake(self) -> None:
        """Called after a command commits: deliver now rather than at the next tick."""
        self._wake.set()

    async def run(self, idle: float = 15.0) -> None:
        """Deliver whenever woken, and at least every `idle` seconds (retries, a dead replica's rows)."""
        while True:
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for can lose a cancellation that arrives as the
            # wake-up does, and this loop would then never end (a shutdown, or a test's event loop, hangs).
            try:
                async with asyncio.timeout(idle):
                    await self._wake.wait()
            except TimeoutError:
                pass
            self._wake.clear()
            try:
                await self.drain()
            except Exception:  # keep the loop alive; the row stays claimable and is retried
                log.exception("outbox drain failed; will retry")

    async def drain(self, max_rounds: int = 1000) -> int:
        """Claim and deliver until nothing is claimable now. Returns how many effects were delivered."""
        delivered = 0
        for _ in range(max_rounds):
            rows = await self.claim(self.batch)
            if not rows:
                break
            delivered += await self._deliver_batch(rows)
        return delivered

    async def claim(self, limit: int) -> list[OutboxEffect]:
        now = self.clock()
        earlier = aliased(OutboxEffect)
        # An earlier row of the same case blocks this one while it is in flight elsewhere or backing off.
        # Direct messages need no channel and no order among themselves, so they neither block nor wait.
        blocked = exists().where(
            OutboxEffect.kind != fx.DIRECT_MESSAGE, earlier.kind != fx.DIRECT_MESSAGE,
            earlier.case_id == OutboxEffect.case_id, earlier.id < OutboxEffect.id,
            or_(and_(earlier.status == "claimed", earlier.claimed_until >= now),
                and_(earlier.status == "pending", earlier.next_attempt_at > now)),
        )
        claimable = or_(and_(OutboxEffect.status == "pending", OutboxEffect.next_attempt_at <= now),
                        and_(OutboxEffect.status == "claimed", OutboxEffect.claimed_until < now))
        pick = (select(OutboxEffect.id).where(claimable, ~blocked, OutboxEffect.platform.in_(list(self.platforms)))
                .order_by(OutboxEffect.id).limit(limit))
        claim = dict(status="claimed", claimed_until=now + self.lease, claimed_by=self.worker_id)
        async with self.db.transaction() as s:
            if self.db.sqlite:
                # One statement under SQLite's single write lock: nobody else's claim can be half-done.
                stmt = update(OutboxEffect).where(OutboxEffect.id.in_(pick.scalar_subquery()))
            else:
                ids = await self._pick_in_order(s, pick.with_for_update(skip_locked=True))
                if not ids:
                    return []
                stmt = update(OutboxEffect).where(OutboxEffect.id.in_(ids))
            rows = list((await s.execute(stmt.values(**claim).returning(OutboxEffect)
                                         .execution_options(synchronize_session=False))).scalars())
        return sorted(rows, key=lambda r: r.id)

    @staticmethod
    async def _pick_in_order(s, pick) -> list[int]:  # noqa: ANN001
        """Lock candidates (skipping rows other workers hold), then keep a row only if every earlier
        undelivered row of its case is ours too: a row another worker locked a moment ago still reads
        as pending here, so the case's later effects wait for it instead of overtaking it."""
        candidates = list((await s.execute(pick)).scalars())
        if not candidates:
            return []
        mine = set(candidates)
        rows = (await s.execute(select(OutboxEffect.id, OutboxEffect.case_id, OutboxEffect.kind).where(
            OutboxEffect.id.in_(candidates)))).all()
        case_of = {rid: (None if kind == fx.DIRECT_MESSAGE else cid) for rid, cid, kind in rows}
        cases = {c for c in case_of.values() if c is not None}
        undelivered = (await s.execute(select(OutboxEffect.id, OutboxEffect.case_id).where(
            OutboxEffect.case_id.in_(cases), OutboxEffect.status.in_(("pending", "claimed")),
            OutboxEffect.kind != fx.DIRECT_MESSAGE, OutboxEffect.id <= max(candidates)))).all() if cases else []
        first_foreign: dict[int, int] = {}
        for rid, cid in undelivered:
            if rid not in mine:
                first_foreign[cid] = min(first_foreign.get(cid, rid), rid)
        return [rid for rid in candidates
                if case_of[rid] is None or rid < first_foreign.get(case_of[rid], rid + 1)]

    async def _deliver_batch(self, rows: list[OutboxEffect]) -> int:
        def lane(r: OutboxEffect) -> int:  # a case's channel effects share a lane; each DM has its own
            return -r.id if r.case_id is None or r.kind == fx.DIRECT_MESSAGE else r.case_id

        groups = [list(g) for _, g in groupby(sorted(rows, key=lambda r: (lane(r), r.id)), key=lane)]
        done = [row for delivered in await asyncio.gather(*(self._deliver_group(g) for g in groups)) for row in delivered]
        await self._mark_done(done)  # one write for the whole batch, not one per message
        return len(done)

    async def _deliver_group(self, rows: list[OutboxEffect]) -> list[OutboxEffect]:
        """One case's claimed rows, in order; on a failure the rest wait for the failed one."""
        done: list[OutboxEffect] = []
        async with self._sem:
            for i, row in enumerate(rows):
                try:
                    await self._deliver(row)
                    done.append(row)
                except DeliveryError as exc:
                    await self._failed(row, exc, rows[i + 1:])
                    break
                except Exception as exc:  # an adapter bug must not lose the row either
                    log.exception("delivering outbox row %s (%s) failed unexpectedly", row.id, row.kind)
                    await self._failed(row, DeliveryError(type(exc).__name__), rows[i + 1:])
                    break
        return done

    async def _mark_done(self, rows: list[OutboxEffect]) -> None:
        if not rows:
            return
        now = self.clock()
        # What is shown now was shown from the first time any row of it was delivered (a slot card's older row too).
        shown = [ShownEffect.outbox_id.in_([r.id for r in rows if not _slot(r)])]
        shown += [and_(ShownEffect.case_id == r.case_id, ShownEffect.platform == r.platform, ShownEffect.slot == _slot(r))
                  for r in {(r.case_id, r.platform, _slot(r)): r for r in rows if _slot(r)}.values()]
        async with self.db.transaction() as s:
            await s.execute(update(OutboxEffect).where(OutboxEffect.id.in_([r.id for r in rows]),
                                                       OutboxEffect.claimed_by == self.worker_id)
                            .values(status="delivered", delivered_at=now, claimed_until=None)
                            .execution_options(synchronize_session=False))
            await s.execute(update(ShownEffect).where(or_(*shown), ShownEffect.shown_at.is_(None))
                            .values(shown_at=now).execution_options(synchronize_session=False))

    async def _failed(self, row: OutboxEffect, exc: DeliveryError, rest: list[OutboxEffect]) -> None:
        attempts = row.attempts + 1
        now = self.clock()
        if exc.retry_after is not None:
            delay = float(exc.retry_after)
        else:
            delay = min(300.0, 2.0 ** attempts) * random.uniform(0.5, 1.5)
        dead = exc.permanent or attempts >= self.max_attempts
        async with self.db.transaction() as s:
            await s.execute(update(OutboxEffect).where(OutboxEffect.id == row.id).values(
                status="dead" if dead else "pending", attempts=attempts, last_error=str(exc)[:500],
                next_attempt_at=now + timedelta(seconds=delay), claimed_until=None, claimed_by=None))
            if rest:  # later rows of the case go back untouched: they never reached the platform
                await s.execute(update(OutboxEffect).where(OutboxEffect.id.in_([r.id for r in rest])).values(
                    status="pending", claimed_until=None, claimed_by=None))
        if dead:
            log.error("outbox row %s (%s, case %s) moved to dead letters after %d attempt(s)",
                      row.id, row.kind, row.case_code, attempts)
            for callback in self.on_dead:
                try:
                    result = callback(row)
                    if inspect.isawaitable(result):
                        await result
                except Exception:
                    log.exception("dead-letter alert failed for outbox row %s", row.id)
        else:
            log.warning("outbox row %s (%s) failed (attempt %d); retry in %.1fs", row.id, row.kind, attempts, delay)

    # -- one effect ------------------------------------------------------------------------------
    async def _deliver(self, row: OutboxEffect) -> None:
        port = self.platforms[row.platform]
        p = row.payload
        if row.kind == fx.DIRECT_MESSAGE:
            await port.direct_message(self.partnership.member(p["member"]), p["card"], p["context"])
            return
        link = await self._link(row)
        if row.kind == fx.OPEN_CHANNEL:
            if link is None:  # after a crash between the platform call and our commit, don't open twice
                channel_id = await port.open_channel(row.case_code, p["name"], p["topic"])
                async with self.db.transaction() as s:
                    s.add(ChannelLink(case_id=row.case_id, platform=row.platform, channel_id=channel_id, extra={}))
            return
        if link is None:
            raise DeliveryError(f"case {row.case_code} has no channel yet")
        if row.kind == fx.INVITE:
            members = [self.partnership.member(k) for k in p["members"]]
            await port.invite(link.channel_id, members)
        elif row.kind == fx.ARCHIVE_CHANNEL:
            await port.archive_channel(link.channel_id)
        elif row.kind == fx.REMOVE_MEMBERS:
            await port.remove_members(link.channel_id, [self.partnership.member(k) for k in p["members"]
                                                        if any(m.key == k for m in self.partnership.members)])
        elif row.kind == fx.PURGE_CHANNEL:
            await self._purge(port, row, link)
        elif row.kind in (fx.POST_CARD, fx.UPDATE_STATUS):
            slot = "status" if row.kind == fx.UPDATE_STATUS else p.get("slot")
            message_id = (link.extra or {}).get(slot) if slot else None
            if message_id:
                try:
                    await port.update_card(link.channel_id, message_id, p["card"], p["context"])
                    return
                except MessageGone:
                    # Someone deleted the (pinned) card: a fresh one takes its place, and later updates go to it.
                    log.info("the %s card of %s was deleted; posting a new one", slot, row.case_code)
            message_id = await port.post_card(link.channel_id, p["card"], p["context"], pin=slot == "status")
            if slot:
                await self._remember(link, slot, message_id)
        else:
            raise DeliveryError(f"unknown effect kind {row.kind}", permanent=True)

    async def _purge(self, port: PlatformPort, row: OutboxEffect, link: ChannelLink) -> None:
        """Retention: the platform deletes what it can; what it did is audited (counts only) and the channel's
        remembered card ids are forgotten."""
        known = [v for v in (link.extra or {}).values() if isinstance(v, str)]
        result = await port.purge_channel(link.channel_id, sorted(set(known)))
        async with self.db.transaction() as s:
            fresh = (await s.execute(select(ChannelLink).where(ChannelLink.id == link.id).with_for_update())).scalar_one()
            fresh.extra, fresh.status_message_id = {"purged": True}, None
            await audit.append(s, audit.AuditEntry("channel_purged", case_code=row.case_code, platform=row.platform,
                                                   detail=result.as_detail()), self.clock())

    async def _link(self, row: OutboxEffect) -> ChannelLink | None:
        async with self.db.read() as s:
            return (await s.execute(select(ChannelLink).where(
                ChannelLink.case_id == row.case_id, ChannelLink.platform == row.platform))).scalar_one_or_none()

    async def _remember(self, link: ChannelLink, slot: str, message_id: str) -> None:
        async with self.db.transaction() as s:
            fresh = (await s.execute(select(ChannelLink).where(ChannelLink.id == link.id).with_for_update())).scalar_one()
            extra = dict(fresh.extra or {})
            extra[slot] = message_id
            fresh.extra = extra
            if slot == "status":
                fresh.status_message_id = message_id
