"""Helpers shared by the benchmarks: free ports, waiting for /healthz, load generation, percentiles, seeding."""
from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timezone
from pathlib import Path

import aiohttp
from sqlalchemy import insert

ROOT = Path(__file__).resolve().parents[1]
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pct(values: list[float], p: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(p / 100 * (len(v) - 1))))]


def ms(x: float) -> float:
    return round(x * 1000, 3)


def summary(lat: list[float]) -> dict:
    return {"n": len(lat), "p50_ms": ms(pct(lat, 50)), "p99_ms": ms(pct(lat, 99))}


async def wait_http(url: str, timeout: float = 30.0) -> float:
    """Poll url until it answers 200; returns the monotonic time it did."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as s:
        while time.monotonic() < deadline:
            try:
                async with s.get(url) as r:
                    if r.status == 200:
                        return time.monotonic()
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.01)
    raise RuntimeError(f"{url} did not answer 200 within {timeout}s")


LOG = Path(os.environ.get("BENCH_LOG", "/tmp/rapidreview-bench.log"))


def spawn(args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen:
    """A server subprocess; its output goes to BENCH_LOG (a pipe nobody reads would fill and block it)."""
    with LOG.open("ab") as log:
        return subprocess.Popen(args, cwd=ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=log)


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


async def hammer(send: Callable[[aiohttp.ClientSession, int], Awaitable[int]], n: int, concurrency: int,
                 warmup: int = 50) -> tuple[list[float], int]:
    """Run `send` n times at `concurrency` (after a warm-up); latencies in seconds and the count of non-200s."""
    conn = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    async with aiohttp.ClientSession(connector=conn, timeout=aiohttp.ClientTimeout(total=10)) as s:
        for i in range(warmup):
            await send(s, -1 - i)
        lat: list[float] = []
        bad = 0
        counter = iter(range(n))

        async def worker() -> None:
            nonlocal bad
            for i in counter:
                t0 = time.perf_counter()
                status = await send(s, i)
                lat.append(time.perf_counter() - t0)
                bad += status != 200
        await asyncio.gather(*(worker() for _ in range(concurrency)))
    return lat, bad


AGENCY_KEYS = ["council", "icb", "police", "social_care", "health", "education", "ambulance", "probation"]


def bench_partnership(tmp: str, per_case: int) -> Path:
    """The example partnership with extra (fictional) agencies so each case can have `per_case` requests."""
    import yaml

    from bot.settings import DEFAULT_PARTNERSHIP
    data = yaml.safe_load(DEFAULT_PARTNERSHIP.read_text())
    for k in range(max(0, per_case - len(AGENCY_KEYS))):
        data["agencies"].append({"key": f"extra_{k}", "name": f"Bench Agency {k}"})
    path = Path(tmp) / "partnership.bench.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


async def seed_cases(db, n_cases: int, n_requests: int, platform: str = "slack") -> list[int]:  # noqa: ANN001
    """n_cases open cases (rr-2026-NNN) and n_requests agency requests spread over them; returns case ids."""
    from storage.models import AgencyRequest, Case

    now = datetime.now(timezone.utc)
    cases = [{"code": f"rr-2026-{i + 1:03d}", "year": 2026, "number": i + 1, "pseudonym": f"Child {i + 1}",
              "kind": "death", "state": "INFO_GATHERING", "track": "rapid_review", "platform": platform,
              "la_aware_on": date(2026, 9, 1), "lcspr_stage": "not_started", "channel_opened": True,
              "refer_as_possibly_national": False, "watch_names": [], "created_at": now, "updated_at": now}
             for i in range(n_cases)]
    async with db.transaction() as s:
        for i in range(0, n_cases, 2000):
            await s.execute(insert(Case), cases[i:i + 2000])
    from sqlalchemy import select
    async with db.read() as s:
        ids = list((await s.execute(select(Case.id).order_by(Case.id))).scalars())
    per_case = max(1, -(-n_requests // max(1, n_cases)))
    keys = AGENCY_KEYS + [f"extra_{k}" for k in range(max(0, per_case - len(AGENCY_KEYS)))]
    reqs = []
    for j in range(n_requests):
        cid, k = ids[j % len(ids)], keys[j // len(ids)]
        reqs.append({"case_id": cid, "agency_key": k, "state": "REQUESTED", "due_on": date(2026, 9, 20),
                     "requested_at": now, "return_data": {}})
    async with db.transaction() as s:
        for i in range(0, len(reqs), 2000):
            await s.execute(insert(AgencyRequest), reqs[i:i + 2000])
    return ids

