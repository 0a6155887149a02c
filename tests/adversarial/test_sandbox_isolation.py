"""Issue 16, item 1: the sandbox (no sign-in) must never act on real cases.

Found by a security test: with Slack configured and RAPIDREVIEW_SANDBOX=true the sandbox shared Slack's
database, and POST /sandbox/api/type as each executive lead approved a Slack case. Now: the combination is
refused at start-up, a sandbox pointed at a database holding another platform's cases refuses every request,
every API call needs the page's same-origin token, and a request that came through a proxy is refused."""
from __future__ import annotations

from aiohttp.test_utils import TestClient, TestServer

from adapters.sandbox import SANDBOX
from adapters.sandbox.config import decide
from adapters.sandbox.web import TOKEN_HEADER
from bot.context import Invocation
from bot.settings import Settings
from server.app import ADAPTER_STATUSES, build_runtime, make_web_app
from tests.sandbox.conftest import rt, sandbox, serve_sandbox, sqlite_url  # noqa: F401 (fixtures)

SLACK = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret", "SLACK_API_URL": "http://127.0.0.1:9/api/"}
TEAMS = {"TEAMS_ANONYMOUS": "true"}


def test_the_sandbox_is_refused_beside_slack_or_teams_even_when_asked_for():
    for env in (SLACK, TEAMS, {**SLACK, **TEAMS}):
        decision = decide({**env, "RAPIDREVIEW_SANDBOX": "true"}, "127.0.0.1")
        assert not decision.on
        assert decision.reason.startswith("refused:") and "own database" in decision.reason


async def test_with_slack_configured_the_sandbox_routes_do_not_exist(sqlite_url):
    rt = build_runtime(Settings(database_url=sqlite_url, tick_seconds=3600))
    app = make_web_app(rt, {**SLACK, "RAPIDREVIEW_SANDBOX": "true"})
    sandbox = next(s for s in app[ADAPTER_STATUSES] if s.name == "Sandbox")
    assert not sandbox.configured
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        body = {"as": "exec_police", "conversation": "dm:exec_police", "text": "approve v1 case=rr-2026-001"}
        assert (await client.post("/sandbox/api/type", json=body)).status == 404
        assert (await client.get("/board")).status == 404
    finally:
        await client.close()


async def test_a_sandbox_on_a_database_with_real_cases_refuses_every_request(rt):
    p = rt.partnership
    bu = p.member("bu_officer")
    reply = await rt.core.handle(Invocation("slack", bu.slack_user_id or "U0BU", bu,
                                            text='new pseudonym="Child V" aware=2026-12-01'))
    assert reply.ok, reply.text
    box = await serve_sandbox(rt, {})
    try:
        c = box.client
        for who in ("exec_police", "exec_health", "exec_la"):
            resp = await c.post("/sandbox/api/type", json={"as": who, "conversation": f"dm:{who}",
                                                            "text": "status rr-2026-001"})
            assert resp.status == 403 and "real cases" in await resp.text()
        assert (await c.get("/board")).status == 403
        assert (await c.get("/sandbox/api/board")).status == 403
    finally:
        await c.close()


async def test_every_sandbox_api_call_needs_the_pages_token(sandbox):
    c = sandbox.client
    token = sandbox.app[SANDBOX]["token"]
    page = await (await c.get("/")).text()
    assert f'<meta name="sandbox-token" content="{token}">' in page
    body = {"as": "bu_officer", "conversation": "dm:bu_officer", "text": "help"}
    no_token = {TOKEN_HEADER: ""}
    assert (await c.post("/sandbox/api/type", json=body, headers=no_token)).status == 403
    assert (await c.post("/sandbox/api/type", json=body, headers={TOKEN_HEADER: "guess"})).status == 403
    assert (await c.get("/sandbox/api/state", params={"as": "bu_officer"}, headers=no_token)).status == 403
    assert (await c.get("/sandbox/api/board", headers=no_token)).status == 403
    assert (await c.post("/sandbox/api/type", json=body)).status == 200  # the client sends the page's token


async def test_a_request_that_came_through_a_proxy_is_refused(sandbox):
    c = sandbox.client
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP", "X-Forwarded-Host"):
        resp = await c.get("/", headers={header: "203.0.113.9"})
        assert resp.status == 403 and "proxy" in await resp.text()
