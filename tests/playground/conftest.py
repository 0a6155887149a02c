"""The bot and Microsoft 365 Agents Playground (a Teams emulator from the npm registry), side by side on loopback
ports, with a generated Playground config (.m365agentsplayground.yml) and a partnership file whose members are
the Playground's users. The page is driven with Playwright and Debian's chromium.

Without Node, the Playground package (`make playground`), playwright or chromium the test is skipped with the
reason; with CI set, it fails instead.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND = ROOT / "tests" / "playground" / "node_modules" / "@microsoft" / "m365agentsplayground" / "cli.js"
OUT = ROOT / "test-output" / "playground"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
TENANT = "10000000-0000-4000-8000-000000000001"
BOT_ID = "00000000-0000-4000-8000-00000000b007"
CHANNEL = "channel-reviews-id"
PLATFORM_VARS = ("SLACK_", "TEAMS_", "CONNECTIONS__", "RAPIDREVIEW_")


@dataclass(frozen=True)
class Person:
    user_id: str  # the Playground's id (its conversations' from.id)
    key: str | None  # the partnership member, or None for a stranger
    name: str
    roles: tuple[str, ...]
    agency: str
    aad: str


def _aad(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


# The current user plus exactly five others, as the Playground requires.
ALEX = Person("user-id-0", "bu_officer", "Alex Wilber", ("business_unit", "partnership_manager", "sprg_chair"), "council", _aad(1))
MEGAN = Person("user-id-1", "lead_police", "Megan Bowen", ("agency_lead", "sprg_member"), "police", _aad(2))
ADELE = Person("user-id-2", "exec_council", "Adele Vance", ("executive_lead",), "council", _aad(3))
ISAIAH = Person("user-id-3", "exec_icb", "Isaiah Langer", ("executive_lead",), "icb", _aad(4))
PATTI = Person("user-id-4", "exec_police", "Patti Fernandez", ("executive_lead",), "police", _aad(5))
LYNNE = Person("user-id-5", None, "Lynne Robbins", (), "", _aad(9))  # in the tenant, not in the partnership
PEOPLE = (ALEX, MEGAN, ADELE, ISAIAH, PATTI, LYNNE)


def require_tools() -> None:
    why = None
    if shutil.which("node") is None:
        why = "Node.js is not installed (the Playground is a Node program)"
    elif not PLAYGROUND.exists():
        why = "the Agents Playground is not installed: run `make playground` (npm install in tests/playground)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            why = "python playwright is not installed (pip install -e '.[dev]')"
    if why is None and not os.path.exists(CHROMIUM):
        why = f"Debian's chromium is not at {CHROMIUM} (.ci/setup.d/chromium.sh installs it)"
    if why:
        if os.environ.get("CI"):
            pytest.fail(why)
        pytest.skip(why)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def partnership_file(folder: Path) -> Path:
    example = yaml.safe_load((ROOT / "bot" / "data" / "north_yorkshire.example.yaml").read_text(encoding="utf-8"))
    example["members"] = [{"key": p.key, "name": p.name, "roles": list(p.roles), "agency": p.agency,
                           "teams_user_id": p.aad, "teams_tenant_id": TENANT} for p in PEOPLE if p.key]
    path = folder / "partnership.yaml"
    path.write_text(yaml.safe_dump(example, sort_keys=False), encoding="utf-8")
    return path


def playground_config(folder: Path) -> Path:
    def user(p: Person) -> dict:
        first, last = p.name.split()
        mail = f"{first.lower()}@example.org"
        return {"id": p.user_id, "name": p.name, "userPrincipleName": mail, "aadObjectId": p.aad,
                "givenName": first, "surname": last, "email": mail}

    config = {"version": "0.1.1", "tenantId": TENANT, "bot": {"id": BOT_ID, "name": "RapidReview"},
              "currentUser": user(ALEX), "users": [user(p) for p in PEOPLE[1:]],
              "personalChat": {"id": "personal-chat-id"}, "groupChat": {"id": "group-chat-id", "name": "Group Chat"},
              "team": {"id": "team-id", "name": "Safeguarding", "aadGroupId": "00000000-0000-4000-8000-000000000931",
                       "channels": [{"id": CHANNEL, "name": "Rapid reviews"}]}}
    path = folder / ".m365agentsplayground.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def wait_for(url: str, proc: subprocess.Popen, log: Path, what: str, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{what} did not start:\n{log.read_text(errors='replace')[-4000:]}")
        time.sleep(0.3)


@dataclass
class Stage:
    bot_url: str
    playground_url: str
    db_path: Path
    folder: Path
    bot_log: Path
    playground_log: Path


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def stage(tmp_path_factory):
    require_tools()
    folder = tmp_path_factory.mktemp("playground")
    bot_port, playground_port = free_port(), free_port()
    db_path = folder / "rr.db"
    env = {k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_VARS)}
    env.update(RAPIDREVIEW_DATABASE_URL=f"sqlite+aiosqlite:///{db_path}", RAPIDREVIEW_PORT=str(bot_port),
               RAPIDREVIEW_HOST="127.0.0.1", RAPIDREVIEW_PARTNERSHIP=str(partnership_file(folder)),
               RAPIDREVIEW_SANDBOX="false", RAPIDREVIEW_TICK_SECONDS="2", TEAMS_ANONYMOUS="true",
               TEAMS_CHANNEL_ID=CHANNEL, TEAMS_BOT_ID=BOT_ID, TEAMS_TENANT_ID=TENANT)
    up = subprocess.run([sys.executable, "-m", "server.cli", "db", "upgrade"], env=env, cwd=ROOT, capture_output=True,
                        text=True, timeout=120)
    assert up.returncode == 0, up.stderr
    bot_log = folder / "bot.log"
    with open(bot_log, "w") as out:
        bot = subprocess.Popen([sys.executable, "-m", "server.cli", "serve"], env=env, cwd=ROOT, stdout=out,
                               stderr=subprocess.STDOUT)
    playground_config(folder)
    playground_log = folder / "playground.log"
    base = f"http://127.0.0.1:{playground_port}"
    pg_env = {**{k: v for k, v in os.environ.items() if not k.startswith(PLATFORM_VARS)}, "TEAMSAPPTESTER_BROWSER": "none"}
    with open(playground_log, "w") as out:
        playground = subprocess.Popen(
            ["node", str(PLAYGROUND), "start", "-e", f"http://127.0.0.1:{bot_port}/api/messages",
             "--su", f"{base}/_connector", "-c", "msteams", "-p", str(playground_port), "--disable-telemetry"],
            env=pg_env, cwd=folder, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_for(f"http://127.0.0.1:{bot_port}/healthz", bot, bot_log, "the bot")
        wait_for(f"{base}/", playground, playground_log, "the Playground")
        OUT.mkdir(parents=True, exist_ok=True)
        yield Stage(f"http://127.0.0.1:{bot_port}", base, db_path, folder, bot_log, playground_log)
    finally:
        _stop(playground)
        _stop(bot)
        OUT.mkdir(parents=True, exist_ok=True)
        for log in (bot_log, playground_log):  # kept beside the screenshots for whoever reads a failure
            shutil.copy(log, OUT / log.name)


@pytest.fixture(scope="module")
def page(stage):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 1100})
        pg.set_default_timeout(20_000)
        pg.goto(stage.playground_url + "/", wait_until="networkidle")
        try:
            yield pg
        finally:
            pg.screenshot(path=str(OUT / "last.png"), full_page=True)
            browser.close()


def today() -> date:
    from bot.calendar import london_date
    from datetime import datetime, timezone

    return london_date(datetime.now(timezone.utc))
