"""A whole bot on 127.0.0.1 with Teams switched on, talking to fake Microsoft services, driven the way
Teams drives it: activities POSTed to /api/messages as named members of the partnership."""
from __future__ import annotations

import asyncio
import itertools
from datetime import date, time
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

from server.app import build_runtime, make_web_app
from bot.settings import Settings
from storage.models import OutboxEffect
from tests.teams.fakes import FakeBotConnector, FakeGraph, FakeIssuer

TEAM_ID = "0b2a7f1e-aaaa-4bbb-8ccc-000000000001"
HOME_TENANT = "10000000-0000-4000-8000-000000000001"
GENERAL = "19:general@thread.tacv2"
APP_ID = "a1b2c3d4-0000-4000-8000-00000000b007"


class TeamsBot:
    """The bot under test plus its fakes, and helpers that speak as Teams would."""

    def __init__(self, rt, url: str, connector: FakeBotConnector, graph: FakeGraph, clock, token=None):  # noqa: ANN001
        self.rt, self.url, self.connector, self.graph, self.clock = rt, url, connector, graph, clock
        self.token = token  # a function minting an inbound JWT, when the bot checks them
        self._ids = itertools.count(1)
        self.session: aiohttp.ClientSession | None = None

    def on(self, d: date, at: time = time(10, 0)) -> "TeamsBot":
        self.clock.on(d, at)
        return self

    # -- where activities come from -------------------------------------------------------------------
    def member(self, key: str):  # noqa: ANN201
        return self.rt.partnership.member(key)

    def channel(self, name: str) -> str:
        found = self.graph.named(name)
        assert found is not None, f"no Graph channel named {name}"
        return found["id"]

    def activity(self, key: str | None, *, where: str = GENERAL, personal: bool = False, **fields: Any) -> dict:
        n = next(self._ids)
        m = self.member(key) if key else None
        aad = m.teams_user_id if m else "99999999-0000-4000-8000-000000000099"
        tenant = (m.teams_tenant_id if m else None) or HOME_TENANT
        if personal:
            conversation = {"id": f"a:personal-{aad}", "conversationType": "personal", "tenantId": tenant}
            channel_data = {"tenant": {"id": tenant}}
        else:
            conversation = {"id": f"{where};messageid={1700000000000 + n}", "conversationType": "channel",
                            "isGroup": True, "tenantId": HOME_TENANT}
            channel_data = {"channel": {"id": where}, "team": {"id": "19:team@thread.tacv2", "aadGroupId": TEAM_ID},
                            "tenant": {"id": HOME_TENANT}}
        return {"type": "message", "id": f"{1700000000000 + n}", "channelId": "msteams", "serviceUrl": self.connector.url,
                "timestamp": "2026-11-27T10:00:00.000Z", "locale": "en-GB",
                "from": {"id": f"29:{key or 'stranger'}-teams-id", "name": m.name if m else "A stranger",
                         "aadObjectId": aad},
                "recipient": {"id": f"28:{APP_ID}", "name": "RapidReview"},
                "conversation": conversation, "channelData": channel_data, **fields}

    async def post(self, activity: dict, *, token: str | None = None, headers: dict | None = None) -> tuple[int, Any]:
        h = dict(headers or {})
        tok = token if token is not None else (self.token() if self.token else None)
        if tok:
            h["Authorization"] = f"Bearer {tok}"
        async with self.session.post(self.url, json=activity, headers=h) as r:
            text = await r.text()
            try:
                return r.status, (await r.json(content_type=None)) if text else None
            except ValueError:
                return r.status, text

    async def say(self, key: str | None, text: str, *, where: str = GENERAL, personal: bool = False,
                  mention: bool = True) -> tuple[int, Any]:
        body = f"<at>RapidReview</at> {text}" if mention and not personal else text
        entities = [{"type": "mention", "text": "<at>RapidReview</at>",
                     "mentioned": {"id": f"28:{APP_ID}", "name": "RapidReview"}}] if mention and not personal else []
        status, body_out = await self.post(self.activity(key, where=where, personal=personal, text=body, entities=entities))
        await self.settle()
        return status, body_out

    async def click(self, key: str | None, verb: str, data: dict, *, where: str = GENERAL, personal: bool = False,
                    inputs: dict | None = None, trigger: str = "manual") -> dict:
        """An Action.Execute invoke, as Teams sends it when someone presses a card button."""
        a = self.activity(key, where=where, personal=personal, type="invoke", name="adaptiveCard/action",
                          replyToId="1790000000001",
                          value={"action": {"type": "Action.Execute", "verb": verb, "id": verb,
                                            "data": {**data, **(inputs or {})}}, "trigger": trigger})
        status, body = await self.post(a)
        assert status == 200, (status, body)
        await self.settle()
        return body

    # -- waiting for deliveries ------------------------------------------------------------------------
    async def settle(self, timeout: float = 10.0) -> None:
        """Deliver the outbox now and wait until nothing deliverable is left (the server's own
        dispatcher may hold some rows for a moment)."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            await self.rt.dispatcher.drain()
            async with self.rt.db.read() as s:
                busy = (await s.execute(select(OutboxEffect.id).where(
                    OutboxEffect.status.in_(("pending", "claimed")),
                    OutboxEffect.next_attempt_at <= self.clock()))).first()
            if busy is None or asyncio.get_running_loop().time() > deadline:
                return
            await asyncio.sleep(0.02)


def teams_env(connector: FakeBotConnector, graph: FakeGraph, **extra: str) -> dict[str, str]:
    env = {"TEAMS_ANONYMOUS": "true", "TEAMS_TEAM_ID": TEAM_ID, "GRAPH_API_URL": graph.url,
           "TEAMS_TENANT_ID": HOME_TENANT, "TEAMS_BOT_ID": APP_ID}
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


async def start_bot(db, clock, env: dict[str, str], connector: FakeBotConnector, graph: FakeGraph,  # noqa: ANN001
                    token=None) -> tuple[TeamsBot, web.AppRunner]:  # noqa: ANN001
    rt = build_runtime(Settings(database_url=db.url, tick_seconds=3600))
    rt.core.clock = rt.dispatcher.clock = clock
    if hasattr(rt, "ticker"):
        rt.ticker.clock = clock
    app = make_web_app(rt, env)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    bot = TeamsBot(rt, f"http://127.0.0.1:{runner.addresses[0][1]}/api/messages", connector, graph, clock, token)
    bot.session = aiohttp.ClientSession()
    bot.app = app
    return bot, runner


@pytest.fixture
async def fakes():
    connector, graph = FakeBotConnector(), FakeGraph(TEAM_ID)
    await connector.server.start()
    await graph.server.start()
    yield connector, graph
    await connector.server.stop()
    await graph.server.stop()


@pytest.fixture
async def teams(db, clock, fakes):
    """The bot in local (anonymous) mode with Graph: what most tests drive."""
    connector, graph = fakes
    bot, runner = await start_bot(db, clock, teams_env(connector, graph), connector, graph)
    yield bot
    await bot.session.close()
    await runner.cleanup()


@pytest.fixture
async def issuer(monkeypatch):
    """Inbound tokens signed with a key this test owns; the SDK is pointed at its JWKS on 127.0.0.1."""
    from microsoft_agents.hosting.core.authorization import _entra_issuers

    fake = FakeIssuer()
    await fake.server.start()
    monkeypatch.setitem(_entra_issuers.BOTFRAMEWORK_JWKS_URIS, "https://api.botframework.com", fake.jwks_url)
    yield fake
    await fake.server.stop()
