"""A case gets its own private channel through Graph; everything then reaches it through the Bot Connector."""
from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy import select

from bot.calendar import WorkingDayCalendar, format_human
from storage.models import AuditEvent, Case, ChannelLink
from tests.teams.conftest import GENERAL

AWARE = date(2026, 11, 13)


async def test_new_case_opens_a_private_channel_and_posts_its_status_there(teams):
    teams.on(date(2026, 11, 27))
    status, _ = await teams.say("bu_officer", f'new pseudonym="Child V" aware={AWARE.isoformat()}')
    assert status == 202
    # Graph: one private channel named only by the case code, owned by the Business Unit.
    creates = [c for c in teams.graph.calls if c.method == "POST" and c.path.endswith("/channels")]
    assert len(creates) == 1
    body = creates[0].body
    assert re.fullmatch(r"rr-\d{4}-\d{3}", body["displayName"]) and body["membershipType"] == "private"
    assert "Child" not in body["displayName"]
    channel = teams.channel(body["displayName"])
    # The core group were added (team first, then the private channel).
    core_group = {teams.member(k).teams_user_id for k in ("bu_officer", "partnership_manager", "sprg_chair")}
    assert core_group <= teams.graph.channels[channel]["members"]
    # Someone from another organisation's tenant (the police SPRG member) is added by tenant id + object id.
    police = teams.member("sprg_police")
    adds = [c.body for c in teams.graph.calls if c.path.endswith(f"/channels/{channel}/members")
            and police.teams_user_id in c.body["user@odata.bind"]]
    assert adds and adds[0]["tenantId"] == police.teams_tenant_id
    # The status card is a new post in that channel, through the connector at the activity's serviceUrl.
    posts = [c for c in teams.connector.of("POST", "/v3/conversations")
             if (c.body.get("channelData") or {}).get("channel", {}).get("id") == channel]
    sin_due = format_human(WorkingDayCalendar().add_working_days(AWARE, 5))
    assert sin_due == "Fri 20 Nov 2026"
    assert any(sin_due in json.dumps(c.body) for c in posts)
    assert all(c.path.startswith("/uk/") and c.auth == "Bearer rapidreview-local-token" for c in posts)
    # The person who asked was answered in the thread they asked in.
    replies = [c for c in teams.connector.of("POST") if c.path.startswith(f"/uk/v3/conversations/{GENERAL}")]
    assert replies and "Opened rr-2026-001 / Child V" in replies[0].body["text"]
    async with teams.rt.db.read() as s:
        link = (await s.execute(select(ChannelLink))).scalar_one()
    assert link.channel_id == channel and link.platform == "teams"


async def test_opening_a_channel_twice_reuses_the_first(teams):
    teams.on(date(2026, 11, 27))
    port = teams.rt.platforms["teams"]
    first = await port.open_channel("rr-2026-009", "rr-2026-009", "rr-2026-009 / Child Q (Rapid Review)")
    again = await port.open_channel("rr-2026-009", "rr-2026-009", "rr-2026-009 / Child Q (Rapid Review)")
    assert first == again and len(teams.graph.channels) == 1
    # A channel made by a crashed attempt (the create was answered 409) is found by name too.
    teams.graph.channels.clear()
    await port.open_channel("rr-2026-010", "rr-2026-010", "x")
    creates_before = len([c for c in teams.graph.calls if c.method == "POST" and c.path.endswith("/channels")])
    assert await port.open_channel("rr-2026-010", "rr-2026-010", "x") == teams.channel("rr-2026-010")
    assert len([c for c in teams.graph.calls if c.method == "POST" and c.path.endswith("/channels")]) == creates_before


async def test_someone_who_is_not_a_member_gets_nothing_created_and_is_told_why(teams):
    teams.on(date(2026, 11, 27))
    status, _ = await teams.say(None, 'new pseudonym="Child V" aware=2026-11-13')
    assert status == 202
    assert teams.graph.channels == {} and not [c for c in teams.graph.calls if c.method == "POST"]
    replies = teams.connector.of("POST")
    assert len(replies) == 1 and "not set up as a member" in replies[0].body["text"]
    async with teams.rt.db.read() as s:
        assert (await s.execute(select(Case))).first() is None
        refused = (await s.execute(select(AuditEvent).where(AuditEvent.action == "access_refused"))).scalars().all()
    assert len(refused) == 1 and refused[0].platform == "teams"


async def test_a_retried_activity_is_handled_once(teams):
    teams.on(date(2026, 11, 27))
    a = teams.activity("bu_officer", text='<at>RapidReview</at> new pseudonym="Child V" aware=2026-11-13')
    assert (await teams.post(a))[0] == 202
    assert (await teams.post(a))[0] == 202
    await teams.settle()
    async with teams.rt.db.read() as s:
        assert len((await s.execute(select(Case))).all()) == 1
