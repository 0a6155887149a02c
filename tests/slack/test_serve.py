"""The behaviour other tools rely on exactly (issue 4), against `rapidreview serve` as a real process.

The bot runs as `python -m server.cli serve` with only environment variables; Slack's Web API is the fake
on 127.0.0.1. The exact example uses aware=2026-12-18: the core accepts a future awareness date with a
warning (commit 7e11e91), so it behaves as the issue says whatever today's date; a past date is checked
too, so the test does not lean on that decision alone.
"""
from __future__ import annotations

import asyncio
import os
import re
import socket
import sys
from pathlib import Path

import aiohttp

from bot.calendar import WorkingDayCalendar, format_human
from bot.partnership import Role, load_partnership
from bot.settings import DEFAULT_PARTNERSHIP
from tests.slack.conftest import SECRET, SlackSide
from tests.slack.fake_slack import BOT_TOKEN

ROOT = Path(__file__).resolve().parents[2]
CHANNEL_NAME = re.compile(r"^rr-\d{4}-\d{3}$")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _run(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(sys.executable, "-m", "server.cli", *args, env=env, cwd=ROOT,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), 120)
    return proc.returncode, out.decode()


async def _healthy(url: str, proc: asyncio.subprocess.Process) -> None:
    async with aiohttp.ClientSession() as s:
        for _ in range(300):
            assert proc.returncode is None, "the server exited during start-up"
            try:
                async with s.get(url, timeout=aiohttp.ClientTimeout(total=2)) as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise AssertionError("GET /healthz never answered 200")


async def test_rapidreview_serve_opens_the_case_channel_exactly_as_other_tools_expect(fake_slack, tmp_path):
    p = load_partnership(DEFAULT_PARTNERSHIP)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TEAMS_", "CONNECTIONS__", "RAPIDREVIEW_"))}
    env.update(SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=f"{fake_slack.base}/api/",
               RAPIDREVIEW_PARTNERSHIP=str(DEFAULT_PARTNERSHIP), RAPIDREVIEW_DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/rr.db",
               RAPIDREVIEW_PORT=str(port))
    code, out = await _run(env, "db", "upgrade")
    assert code == 0, out
    server = await asyncio.create_subprocess_exec(sys.executable, "-m", "server.cli", "serve", env=env, cwd=ROOT,
                                                  stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    try:
        await _healthy(f"http://127.0.0.1:{port}/healthz", server)
        slack = SlackSide(f"http://127.0.0.1:{port}/slack/events", fake_slack)
        bu = p.members_with(Role.BUSINESS_UNIT)[0].slack_user_id
        expected = {m.slack_user_id for m in p.members_with(Role.BUSINESS_UNIT, Role.PARTNERSHIP_MANAGER, Role.SPRG_CHAIR,
                                                            Role.SPRG_MEMBER) if m.slack_user_id}

        async def opens_channel_showing(text: str, due: str) -> None:
            status, reply = await slack.command(bu, text)
            assert status == 200 and "Opened rr-" in reply["text"], reply
            code = re.search(r"Opened (rr-\d{4}-\d{3})", reply["text"]).group(1)
            await fake_slack.wait_for(lambda: fake_slack.channel_named(code) is not None and any(
                due in str(m["blocks"]) or due in m["text"]
                for m in fake_slack.posts_in(_id(fake_slack, code))))
            created = next(c for c in fake_slack.of("conversations.create") if c.params["name"] == code)
            assert CHANNEL_NAME.match(code) and created.params["is_private"] in (True, "true", "1")
            await fake_slack.wait_for(lambda: fake_slack.channel_named(code)["members"] >= expected)

        # The exact example: SIN due Tue 29 Dec 2026 (5 working days, over Christmas).
        await opens_channel_showing('new pseudonym="Child V" aware=2026-12-18', "Tue 29 Dec 2026")
        # And a date in the past, whatever the policy on future awareness dates.
        past_due = format_human(WorkingDayCalendar().add_working_days(_date("2026-11-02"), 5))
        assert past_due == "Mon 9 Nov 2026"
        await opens_channel_showing('new pseudonym="Child W" aware=2026-11-02', past_due)

        # Nothing is created for someone who is not a configured member, or for a date that does not exist.
        _, reply = await slack.command("U0NOTKNOWN", 'new pseudonym="Child X" aware=2026-11-02')
        assert "not set up as a member" in reply["text"]
        _, reply = await slack.command(bu, 'new pseudonym="Child X" aware=2026-13-45')
        assert "bad date '2026-13-45'" in reply["text"]
        await asyncio.sleep(0.5)  # anything wrongly queued would be delivered by now
        assert len(fake_slack.of("conversations.create", ok=None)) == 2
    finally:
        if server.returncode is None:
            server.terminate()
        out = (await asyncio.wait_for(server.communicate(), 30))[0].decode()
        print(out)  # shown when the test fails
    assert server.returncode == 0, out
    assert "Slack: configured (HTTP events at POST /slack/events" in out


def _id(fake, name: str) -> str:  # noqa: ANN001
    return next(cid for cid, c in fake.channels.items() if c["name"] == name)


def _date(iso: str):  # noqa: ANN202
    from datetime import date

    return date.fromisoformat(iso)
