"""Slack test fixtures: the fake Web API, requests signed like Slack's, and the bot on a real port.

`slack` runs the whole bot (build_runtime + make_web_app, the composition root) on 127.0.0.1 with
its Web API pointed at the fake, on the `db` fixture's database (SQLite and PostgreSQL), with a
frozen clock the test moves. `SlackSide` plays Slack: it signs and posts slash commands, button
clicks, modal submissions and events exactly as Slack would.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import time
import urllib.parse
from datetime import date, datetime, time as dtime
from pathlib import Path
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from sqlalchemy import select

import server.app
from adapters.slack.http import SLACK
from bot.calendar import at_london_time
from bot.settings import DEFAULT_PARTNERSHIP, Settings
from storage.models import AuditEvent, OutboxEffect
from tests.slack.fake_slack import BOT_TOKEN, TEAM, FakeSlack, load_spec

ROOT = Path(__file__).resolve().parents[2]
# A copy of Slack's own Web API description (MIT, licence beside it), so a fresh clone needs nothing beside it.
SPEC_DIR = ROOT / "tests" / "data" / "slack_api_specs"
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"


# -- signing like Slack (v0 HMAC-SHA256 over "v0:<timestamp>:<body>") --------------------------------------
def signature(body: str, ts: int | str, secret: str = SECRET) -> str:
    return "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()


def signed_headers(body: str, content_type: str, *, ts: int | None = None, secret: str = SECRET,
                   retry: int | None = None) -> dict[str, str]:
    ts = int(time.time()) if ts is None else ts
    h = {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts), "X-Slack-Signature": signature(body, ts, secret),
         "User-Agent": "Slackbot 1.0 (+https://api.slack.com/robots)"}
    if retry is not None:
        h.update({"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
    return h


async def start_site(app: web.Application) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


@pytest.fixture(scope="session")
def slack_spec():
    if not (SPEC_DIR / "slack_web_openapi_v2.json").exists():
        pytest.fail(f"Slack's OpenAPI spec is missing from {SPEC_DIR}: the fake Web API cannot check calls without it")
    return load_spec(SPEC_DIR)


@pytest.fixture
async def fake_slack(slack_spec):
    fake = FakeSlack(slack_spec)
    runner, fake.base = await start_site(fake.app)
    yield fake
    for ws in fake.sockets:
        await ws.close()
    await runner.cleanup()
    assert not fake.problems, "the bot made calls Slack would refuse:\n" + "\n".join(fake.problems)


class Clock:
    """The core's, the dispatcher's and the ticker's clock, moved by the test (Europe/London days)."""

    def __init__(self, d: date = date(2026, 9, 7)):
        self.now = at_london_time(d, dtime(10, 0))

    def __call__(self) -> datetime:
        return self.now

    def on(self, d: date, at: dtime = dtime(10, 0)) -> None:
        self.now = at_london_time(d, at)


class SlackSide:
    """Slack itself, from the bot's point of view: signed requests to POST /slack/events."""

    def __init__(self, url: str, fake: FakeSlack, idle: Callable[[], Awaitable[None]] | None = None):
        self.url, self.fake = url, fake
        self.idle = idle  # waits for the bot's after-ack work (in-process); None: poll for the reply
        self._n = itertools.count(1)

    def trigger(self) -> str:
        n = next(self._n)
        return f"{1000 + n}.{2000 + n}.{n:032x}"

    async def post(self, body: str, content_type: str, **kw: Any) -> tuple[int, str]:
        async with aiohttp.ClientSession() as s, s.post(self.url, data=body.encode(),
                                                        headers=signed_headers(body, content_type, **kw)) as r:
            return r.status, await r.text()

    async def form(self, fields: dict[str, str], **kw: Any) -> tuple[int, str]:
        return await self.post(urllib.parse.urlencode(fields), "application/x-www-form-urlencoded", **kw)

    def command_fields(self, user: str, text: str, channel: str = "C0GENERAL1") -> dict[str, str]:
        return {"token": "legacy-verification-token", "team_id": TEAM, "team_domain": "fake-partnership",
                "channel_id": channel, "channel_name": "directmessage" if channel.startswith("D") else "general",
                "user_id": user, "user_name": user.lower(), "command": "/rapidreview", "text": text,
                "api_app_id": "A0FAKE001", "is_enterprise_install": "false",
                "response_url": f"{self.fake.base}/response/cmd{next(self._n)}", "trigger_id": self.trigger()}

    async def command(self, user: str, text: str, channel: str = "C0GENERAL1", **kw: Any) -> tuple[int, dict | str]:
        """Send `/rapidreview text`: the HTTP status, and the reply the person sees. The bot acks with an empty
        body and answers through the response_url, so the reply is read from there ("" when a form opened)."""
        fields = self.command_fields(user, text, channel)
        status, body = await self.form(fields, **kw)
        if status != 200 or body.strip():
            return status, _json_or_text(body)  # refused before any listener ran (401, 400, 415)
        reply = await self.reply_to(fields["response_url"].rsplit("/", 1)[1])
        return status, "" if reply is None else reply

    async def reply_to(self, rid: str, wait: float = 3.0) -> dict | None:
        """The (last) body POSTed to response_url `rid`, once the bot's after-ack work is done."""
        if self.idle is not None:
            await self.idle()
            wait = 0
        deadline = time.monotonic() + wait
        while True:
            found = [body for r, body in self.fake.responses if r == rid]
            if found or time.monotonic() >= deadline:
                return found[-1] if found else None
            await asyncio.sleep(0.01)

    async def click(self, user: str, message: dict[str, Any], action_id: str, *, channel: str, option: str | None = None,
                    **kw: Any) -> tuple[int, str]:
        """Press a button (or pick `option` of a select) on a message the bot posted."""
        element, block_id = find_element(message["blocks"], action_id)
        action = {"type": element["type"], "action_id": action_id, "block_id": block_id, "action_ts": f"{time.time():.6f}"}
        if element["type"] == "static_select":
            chosen = next(o for o in element["options"] if json.loads(o["value"]).get("recipient") == option)
            action["selected_option"] = chosen
        elif "url" in element:  # a link button: Slack opens the link and sends no value
            action.update(text=element["text"])
        else:
            action.update(value=element["value"], text=element["text"])
        payload = {"type": "block_actions", "user": {"id": user, "username": user.lower(), "team_id": TEAM},
                   "api_app_id": "A0FAKE001", "token": "legacy-verification-token", "team": {"id": TEAM, "domain": "fake"},
                   "trigger_id": self.trigger(), "container": {"type": "message", "message_ts": message["ts"],
                                                               "channel_id": channel, "is_ephemeral": False},
                   "channel": {"id": channel, "name": "privategroup"}, "message": message,
                   "response_url": f"{self.fake.base}/response/act{next(self._n)}", "actions": [action]}
        return await self.form({"payload": json.dumps(payload)}, **kw)

    async def submit(self, user: str, view: dict[str, Any], entered: dict[str, Any], **kw: Any) -> tuple[int, dict | str]:
        """Submit a modal the bot opened, with `entered` values by block id."""
        payload = {"type": "view_submission", "team": {"id": TEAM, "domain": "fake"},
                   "user": {"id": user, "username": user.lower(), "team_id": TEAM}, "api_app_id": "A0FAKE001",
                   "token": "legacy-verification-token", "trigger_id": self.trigger(),
                   "view": {**view, "state": {"values": state_values(view, entered)}}, "response_urls": []}
        status, body = await self.form({"payload": json.dumps(payload)}, **kw)
        return status, _json_or_text(body)

    async def event(self, event: dict[str, Any], *, event_id: str | None = None, **kw: Any) -> tuple[int, str]:
        envelope = {"token": "legacy-verification-token", "team_id": TEAM, "api_app_id": "A0FAKE001",
                    "type": "event_callback", "event_id": event_id or f"Ev0{next(self._n):08d}",
                    "event_time": int(time.time()),
                    "authorizations": [{"team_id": TEAM, "user_id": "U0BOT0001", "is_bot": True}], "event": event}
        return await self.post(json.dumps(envelope), "application/json", **kw)


def _json_or_text(body: str) -> dict | str:
    try:
        return json.loads(body)
    except (json.JSONDecodeError, ValueError):
        return body


def find_element(blocks: list[dict[str, Any]], action_id: str) -> tuple[dict[str, Any], str]:
    for b in blocks:
        for el in (b.get("elements") or []) + ([b["accessory"]] if "accessory" in b else []):
            if el.get("action_id") == action_id:
                return el, b.get("block_id", "")
    raise AssertionError(f"no element {action_id} in {json.dumps(blocks)[:500]}")


def state_values(view: dict[str, Any], entered: dict[str, Any]) -> dict[str, Any]:
    """view.state.values as Slack builds it from what a person entered, by each input's element type."""
    out: dict[str, Any] = {}
    for b in view["blocks"]:
        if b["type"] != "input":
            continue
        el, value = b["element"], entered.get(b["block_id"])
        kind = el["type"]
        if kind == "datepicker":
            v = {"type": kind, "selected_date": value}
        elif kind in ("static_select", "radio_buttons"):
            opt = next((o for o in el["options"] if o["value"] == value), None) if value else el.get("initial_option")
            v = {"type": kind, "selected_option": opt}
        elif kind == "checkboxes":
            v = {"type": kind, "selected_options": [o for o in el["options"] if o["value"] in (value or [])]}
        else:
            v = {"type": kind, "value": value}
        out[b["block_id"]] = {el["action_id"]: v}
    return out


class Harness:
    def __init__(self, rt, app, url: str, fake: FakeSlack, clock: Clock):  # noqa: ANN001
        self.rt, self.app, self.fake, self.clock = rt, app, fake, clock
        self.slack = SlackSide(url + "/slack/events", fake, idle=app[SLACK].deps.background.idle)
        self.base = url

    async def settle(self) -> None:
        """Deliver everything deliverable now (rows backing off stay put), and let after-ack tasks finish."""
        for _ in range(100):
            await self.app[SLACK].deps.background.idle()
            if not await self.rt.dispatcher.drain() and not self.app[SLACK].deps.background.tasks:
                return
        raise AssertionError("the outbox did not settle")

    async def audit(self, action: str | None = None) -> list[AuditEvent]:
        async with self.rt.db.read() as s:
            q = select(AuditEvent).order_by(AuditEvent.seq)
            return list((await s.execute(q.where(AuditEvent.action == action) if action else q)).scalars())

    async def outbox(self) -> list[OutboxEffect]:
        async with self.rt.db.read() as s:
            return list((await s.execute(select(OutboxEffect).order_by(OutboxEffect.id))).scalars())


def slack_env(fake: FakeSlack, **extra: str) -> dict[str, str]:
    return {"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_SIGNING_SECRET": SECRET, "SLACK_API_URL": f"{fake.base}/api/", **extra}


@pytest.fixture
def slack_extra_env() -> dict[str, str]:
    """Tests override this to switch on the admin token or Socket Mode."""
    return {}


@pytest.fixture
async def slack(db, fake_slack, monkeypatch, slack_extra_env):
    # The Slack adapter alone: other adapters are tested (and configured) in their own folders.
    monkeypatch.setattr(server.app, "ADAPTERS", ("adapters.slack",))
    clock = Clock()
    rt = server.app.build_runtime(Settings(database_url=db.url, partnership=DEFAULT_PARTNERSHIP, tick_seconds=3600))
    for part in (rt.core, rt.dispatcher, getattr(rt, "ticker", None)):
        if part is not None:
            part.clock = clock
    app = server.app.make_web_app(rt, slack_env(fake_slack, **slack_extra_env))
    runner, url = await start_site(app)
    # Deliveries happen when the test says (Harness.settle runs the same dispatcher), so what a test sees
    # never depends on a race with the server's own delivery task; test_serve.py runs that task for real.
    task = app.get(server.app.DISPATCHER_TASK)
    if task is not None:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    yield Harness(rt, app, url, fake_slack, clock)
    await runner.cleanup()

