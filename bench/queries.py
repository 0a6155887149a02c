"""Status and list with 10,000 cases: p99 of `core.handle` in-process (SQLite and PostgreSQL) and the SQL
statements per command (a before_cursor_execute counter), against a bare `SELECT 1` round trip on the same
engine. Target: p99 < 20 ms; the statement count must not grow with the number of cases (no N+1)."""
from __future__ import annotations

import asyncio
import os
import tempfile
import time

from sqlalchemy import event, insert, text

from bench._common import bench_partnership, seed_cases, summary
from bench.outbox_drain import _drop, _pg_url
from storage.db import upgrade

CASES = int(os.environ.get("BENCH_QUERY_CASES", "10000"))
REQUESTS = int(os.environ.get("BENCH_QUERY_AGENCY_REQUESTS", "10000"))
N_STATUS = int(os.environ.get("BENCH_QUERY_N_STATUS", "300"))
N_LIST = int(os.environ.get("BENCH_QUERY_N_LIST", "30"))
MEMBER = "U0FIC0004"


async def _bench(url: str, partnership: str) -> dict:
    import server.app
    from bot.context import Invocation
    from bot.settings import Settings
    from storage.models import ChannelLink

    rt = server.app.build_runtime(Settings(database_url=url, partnership=partnership, tick_seconds=3600))
    ids = await seed_cases(rt.db, CASES, REQUESTS)
    async with rt.db.transaction() as s:
        await s.execute(insert(ChannelLink), [{"case_id": ids[len(ids) // 2], "platform": "slack",
                                               "channel_id": "C0BENCH0001", "extra": {}}])
    member = rt.partnership.by_slack_id(MEMBER)
    code = await rt.core.case_for_channel("slack", "C0BENCH0001")
    statements = [0]

    def count(*_a):  # noqa: ANN002, ANN202
        statements[0] += 1
    event.listen(rt.db.engine.sync_engine, "before_cursor_execute", count)
    out: dict = {}

    async def one(verb: str) -> tuple[float, int]:
        before = statements[0]
        t0 = time.perf_counter()
        reply = await rt.core.handle(Invocation(platform="slack", platform_user=MEMBER, member=member, text=verb,
                                                case_code=code))
        elapsed = time.perf_counter() - t0
        assert reply.ok, reply.text[:200]
        return elapsed, statements[0] - before

    for verb, n in (("status", N_STATUS), ("list", N_LIST)):
        await one(verb)  # warm-up
        lat, counts = [], set()
        for _ in range(n):
            t, c = await one(verb)
            lat.append(t)
            counts.add(c)
        out[verb] = {**summary(lat), "sql_statements": max(counts), "target_p99_lt_20ms": "met" if
                     summary(lat)["p99_ms"] < 20 else "NOT met"}
    lat = []
    for _ in range(N_STATUS):
        t0 = time.perf_counter()
        async with rt.db.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
        lat.append(time.perf_counter() - t0)
    out["baseline_select_1"] = summary(lat)
    event.remove(rt.db.engine.sync_engine, "before_cursor_execute", count)
    await rt.db.dispose()
    return out


def run() -> dict:
    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        partnership = str(bench_partnership(tmp, -(-REQUESTS // CASES)))
        url = f"sqlite+aiosqlite:///{tmp}/queries.db"
        upgrade(url)
        for k, v in asyncio.run(_bench(url, partnership)).items():
            results[f"sqlite_{k}"] = v
        url = _pg_url()
        if url is None:
            results["postgres"] = {"skipped": "PostgreSQL not reachable"}
        else:
            try:
                for k, v in asyncio.run(_bench(url, partnership)).items():
                    results[f"postgres_{k}"] = v
            finally:
                _drop(url)
    results["cases"] = {"cases": CASES, "agency_requests": REQUESTS}
    return results


if __name__ == "__main__":
    import json
    print(json.dumps(run(), indent=2))
