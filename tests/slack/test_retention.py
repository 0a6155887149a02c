"""Retention through the Slack adapter and the fake Web API (every method checked against Slack's own
description): members kicked at closure, the channel's messages deleted after the chat period (people's
only with the admin user token; without it they are counted and reported), the record erased, the audit
trail verifying, and the export before and after."""
from __future__ import annotations

from datetime import timedelta

import pytest

from bot import audit, retention
from bot.settings import Settings
from server.cli import export as cli_export
from tests.driver import Driver
from tests.retention_helpers import CLOSED_ON, REASON, closed_case, exported_text, unzip
from tests.slack.fake_slack import ADMIN_TOKEN, BOT_USER

CHAT_DUE = CLOSED_ON + timedelta(days=90)


async def _closed(slack) -> tuple[Driver, str]:  # noqa: ANN001
    d = Driver(slack.rt.core, slack.clock, platform="slack")
    await closed_case(d)
    await slack.settle()
    channel = slack.fake.channel_named(d.case_code)
    cid = next(k for k, v in slack.fake.channels.items() if v is channel)
    return d, cid


def _uid(slack, key: str) -> str:  # noqa: ANN001
    return slack.rt.partnership.member(key).slack_user_id


async def _purge(slack) -> None:  # noqa: ANN001
    slack.clock.on(CHAT_DUE)
    assert (await retention.run_due(slack.rt.db, slack.rt.partnership, slack.clock())).chats == 1
    await slack.settle()


async def test_closing_kicks_everyone_but_the_kept_roles_then_archives(slack):
    d, cid = await _closed(slack)
    channel = slack.fake.channels[cid]
    kept = {_uid(slack, "bu_officer"), _uid(slack, "partnership_manager")}
    assert channel["archived"] and channel["members"] == kept | {BOT_USER}
    kicked = {c.params["user"] for c in slack.fake.of("conversations.kick")}
    assert _uid(slack, "sprg_chair") in kicked and _uid(slack, "exec_police") in kicked and not kicked & kept
    methods = [c.method for c in slack.fake.calls]
    assert max(i for i, m in enumerate(methods) if m == "conversations.kick") < methods.index("conversations.archive")
    assert not slack.fake.problems


async def test_without_the_admin_token_people_s_messages_are_left_and_reported(slack):
    d, cid = await _closed(slack)
    slack.fake.human_message(cid, _uid(slack, "sprg_chair"), "see you at the meeting")
    ours = len(slack.fake.posts_in(cid)) - 1
    await _purge(slack)
    left = slack.fake.posts_in(cid)
    assert [m["text"] for m in left] == ["see you at the meeting"]  # the bot's own cards are gone
    [purged] = await slack.audit("channel_purged")
    assert purged.detail == {"deleted": ours, "hidden": 0, "left": 1, "channel": "archived",
                             "why_left": "people's messages need SLACK_ADMIN_USER_TOKEN"}
    assert all(c.token != ADMIN_TOKEN for c in slack.fake.of("chat.delete"))
    assert not slack.fake.problems


@pytest.mark.parametrize("slack_extra_env", [{"SLACK_ADMIN_USER_TOKEN": ADMIN_TOKEN}])
async def test_with_the_admin_token_every_message_goes_then_the_record_is_erased(slack, tmp_path):
    d, cid = await _closed(slack)
    slack.fake.human_message(cid, _uid(slack, "sprg_chair"), "see you at the meeting")
    settings = Settings(database_url=slack.rt.db.url)
    assert await cli_export.export(settings, d.case_code, tmp_path / "before.zip") == 0
    assert REASON in exported_text(unzip((tmp_path / "before.zip").read_bytes()))
    await _purge(slack)
    assert slack.fake.posts_in(cid) == []
    [purged] = await slack.audit("channel_purged")
    assert (purged.detail["left"], purged.detail["channel"]) == (0, "archived")
    async with slack.rt.db.transaction() as s:
        from sqlalchemy import select

        from storage.models import Case

        case = (await s.execute(select(Case).where(Case.code == d.case_code))).scalar_one()
        await retention.erase(s, case, slack.clock(), reason="retention period ended")
    async with slack.rt.db.read() as s:
        assert (await audit.verify(s)).ok
    assert await cli_export.export(settings, d.case_code, tmp_path / "after.zip") == 0
    after = exported_text(unzip((tmp_path / "after.zip").read_bytes()))
    assert REASON not in after and d.case_code in after
    assert not slack.fake.problems
