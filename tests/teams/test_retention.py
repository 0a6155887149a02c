"""Retention through the Teams adapter, the fake Bot Connector and the fake Graph: members removed from the
private channel at closure (they stay in the team), then after the chat period the bot's own posts deleted
through the Bot Connector, people's posts hidden (Graph has no app-only delete) and the channel deleted; the
record erased with the audit trail still verifying."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from bot import audit, retention
from bot.settings import Settings
from server.cli import export as cli_export
from storage.models import Case
from tests.driver import Driver
from tests.retention_helpers import CLOSED_ON, REASON, closed_case, exported_text, unzip
from tests.teams.conftest import APP_ID

CHAT_DUE = CLOSED_ON + timedelta(days=90)


async def _closed(teams) -> tuple[Driver, str]:  # noqa: ANN001
    await teams.say("bu_officer", "help", personal=True)  # the bot learns the Bot Connector's address
    d = Driver(teams.rt.core, teams.clock, platform="teams")
    await closed_case(d)
    await teams.settle()
    return d, teams.channel(d.case_code)


def _aad(teams, key: str) -> str:  # noqa: ANN001
    return teams.member(key).teams_user_id


async def test_closing_removes_members_from_the_private_channel_but_not_the_team(teams):
    d, cid = await _closed(teams)
    members = teams.graph.channels[cid]["members"]
    assert members == {_aad(teams, "bu_officer"), _aad(teams, "partnership_manager")}
    assert _aad(teams, "sprg_chair") in teams.graph.team_members
    assert cid in teams.graph.archived


async def test_after_the_chat_period_own_posts_are_deleted_people_s_hidden_and_the_channel_deleted(teams, tmp_path):
    d, cid = await _closed(teams)
    settings = Settings(database_url=teams.rt.db.url)
    assert await cli_export.export(settings, d.case_code, tmp_path / "before.zip") == 0
    assert REASON in exported_text(unzip((tmp_path / "before.zip").read_bytes()))
    teams.graph.connector, teams.graph.bot_app_id = teams.connector, APP_ID
    person = teams.graph.human_message(cid, _aad(teams, "bu_officer"), "thanks all")
    ours = len([k for k in teams.connector.messages if k[0].split(";")[0] == cid])
    assert ours > 5
    teams.on(CHAT_DUE)
    assert (await retention.run_due(teams.rt.db, teams.rt.partnership, teams.clock())).chats == 1
    await teams.settle()
    assert not [k for k in teams.connector.messages if k[0].split(";")[0] == cid]
    assert person in teams.graph.hidden and cid in teams.graph.deleted and cid not in teams.graph.channels
    [purged] = await _audit(teams, "channel_purged")
    assert (purged.detail["deleted"], purged.detail["hidden"], purged.detail["left"], purged.detail["channel"]) == \
           (ours, 1, 0, "deleted")
    assert "Graph cannot delete them app-only" in purged.detail["why_left"]
    async with teams.rt.db.transaction() as s:
        case = (await s.execute(select(Case).where(Case.code == d.case_code))).scalar_one()
        await retention.erase(s, case, teams.clock(), reason="retention period ended")
    async with teams.rt.db.read() as s:
        assert (await audit.verify(s)).ok
    assert await cli_export.export(settings, d.case_code, tmp_path / "after.zip") == 0
    after = unzip((tmp_path / "after.zip").read_bytes())
    assert REASON not in exported_text(after) and json.loads(after["audit_chain.json"])["intact"]
    assert not teams.connector.rejected


async def _audit(teams, action: str):  # noqa: ANN001, ANN202
    from storage.models import AuditEvent

    async with teams.rt.db.read() as s:
        return list((await s.execute(select(AuditEvent).where(AuditEvent.action == action))).scalars())
