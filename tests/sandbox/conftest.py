"""Fixtures for the sandbox: the whole bot in-process behind its HTTP API, and `rapidreview serve` as a
subprocess for the browser tests (headless Chromium from Debian's package, driven by playwright)."""
from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime
from datetime import time as dtime
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from adapters.sandbox import SANDBOX
from adapters.sandbox.web import TOKEN_HEADER
from server.app import build_runtime, make_web_app
from bot.calendar import at_london_time
from bot.settings import Settings
from storage.models import OutboxEffect

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "test-output" / "sandbox"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
RENDERER = ROOT / "adapters" / "sandbox" / "static" / "vendor" / "node_modules" / "adaptivecards" / "dist" / "adaptivecards.min.js"
# Clean of every platform's settings, so the sandbox is the one that runs.
PLATFORM_VARS = ("SLACK_", "TEAMS_", "CONNECTIONS__", "RAPIDREVIEW_")


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_VARS)}
    env.update(extra)
    return env


@pytest.fixture
def sqlite_url(tmp_path, sqlite_template) -> str:
    path = tmp_path / "sandbox.db"
    shutil.copy(sqlite_template, path)
    return f"sqlite+aiosqlite:///{path}"


class DayClock:
    """A frozen clock for driving the core directly: `on(date)` is that day at 10:00 London."""

    def __init__(self, d: date):
        self.on(d)

    def __call__(self) -> datetime:
        return self.now

    def on(self, d: date, at: dtime = dtime(10, 0)) -> None:
        self.now = at_london_time(d, at)


@pytest.fixture
def rt(sqlite_url):
    """A runtime on a fresh SQLite database (the sandbox installs its own clock when served)."""
    return build_runtime(Settings(database_url=sqlite_url, tick_seconds=3600))


class Sandbox:
    """The sandbox's page API, as the page's script uses it."""

    def __init__(self, client: TestClient, rt, app):  # noqa: ANN001
        self.client, self.rt, self.app = client, rt, app
        self.store = app[SANDBOX]["store"]
        self.clock = app[SANDBOX]["clock"]
        self.clicks = 0

    async def settle(self) -> None:
        """Deliver the outbox now (the server's own dispatcher may be holding rows for a moment)."""
        for _ in range(200):
            await self.rt.dispatcher.drain()
            async with self.rt.db.read() as s:
                busy = (await s.execute(select(OutboxEffect.id).where(
                    OutboxEffect.status.in_(("pending", "claimed")),
                    OutboxEffect.next_attempt_at <= self.clock()))).first()
            if busy is None:
                return
            await asyncio.sleep(0.02)

    async def state(self, who: str, conversation: str | None = None) -> dict[str, Any]:
        params = {"as": who, **({"conversation": conversation} if conversation else {})}
        resp = await self.client.get("/sandbox/api/state", params=params)
        assert resp.status == 200, await resp.text()
        return await resp.json()

    async def type(self, who: str, conversation: str, text: str) -> dict[str, Any]:
        resp = await self.client.post("/sandbox/api/type", json={"as": who, "conversation": conversation, "text": text})
        assert resp.status == 200, await resp.text()
        body = await resp.json()
        await self.settle()
        return body

    async def ok(self, who: str, conversation: str, text: str) -> dict[str, Any]:
        body = await self.type(who, conversation, text)
        assert body["ok"], f"{who}: {text!r} was refused: {body['text']}"
        return body

    async def click(self, who: str, conversation: str, kind: str, title: str, inputs: dict | None = None) -> dict[str, Any]:
        """Press the button `title` on the newest `kind` card this member sees in the conversation."""
        state = await self.state(who, conversation)
        messages = state["conversation"]["messages"] + ([state["conversation"]["pinned"]] if state["conversation"]["pinned"] else [])
        card = next(m for m in reversed(messages) if m.get("card_kind") == kind)
        action = find_action(card["card"], title)
        assert action is not None, f"no {title!r} on the {kind} card: {card['card']}"
        self.clicks += 1
        resp = await self.client.post("/sandbox/api/action", json={
            "as": who, "conversation": state["conversation"]["id"], "message": card["id"], "verb": action["verb"],
            "data": {**action.get("data", {}), **(inputs or {})}, "click": f"test-{self.clicks}"})
        assert resp.status == 200, await resp.text()
        body = await resp.json()
        await self.settle()
        return body


def find_action(card: dict, title: str) -> dict | None:
    """An Action.Execute with this title, also inside Action.ShowCard cards."""
    for action in card.get("actions", []):
        if action.get("title") == title and action.get("type") == "Action.Execute":
            return action
        if action.get("type") == "Action.ShowCard":
            found = find_action(action.get("card", {}), title)
            if found:
                return found
    return None


async def serve_sandbox(rt, env: dict[str, str]):  # noqa: ANN001, ANN201
    app = make_web_app(rt, env)
    # As the page does: every API call carries the token the page was served with.
    headers = {TOKEN_HEADER: app[SANDBOX]["token"]} if SANDBOX in app else {}
    client = TestClient(TestServer(app, host="127.0.0.1"), headers=headers)
    await client.start_server()
    return Sandbox(client, rt, app)


@pytest.fixture
async def sandbox(rt):
    """The sandbox on 127.0.0.1, its clock starting Tue 22 Dec 2026 at 09:00 London."""
    box = await serve_sandbox(rt, {"RAPIDREVIEW_SANDBOX_TODAY": "2026-12-22"})
    yield box
    await box.client.close()


# -- the browser tests' server and browser ----------------------------------------------------------------
def require_browser() -> None:
    """In CI a missing browser, driver or renderer fails the browser tests; elsewhere they skip with the reason."""
    why = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        why = "python playwright is not installed (pip install -e '.[dev]')"
    if why is None and not os.path.exists(CHROMIUM):
        why = f"Debian's chromium is not at {CHROMIUM} (.ci/setup.d/chromium.sh installs it)"
    if why is None and not RENDERER.exists():
        why = "the adaptivecards renderer is not installed: run `make sandbox-js`"
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Served:
    def __init__(self, url: str, proc: subprocess.Popen, log: Path):
        self.url, self.proc, self.log = url, proc, log


def serve_process(folder, env: dict[str, str], *setup: list[str]):  # noqa: ANN001, ANN201 (a generator for fixtures)
    """Run each setup command (`db upgrade`, `demo …`), then `python -m server.cli serve` until /healthz answers;
    yield the Served, and stop it afterwards. The server's output goes to folder/serve.log."""
    for argv in setup:
        done = subprocess.run([sys.executable, "-m", "server.cli", *argv], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=300)
        assert done.returncode == 0, done.stderr
    log = folder / "serve.log"
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "server.cli", "serve"], env=env, cwd=ROOT, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{env['RAPIDREVIEW_PORT']}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield Served(url, proc, log)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`python -m server.cli serve` on a free loopback port with a fresh database (`db upgrade` first)."""
    require_browser()
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    env = clean_env(RAPIDREVIEW_DATABASE_URL=f"sqlite+aiosqlite:///{folder}/rr.db", RAPIDREVIEW_PORT=str(port),
                    RAPIDREVIEW_HOST="127.0.0.1", RAPIDREVIEW_SANDBOX_TODAY="2026-12-22")
    yield from serve_process(folder, env, ["db", "upgrade"])


@pytest.fixture(scope="module")
def browser(served):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def today() -> date:
    return date(2026, 12, 22)
