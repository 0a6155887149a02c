"""When the sandbox runs, and that it never answers beyond this machine."""
from __future__ import annotations

import pytest

from adapters.sandbox import prepare_settings
from adapters.sandbox.config import DEFAULT_DATABASE_URL, decide, is_loopback
from server.app import ADAPTER_STATUSES, make_web_app, platform_report
from bot.settings import Settings
from tests.sandbox.conftest import serve_sandbox

SLACK = {"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "secret"}
TEAMS = {"TEAMS_ANONYMOUS": "true"}


@pytest.mark.parametrize("env, on, why", [
    ({}, True, ""),
    (SLACK, False, "Slack configured"),
    ({"SLACK_BOT_TOKEN": "xoxb-test"}, True, ""),  # half a Slack set-up is not Slack
    (TEAMS, False, "Teams configured"),
    ({"CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID": "app"}, False, "Teams configured"),
    ({**SLACK, **TEAMS}, False, "Slack and Teams configured"),
    ({**SLACK, "RAPIDREVIEW_SANDBOX": "true"}, False, "refused: Slack configured"),  # it would share Slack's database
    ({"RAPIDREVIEW_SANDBOX": "false"}, False, "RAPIDREVIEW_SANDBOX=false"),
    ({"RAPIDREVIEW_SANDBOX_TODAY": "2026-13-01"}, False, "no such day"),
])
def test_the_sandbox_runs_only_when_no_chat_platform_is_configured_or_when_asked(env, on, why):
    decision = decide(env, "127.0.0.1")
    assert decision.on is on
    assert why in decision.reason


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10", "10.0.0.5", "example.org", "rapidreview.local"])
def test_a_non_loopback_host_is_refused_with_the_reason(host):
    decision = decide({"RAPIDREVIEW_SANDBOX": "true"}, host)
    assert not decision.on
    assert f"RAPIDREVIEW_HOST={host} is not a loopback address" in decision.reason
    assert "only runs on 127.0.0.1" in decision.reason


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1", "[::1]"])
def test_loopback_hosts(host):
    assert is_loopback(host)


async def test_on_a_public_address_the_sandbox_registers_nothing_and_says_why(sqlite_url):
    from aiohttp.test_utils import TestClient, TestServer

    from server.app import build_runtime

    rt = build_runtime(Settings(database_url=sqlite_url, host="0.0.0.0", tick_seconds=3600))
    app = make_web_app(rt, {})
    sandbox = next(s for s in app[ADAPTER_STATUSES] if s.name == "Sandbox")
    assert not sandbox.configured and "not a loopback address" in sandbox.reason
    assert "sandbox" not in rt.platforms
    assert any(line.startswith("Sandbox: not configured (refused: RAPIDREVIEW_HOST=0.0.0.0")
               for line in platform_report(app[ADAPTER_STATUSES], {}))
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    try:
        for path in ("/", "/board", "/sandbox/api/state?as=bu_officer"):
            assert (await client.get(path)).status == 404
    finally:
        await client.close()


def test_the_sandbox_keeps_its_own_database_file_unless_told_otherwise():
    assert prepare_settings(Settings(), {}).database_url == DEFAULT_DATABASE_URL
    explicit = Settings(database_url="sqlite+aiosqlite:///./mine.db")
    assert prepare_settings(explicit, {}).database_url == "sqlite+aiosqlite:///./mine.db"
    assert prepare_settings(Settings(), SLACK).database_url != DEFAULT_DATABASE_URL  # Slack's real database
    assert prepare_settings(Settings(host="0.0.0.0"), {}).database_url != DEFAULT_DATABASE_URL


async def test_requests_naming_another_host_or_from_another_site_are_refused(sandbox):
    c = sandbox.client
    assert (await c.get("/", headers={"Host": "attacker.example"})).status == 403  # DNS rebinding
    ok = await c.get("/", headers={"Host": f"localhost:{c.port}"})
    assert ok.status == 200 and "Sandbox — fictional data only" in await ok.text()
    assert ok.headers["Content-Security-Policy"].startswith("default-src 'self'")
    body = {"as": "bu_officer", "conversation": "dm:bu_officer", "text": "help"}
    assert (await c.post("/sandbox/api/type", data="as=bu_officer&text=help",
                         headers={"Content-Type": "application/x-www-form-urlencoded"})).status == 403
    assert (await c.post("/sandbox/api/type", json=body, headers={"Origin": "http://attacker.example"})).status == 403
    assert (await c.post("/sandbox/api/type", json=body, headers={"Origin": f"http://127.0.0.1:{c.port}"})).status == 200
    assert (await c.get("/sandbox/api/state", params={"as": "nobody"})).status == 400


def test_serve_starts_the_sandbox_on_loopback_and_stops_promptly_with_a_page_open(tmp_path):
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.sandbox.conftest import ROOT, clean_env, free_port

    port = free_port()
    env = clean_env(RAPIDREVIEW_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/rr.db", RAPIDREVIEW_PORT=str(port))
    assert subprocess.run([sys.executable, "-m", "server.cli", "db", "upgrade"], env=env, cwd=ROOT, capture_output=True,
                          timeout=120).returncode == 0
    proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    stream = None
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.2)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as r:
            page = r.read().decode()
        assert "Sandbox — fictional data only" in page
        token = page.split('<meta name="sandbox-token" content="', 1)[1].split('"', 1)[0]
        stream = urllib.request.urlopen(f"http://127.0.0.1:{port}/sandbox/api/events?token={token}", timeout=5)
        assert stream.readline().startswith(b"event: change")
        started = time.monotonic()
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        assert time.monotonic() - started < 10  # the open event stream does not hold the shutdown up
    finally:
        if stream is not None:
            stream.close()
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert f"Sandbox: configured (open http://127.0.0.1:{port}/, fictional data only" in out
