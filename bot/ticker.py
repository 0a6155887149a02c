"""The clock that nags: every replica ticks; each tick turns due reminder rows into outbox effects
exactly once, then delivers. APScheduler 3.x is only the metronome (in memory, one interval job,
Europe/London); the rows are the schedule, so nothing fires twice across replicas or is lost on restart.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update

from bot import reminders as rem
from bot.calendar import WorkingDayCalendar, london_date
from bot.casefile import load_case_file
from bot.effects import direct_message, notice
from bot.outbox import AfterCommit, Dispatcher, enqueue, enqueue_many
from bot.partnership import Partnership, Role
from bot.retention import RetentionJob
from bot.views import case_view
from storage.db import Database
from storage.models import Case, InboundReceipt, OutboxEffect, Reminder

log = logging.getLogger("rapidreview.ticker")


@dataclass(frozen=True)
class TickResult:
    reminders: int
    effects: int
    delivered: int


def _utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Ticker:
    def __init__(self, db: Database, partnership: Partnership, calendar: WorkingDayCalendar, dispatcher: Dispatcher, *,
                 clock: Callable[[], datetime] = _utcnow, batch: int = 500, on_commit: AfterCommit | None = None):
        self.db, self.p, self.cal, self.dispatcher, self.clock, self.batch = db, partnership, calendar, dispatcher, clock, batch
        # The core's hook when there is one (the composition root passes it); `tick` delivers what it released
        # itself, so only effects written outside a tick (the dead-letter alert) need it.
        if on_commit is None:
            on_commit = AfterCommit()
            on_commit.append(dispatcher.wake)
        self.on_commit = on_commit
        dispatcher.on_dead.append(self.alert_dead_letter)
        self._receipts_purged_at: datetime | None = None
        self.retention = RetentionJob(db, partnership)  # daily: chat deletion, erasure, old queue rows

    async def tick(self, now: datetime | None = None) -> TickResult:
        """Release due reminders, then deliver whatever is deliverable (retries, a dead replica's rows)."""
        now = now or self.clock()
        reminders = effects = 0
        while True:
            n, e = await self.release_due(now)
            reminders, effects = reminders + n, effects + e
            if n < self.batch:
                break
        delivered = await self.dispatcher.drain()
        await self.purge_receipts(now)
        try:
            await self.retention.maybe_run(now)
        except Exception as exc:  # noqa: BLE001 never stop reminders over it; tomorrow's run catches up
            # The type only: a message could quote what is being erased.
            log.error("the daily retention run failed (%s); it is tried again at the next tick", type(exc).__name__)
        return TickResult(reminders, effects, delivered)

    async def purge_receipts(self, now: datetime, keep: timedelta | None = None) -> int:
        """Forget inbound de-duplication keys older than `retention.inbound_keys_hours` (a day; platforms retry
        within minutes), at most hourly, so the table does not grow for ever."""
        keep = keep or timedelta(hours=self.p.retention.inbound_keys_hours)
        if self._receipts_purged_at is not None and now - self._receipts_purged_at < timedelta(hours=1):
            return 0
        self._receipts_purged_at = now
        async with self.db.transaction() as s:
            result = await s.execute(delete(InboundReceipt).where(InboundReceipt.received_at < now - keep))
        return result.rowcount or 0

    async def release_due(self, now: datetime) -> tuple[int, int]:
        """Claim up to `batch` due reminders and write their effects, in one transaction."""
        due = (Reminder.status == "pending") & (Reminder.due_at <= now)
        pick = select(Reminder.id).where(due).order_by(Reminder.due_at, Reminder.id).limit(self.batch)
        async with self.db.transaction() as s:
            if self.db.sqlite:
                rows = list((await s.execute(update(Reminder).where(Reminder.id.in_(pick.scalar_subquery()))
                                             .values(status="sent", sent_at=now).returning(Reminder)
                                             .execution_options(synchronize_session=False))).scalars())
            else:
                rows = list((await s.execute(select(Reminder).where(due).order_by(Reminder.due_at, Reminder.id)
                                             .limit(self.batch).with_for_update(skip_locked=True))).scalars())
                for r in rows:
                    r.status, r.sent_at = "sent", now
            if not rows:
                return 0, 0
            cases = {c.id: c for c in (await s.execute(
                select(Case).where(Case.id.in_({r.case_id for r in rows})))).scalars()}
            batch = []
            digest_cases = set()
            today = london_date(now)
            newest: dict[tuple, Reminder] = {}
            for r in rows:  # rows are in due order, so the last of a kind wins
                newest[(r.case_id, rem.family(r.kind), r.subject, tuple(r.recipients))] = r
            for r in rows:
                case = cases[r.case_id]
                if case.state == "CLOSED":
                    r.status = "cancelled"
                    continue
                stale_digest = r.kind == rem.DIGEST and london_date(r.due_at) < today
                if stale_digest or newest[(r.case_id, rem.family(r.kind), r.subject, tuple(r.recipients))] is not r:
                    # After downtime, one message per thing (the latest), not a burst of yesterday's.
                    r.status = "superseded"
                    continue
                if r.kind == rem.DIGEST:
                    digest_cases.add(case.id)
                    view = case_view(await load_case_file(s, case), self.p, self.cal, london_date(now))
                    effects = [notice(case.code, digest_text(view))]
                else:
                    context = {"case_code": case.code, "pseudonym": case.pseudonym, "text": r.context.get("text", ""),
                               "reminder_id": r.id, "kind": r.context.get("kind", r.kind)}
                    effects = [direct_message(case.code, key, "reminder", context) for key in r.recipients]
                batch.append((case, effects))
            written = len(await enqueue_many(s, batch, now))
            for cid in digest_cases:  # keep digests planned ahead as they are used up
                left = (await s.execute(select(func.count()).select_from(Reminder).where(
                    Reminder.case_id == cid, Reminder.kind == rem.DIGEST, Reminder.status == "pending"))).scalar()
                if left < 2:
                    await rem.recompute(s, await load_case_file(s, cases[cid]), self.p, self.cal, now)
        return len(rows), written

    async def recompute_all(self, now: datetime | None = None) -> int:
        """Re-plan every open case's reminders (at start-up: a new bank-holiday override or policy applies)."""
        now = now or self.clock()
        async with self.db.read() as s:
            ids = list((await s.execute(select(Case.id).where(Case.state != "CLOSED"))).scalars())
        for cid in ids:
            async with self.db.transaction() as s:
                case = (await s.execute(select(Case).where(Case.id == cid).with_for_update())).scalar_one()
                await rem.recompute(s, await load_case_file(s, case), self.p, self.cal, now)
        return len(ids)

    async def alert_dead_letter(self, row: OutboxEffect) -> None:
        """Tell the Business Unit (in chat, on the case's platform) that a message could not be delivered."""
        if row.payload.get("context", {}).get("dead_letter_alert") or row.case_id is None:
            return  # never alert about an alert
        now = self.clock()
        text = (f"A {row.kind.replace('_', ' ')} for {row.case_code} could not be delivered after {row.attempts + 1} "
                "attempts. Your administrator can see it with `rapidreview outbox --dead`.")
        async with self.db.transaction() as s:
            # Not tied to the case (case=None): an alert must not wait behind the case's stuck channel effects.
            await enqueue(s, [direct_message(row.case_code, m.key, "notice",
                                       {"case_code": row.case_code, "text": text, "dead_letter_alert": True})
                        for m in self.p.members_with(Role.BUSINESS_UNIT)], None, now, platform=row.platform)
        self.on_commit()


def digest_text(view: dict) -> str:
    """The daily digest: stage, what is outstanding, who is late, days left. Codes and statuses only."""
    parts = [f"Daily digest {view['case_code']} / {view['pseudonym']}: {view['state_label']}."]
    if view["outstanding"]:
        parts.append("Outstanding: " + ", ".join(view["outstanding"]) + ".")
    if view["overdue"]:
        parts.append("Late: " + ", ".join(view["overdue"]) + ".")
    if view["report_version"] and not view["approvals"]["complete"]:
        waiting = [p["label"] for p in view["approvals"]["partners"] if p["status"] != "approved"]
        parts.append(f"Report v{view['report_version']}: {view['approvals']['count']} approvals (waiting: {', '.join(waiting)}).")
    rr = next((d for d in view["deadlines"] if d["key"] == "rapid_review_due" and not d["met"]), None)
    if rr:
        parts.append(f"Rapid review to the Panel, {rr['human']}" + (" (overdue)." if rr["overdue"] else "."))
    nd = view["next_deadline"]
    if nd and nd is not rr and (not rr or nd["key"] != rr["key"]):
        parts.append(f"Next deadline: {nd['label']}, {nd['human']}" + (" (overdue)." if nd["overdue"] else "."))
    return " ".join(parts)


def start_scheduler(ticker: Ticker, seconds: float = 15.0):  # noqa: ANN201
    """APScheduler 3.x, in memory, one interval job in Europe/London time (never a shared job store)."""
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

    scheduler = AsyncIOScheduler(timezone="Europe/London")
    scheduler.add_job(ticker.tick, "interval", seconds=seconds, max_instances=1, coalesce=True,
                      id="rapidreview-tick", misfire_grace_time=None)
    scheduler.start()
    return scheduler

