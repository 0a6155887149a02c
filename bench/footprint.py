"""Footprint: idle RSS of `rapidreview serve` (VmRSS from /proc after /healthz answers 200 and a second of
idle) and the time from process start to /healthz 200, against a bare `python -c` aiohttp server answering
/healthz. Median of a few starts each."""
from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
from pathlib import Path

from bench._common import PY, free_port, spawn, stop, wait_http
from storage.db import upgrade

RUNS = int(os.environ.get("BENCH_FOOTPRINT_RUNS", "3"))
BARE = ("import sys; from aiohttp import web\n"
        "async def h(_r): return web.json_response({'status': 'ok'})\n"
        "app = web.Application(); app.router.add_get('/healthz', h)\n"
        "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), print=None)")


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def _one(argv: list[str], env: dict[str, str], port: int) -> tuple[float, int]:
    t0 = time.monotonic()
    proc = spawn(argv, env)
    try:
        ready = await wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
        await asyncio.sleep(1.0)
        return ready - t0, _rss_kib(proc.pid)
    finally:
        stop(proc)


def _measure(make: callable) -> dict:  # type: ignore[valid-type]
    starts, rss = [], []
    for _ in range(RUNS):
        port = free_port()
        argv, env = make(port)
        s, r = asyncio.run(_one(argv, env, port))
        starts.append(s)
        rss.append(r)
    return {"start_to_healthz_ms": round(statistics.median(starts) * 1000, 1),
            "idle_rss_mib": round(statistics.median(rss) / 1024, 1), "runs": RUNS}


def run() -> dict:
    serve = Path(PY).with_name("rapidreview")
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/footprint.db"
        upgrade(url)
        env = {"RAPIDREVIEW_DATABASE_URL": url, "RAPIDREVIEW_HOST": "127.0.0.1",
               "SLACK_BOT_TOKEN": "xoxb-1111-2222-fakebot", "SLACK_SIGNING_SECRET": "8f742231b10e8888abcd99yyyzzz85a5",
               "SLACK_API_URL": "http://127.0.0.1:9/api/"}
        bot = _measure(lambda port: ([str(serve), "serve"], {**env, "RAPIDREVIEW_PORT": str(port)}))
        bare = _measure(lambda port: ([PY, "-c", BARE, str(port)], {}))
    return {"baseline_bare_aiohttp": bare, "rapidreview_serve": bot,
            "ratio": {"rss_x": round(bot["idle_rss_mib"] / bare["idle_rss_mib"], 2),
                      "start_x": round(bot["start_to_healthz_ms"] / bare["start_to_healthz_ms"], 2)}}


if __name__ == "__main__":
    import json
    print(json.dumps(run(), indent=2))
