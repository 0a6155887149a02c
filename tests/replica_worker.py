"""A replica for the multi-process tests: ticks one database until nothing is left, delivering every
effect to a recording HTTP endpoint. Run as: python -m tests.replica_worker DB_URL SINK_URL NAME [options]."""
from __future__ import annotations

import argparse
import asyncio
from datetime import datetime, timedelta, timezone

import aiohttp

from bot.calendar import WorkingDayCalendar
from bot.outbox import Dispatcher
from bot.partnership import load_partnership
from bot.settings import DEFAULT_PARTNERSHIP
from bot.ticker import Ticker
from storage.db import Database


class SinkPort:
    """Delivers by POSTing what it was asked to do to the test's recording server."""

    name = "fake"

    def __init__(self, session: aiohttp.ClientSession, url: str, worker: str, delay: float):
        self.session, self.url, self.worker, self.delay = session, url, worker, delay

    async def _send(self, method: str, **body) -> str:  # noqa: ANN003
        if self.delay:
            await asyncio.sleep(self.delay)
        async with self.session.post(self.url, json={"worker": self.worker, "method": method, **body}) as r:
            return (await r.json())["id"]

    async def open_channel(self, case_code, name, topic):  # noqa: ANN001, ANN201
        return await self._send("open_channel", case_code=case_code)

    async def invite(self, channel_id, members):  # noqa: ANN001, ANN201
        await self._send("invite", channel_id=channel_id)

    async def post_card(self, channel_id, card, context, *, pin=False):  # noqa: ANN001, ANN201
        return await self._send("post_card", card=card)

    async def update_card(self, channel_id, message_id, card, context):  # noqa: ANN001, ANN201
        await self._send("update_card", card=card)

    async def direct_message(self, member, card, context):  # noqa: ANN001, ANN201
        await self._send("direct_message", member=member.key, reminder_id=context.get("reminder_id"))

    async def archive_channel(self, channel_id):  # noqa: ANN001, ANN201
        await self._send("archive_channel")


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("db_url")
    ap.add_argument("sink_url")
    ap.add_argument("name")
    ap.add_argument("--delay", type=float, default=0.0)
    ap.add_argument("--clock-offset", type=float, default=0.0)
    ap.add_argument("--batch", type=int, default=100)
    args = ap.parse_args()
    p = load_partnership(DEFAULT_PARTNERSHIP)
    cal = WorkingDayCalendar()
    db = Database(args.db_url)

    def clock() -> datetime:
        return datetime.now(timezone.utc) + timedelta(seconds=args.clock_offset)

    async with aiohttp.ClientSession() as session:
        port = SinkPort(session, args.sink_url, args.name, args.delay)
        dispatcher = Dispatcher(db, p, {"fake": port}, clock=clock, worker_id=args.name, batch=args.batch,
                                lease=timedelta(seconds=60))
        ticker = Ticker(db, p, cal, dispatcher, clock=clock, batch=args.batch)
        idle = 0
        while idle < 3:
            res = await ticker.tick()
            idle = idle + 1 if (res.reminders, res.delivered) == (0, 0) else 0
            if idle:
                await asyncio.sleep(0.05)
    await db.dispose()
    print(f"{args.name} done", flush=True)


if __name__ == "__main__":
    asyncio.run(main())
