"""Slack ack latency: signed `/rapidreview status` from a case channel, posted over HTTP to the real bot
(`python -m server.cli serve`, a subprocess) with 1,000 cases and 10,000 agency requests in the database, at
concurrency 1 and 20; p50/p99 to the HTTP response. Baselines in the same run, each its own process: a bare
Bolt AsyncApp (process_before_response=True) whose handler only acks, and a bare aiohttp handler that reads
the body and answers 200. Targets: p50 <= 3 ms at concurrency 1; p99 <= 2x bare Bolt's at concurrency 20."""
from __future__ import annotations

import asyncio
import os
import tempfile
import time
import urllib.parse

import aiohttp
from aiohttp import web

from bench._common import PY, bench_partnership, free_port, hammer, seed_cases, spawn, stop, summary, wait_http
from storage.db import Database, upgrade

CASES = int(os.environ.get("BENCH_SLACK_CASES", "1000"))
REQUESTS = int(os.environ.get("BENCH_SLACK_AGENCY_REQUESTS", "10000"))
N1 = int(os.environ.get("BENCH_SLACK_N1", "1000"))
N20 = int(os.environ.get("BENCH_SLACK_N20", "2000"))
PACED = int(os.environ.get("BENCH_SLACK_PACED", "200"))
PACE_MS = 50
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN, TEAM = "xoxb-1111-2222-fakebot", "T0FAKE001"
CHANNEL, MEMBER = "C0BENCH0001", "U0FIC0004"


class Replies:
    """What arrived at the fake response_url: when each request was sent and when its reply came back, so
    the table shows that the work behind a fast ack was really done (and how long a person waits for it)."""

    def __init__(self) -> None:
        self.sent: dict[str, float] = {}
        self.received: dict[str, float] = {}
        self.first_text = ""


async def _fake_slack(replies: Replies) -> tuple[web.AppRunner, str, list[str]]:
    """A tiny Slack Web API: every method answers ok:true (auth.test with the bot's identity)."""
    calls: list[str] = []

    async def api(request: web.Request) -> web.Response:
        calls.append(request.match_info["method"])
        await request.read()
        return web.json_response({"ok": True, "user_id": "U0BOT0001", "bot_id": "B0FAKE001", "team_id": TEAM,
                                  "user": "rapidreview", "team": "fake", "url": "https://fake.slack.com/",
                                  "channel": CHANNEL, "ts": f"{time.time():.6f}"})

    async def response_url(request: web.Request) -> web.Response:
        body = await request.json()
        replies.received[request.match_info["n"]] = time.perf_counter()
        replies.first_text = replies.first_text or str(body.get("text", ""))[:80]
        return web.json_response({"ok": True})
    app = web.Application()
    app.router.add_post("/api/{method}", api)
    app.router.add_post("/response/{n}", response_url)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}", calls


async def _seed(url: str) -> None:
    from sqlalchemy import insert

    from storage.models import ChannelLink
    db = Database(url)
    ids = await seed_cases(db, CASES, REQUESTS)
    async with db.transaction() as s:
        await s.execute(insert(ChannelLink), [{"case_id": ids[len(ids) // 2], "platform": "slack", "channel_id": CHANNEL,
                                               "extra": {}}])
    await db.dispose()


def _signed(body: str) -> dict[str, str]:
    import hashlib
    import hmac
    ts = str(int(time.time()))
    sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": sig}


def _sender(url: str, fake: str, check: list[str], replies: Replies, run: str):  # noqa: ANN202
    async def send(s: aiohttp.ClientSession, i: int) -> int:
        rid = f"{run}-{i}"
        replies.sent[rid] = time.perf_counter()
        body = urllib.parse.urlencode({
            "token": "legacy", "team_id": TEAM, "team_domain": "fake", "channel_id": CHANNEL,
            "channel_name": "privategroup", "user_id": MEMBER, "user_name": "member", "command": "/rapidreview",
            "text": "status", "api_app_id": "A0FAKE001", "is_enterprise_install": "false",
            "response_url": f"{fake}/response/{rid}", "trigger_id": f"{i + 100000}.2000.{time.time_ns():x}"})
        async with s.post(url, data=body.encode(), headers=_signed(body)) as r:
            text = await r.text()
            if not check:
                check.append(text)
            return r.status
    return send


async def _measure(url: str, fake: str, name: str, replies: Replies) -> dict:
    check: list[str] = []
    out = {}
    for conc, n in ((1, N1), (20, N20)):
        send = _sender(url, fake, check, replies, f"{name}.c{conc}")
        lat, bad = await hammer(send, n, conc)
        out[f"c{conc}"] = {**summary(lat), "non_200": bad}
        if name == "rapidreview_serve":
            out[f"c{conc}"]["replies"] = await _replies(replies, f"{name}.c{conc}-", n)
    if name == "rapidreview_serve":
        out["paced"] = await _paced(url, fake, check, replies, name)
    out["ack_body"] = check[0][:80] if check else ""
    if name == "rapidreview_serve":
        out["first_reply"] = replies.first_text
    return out


async def _paced(url: str, fake: str, check: list[str], replies: Replies, name: str) -> dict:
    """What one person sees when the bot is not flooded: a command every PACE_MS, ack and reply timed.
    (c1 and c20 send the next command as soon as the last was acked, so replies queue behind each other.)"""
    send, lat = _sender(url, fake, check, replies, f"{name}.paced"), []
    async with aiohttp.ClientSession() as s:
        for i in range(PACED):
            t0 = time.perf_counter()
            await send(s, i)
            lat.append(time.perf_counter() - t0)
            await asyncio.sleep(PACE_MS / 1000)
    return {**summary(lat), "replies": await _replies(replies, f"{name}.paced-", PACED)}


async def _replies(replies: Replies, prefix: str, n: int) -> dict:
    """Wait (up to 30 s) for every measured request's reply; count them and time send -> reply."""
    expected = [k for k in replies.sent if k.startswith(prefix) and not k[len(prefix):].startswith("-")]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not all(k in replies.received for k in expected):
        await asyncio.sleep(0.05)
    waits = [replies.received[k] - replies.sent[k] for k in expected if k in replies.received]
    return {"received": f"{len(waits)}/{n}", **({"p50_ms": summary(waits)["p50_ms"], "p99_ms": summary(waits)["p99_ms"]}
                                               if waits else {})}


async def _run(db_url: str, partnership: str) -> dict:
    replies = Replies()
    runner, fake, calls = await _fake_slack(replies)
    env = {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": f"{fake}/api/"}
    results: dict[str, dict] = {}
    try:
        for name, args, extra in (
            ("bare_aiohttp", ["-m", "bench._bare_servers", "aiohttp"], {}),
            ("bare_bolt", ["-m", "bench._bare_servers", "bolt"], {}),
            ("rapidreview_serve", ["-m", "server.cli", "serve"], {"RAPIDREVIEW_DATABASE_URL": db_url,
                                                               "RAPIDREVIEW_TICK_SECONDS": "3600",
                                                               "RAPIDREVIEW_PARTNERSHIP": partnership}),
        ):
            port = free_port()
            argv = [PY, *args] + ([str(port)] if name.startswith("bare") else [])
            proc = spawn(argv, {**env, **extra, "RAPIDREVIEW_PORT": str(port), "RAPIDREVIEW_HOST": "127.0.0.1"})
            try:
                print(f"  slack_ack: {name}", flush=True)
                await wait_http(f"http://127.0.0.1:{port}/healthz")
                results[name] = await _measure(f"http://127.0.0.1:{port}/slack/events", fake, name, replies)
            finally:
                stop(proc)
    finally:
        await runner.cleanup()
    bot, bolt = results["rapidreview_serve"], results["bare_bolt"]
    p50, p99, bolt99 = bot["c1"]["p50_ms"], bot["c20"]["p99_ms"], bolt["c20"]["p99_ms"]
    results["targets"] = {
        "p50_c1_le_3ms": f"{'met' if p50 <= 3 else 'NOT met'} ({p50} ms)",
        "p99_c20_le_2x_bolt": f"{'met' if p99 <= 2 * bolt99 else 'NOT met'} ({p99} ms vs 2x{bolt99} ms)",
        "every_command_answered": " / ".join(bot[c]["replies"]["received"] for c in ("c1", "c20"))}
    return results


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/slack.db"
        upgrade(url)
        asyncio.run(_seed(url))
        partnership = bench_partnership(tmp, -(-REQUESTS // CASES))
        return asyncio.run(_run(url, str(partnership)))


if __name__ == "__main__":
    import json
    print(json.dumps(run(), indent=2))
