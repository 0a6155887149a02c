"""Teams invoke latency: an Action.Execute `approve` invoke POSTed to /api/messages of the real bot
(`python -m server.cli serve`, TEAMS_ANONYMOUS=true on loopback) at concurrency 20, against a bare Agents SDK
app (same anonymous configuration and CloudAdapter) answering a fixed card. Target: p99 <= 2x the bare app's.

The database holds 1,000 cases (10,000 agency requests), one of them at EXEC_APPROVAL with report v1; the
executive lead for the council presses Approve v1 again and again (each a new activity id, so none is
de-duplicated): the first approves, the rest are answered with the card as it now is."""
from __future__ import annotations

import asyncio
import hashlib
import itertools
import os
import tempfile
from datetime import datetime, timezone

import aiohttp

from bench._common import PY, bench_partnership, free_port, hammer, seed_cases, spawn, stop, summary, wait_http
from storage.db import Database, upgrade

CASES = int(os.environ.get("BENCH_TEAMS_CASES", "1000"))
REQUESTS = int(os.environ.get("BENCH_TEAMS_AGENCY_REQUESTS", "10000"))
N = int(os.environ.get("BENCH_TEAMS_N", "1500"))
HOME_TENANT = "10000000-0000-4000-8000-000000000001"
APP_ID = "a1b2c3d4-0000-4000-8000-00000000b007"


async def _seed(url: str) -> str:
    from sqlalchemy import insert, update

    from storage.models import Case, ReportVersion
    db = Database(url)
    ids = await seed_cases(db, CASES, REQUESTS, platform="teams")
    cid = ids[len(ids) // 2]
    content = "# Rapid review\n\nbench report v1\n"
    async with db.transaction() as s:
        await s.execute(update(Case).where(Case.id == cid).values(state="EXEC_APPROVAL", recommendation="lcspr",
                                                                 recommendation_reason="bench"))
        await s.execute(insert(ReportVersion), [{"case_id": cid, "number": 1, "content": content,
                                                 "content_hash": hashlib.sha256(content.encode()).hexdigest(),
                                                 "created_by": "bu_officer",
                                                 "created_at": datetime.now(timezone.utc)}])
    async with db.read() as s:
        from sqlalchemy import select
        code = (await s.execute(select(Case.code).where(Case.id == cid))).scalar_one()
    await db.dispose()
    return code


def _texts(body: str) -> str:
    import json

    def walk(x):  # noqa: ANN001, ANN202
        if isinstance(x, dict):
            if x.get("type") == "TextBlock":
                yield str(x.get("text", ""))
            for v in x.values():
                yield from walk(v)
        elif isinstance(x, list):
            for v in x:
                yield from walk(v)
    try:
        return " / ".join(walk(json.loads(body)))
    except ValueError:
        return body


def _sender(url: str, service_url: str, code: str, aad: str, tenant: str, first: list):  # noqa: ANN202
    ids = itertools.count(1)

    async def send(s: aiohttp.ClientSession, _i: int) -> int:
        n = next(ids)
        activity = {
            "type": "invoke", "name": "adaptiveCard/action", "id": f"bench-{n}", "channelId": "msteams",
            "serviceUrl": service_url, "timestamp": "2026-11-27T10:00:00.000Z", "locale": "en-GB",
            "from": {"id": "29:exec-council-teams-id", "name": "Exec", "aadObjectId": aad},
            "recipient": {"id": f"28:{APP_ID}", "name": "RapidReview"},
            "conversation": {"id": f"a:personal-{aad}", "conversationType": "personal", "tenantId": tenant},
            "channelData": {"tenant": {"id": tenant}}, "replyToId": "1790000000001",
            "value": {"action": {"type": "Action.Execute", "verb": "approve", "id": "approve",
                                 "data": {"card": "executive_approval", "case": code, "version": 1}},
                      "trigger": "manual"}}
        async with s.post(url, json=activity) as r:
            body = await r.text()
            if len(first) < 2:  # what the card says, to show the invoke did what it should
                first.append(_texts(body)[:100])
            return r.status
    return send


async def _run(db_url: str, partnership: str, code: str) -> dict:
    from bot.partnership import load_partnership
    from tests.teams.fakes import FakeBotConnector

    lead = load_partnership(partnership).member("exec_council")
    aad, tenant = lead.teams_user_id, lead.teams_tenant_id or HOME_TENANT
    connector = FakeBotConnector()
    await connector.server.start()
    env = {"TEAMS_ANONYMOUS": "true", "TEAMS_TENANT_ID": HOME_TENANT, "TEAMS_BOT_ID": APP_ID,
           "RAPIDREVIEW_HOST": "127.0.0.1", "SLACK_BOT_TOKEN": "", "SLACK_SIGNING_SECRET": ""}
    results: dict = {}
    try:
        for name, args, extra in (
            ("bare_agents_sdk", ["-m", "bench._bare_servers", "agents"], {}),
            ("rapidreview_serve", ["-m", "server.cli", "serve"], {"RAPIDREVIEW_DATABASE_URL": db_url,
                                                               "RAPIDREVIEW_TICK_SECONDS": "3600",
                                                               "RAPIDREVIEW_PARTNERSHIP": partnership}),
        ):
            port = free_port()
            argv = [PY, *args] + ([str(port)] if name.startswith("bare") else [])
            proc = spawn(argv, {**env, **extra, "RAPIDREVIEW_PORT": str(port)})
            try:
                await wait_http(f"http://127.0.0.1:{port}/healthz", timeout=60)
                first: list = []
                lat, bad = await hammer(_sender(f"http://127.0.0.1:{port}/api/messages", connector.url, code, aad,
                                                tenant, first), N, 20)
                results[name] = {"c20": {**summary(lat), "non_200": bad}, "first_replies": " | ".join(first)}
            finally:
                stop(proc)
    finally:
        await connector.server.stop()
    p99, base = results["rapidreview_serve"]["c20"]["p99_ms"], results["bare_agents_sdk"]["c20"]["p99_ms"]
    results["targets"] = {"p99_c20_le_2x_bare": f"{'met' if p99 <= 2 * base else 'NOT met'} ({p99} ms vs 2x{base} ms)"}
    return results


def run() -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{tmp}/teams.db"
        upgrade(url)
        code = asyncio.run(_seed(url))
        partnership = str(bench_partnership(tmp, -(-REQUESTS // CASES)))
        return asyncio.run(_run(url, partnership, code))


if __name__ == "__main__":
    import json
    print(json.dumps(run(), indent=2))
