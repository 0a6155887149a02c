"""Outbox drain: 10,000 pending effects delivered to an in-process fake platform, messages per second,
against a bare baseline (the same 10,000 calls made straight to the fake, no database)."""
from __future__ import annotations

import asyncio
import os
import tempfile
import time
import uuid
from datetime import datetime, timezone

from sqlalchemy import insert, text

from tests.fakes.platform import FakePlatform
from bot.outbox import Dispatcher
from bot.partnership import load_partnership
from bot.settings import DEFAULT_PARTNERSHIP
from storage.db import Database, upgrade
from storage.models import OutboxEffect

N = int(os.environ.get("BENCH_OUTBOX_ROWS", "10000"))


async def _seed(db: Database, n: int) -> None:
    now = datetime.now(timezone.utc)
    rows = [{"case_id": None, "case_code": "rr-2026-001", "platform": "fake", "kind": "direct_message",
             "payload": {"member": "bu_officer", "card": "notice", "context": {"case_code": "rr-2026-001", "text": f"m{i}"}},
             "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now} for i in range(n)]
    async with db.transaction() as s:
        for i in range(0, n, 2000):
            await s.execute(insert(OutboxEffect), rows[i:i + 2000])


async def _drain(url: str, replicas: int) -> dict:
    p = load_partnership(DEFAULT_PARTNERSHIP)
    db = Database(url)
    await _seed(db, N)
    fakes = [FakePlatform("fake") for _ in range(replicas)]
    workers = [Dispatcher(Database(url), p, {"fake": f}, worker_id=f"bench{i}", batch=500) for i, f in enumerate(fakes)]
    t0 = time.perf_counter()
    await asyncio.gather(*(w.drain() for w in workers))
    elapsed = time.perf_counter() - t0
    delivered = sum(len(f.calls) for f in fakes)
    texts = [c.args["context"]["text"] for f in fakes for c in f.calls]
    for w in workers:
        await w.db.dispose()
    await db.dispose()
    return {"rows": N, "delivered": delivered, "duplicates": len(texts) - len(set(texts)),
            "seconds": round(elapsed, 3), "per_second": round(delivered / elapsed)}


async def _baseline() -> dict:
    p = load_partnership(DEFAULT_PARTNERSHIP)
    fake = FakePlatform("fake")
    member = p.member("bu_officer")
    t0 = time.perf_counter()
    for i in range(N):
        await fake.direct_message(member, "notice", {"text": f"m{i}"})
    elapsed = time.perf_counter() - t0
    return {"rows": N, "seconds": round(elapsed, 4), "per_second": round(N / elapsed)}


def _pg_url() -> str | None:
    import asyncpg

    name = f"rr_bench_{uuid.uuid4().hex[:8]}"

    async def create() -> None:
        conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
        await conn.execute(f'CREATE DATABASE "{name}"')
        await conn.close()
    try:
        asyncio.run(create())
    except OSError:
        return None
    url = f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    upgrade(url)
    return url


def _drop(url: str) -> None:
    import asyncpg

    name = url.rsplit("/", 1)[1]

    async def drop() -> None:
        conn = await asyncpg.connect(host="127.0.0.1", port=5432, user="postgres", database="postgres")
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()
    asyncio.run(drop())


def run() -> dict:
    results = {"baseline_direct_calls": asyncio.run(_baseline())}
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/bench.db"
        upgrade(url)
        results["sqlite_1_replica"] = asyncio.run(_drain(url, 1))
    for replicas in (1, 2):
        url = _pg_url()
        if url is None:
            results[f"postgres_{replicas}_replica"] = {"skipped": "PostgreSQL not reachable"}
            continue
        try:
            results[f"postgres_{replicas}_replica{'s' if replicas > 1 else ''}"] = asyncio.run(_drain(url, replicas))
        finally:
            _drop(url)
    return results
