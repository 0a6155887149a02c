"""Messages in case channels go through the PII guard; Slack's retries never act twice (issue 4 §5)."""
from __future__ import annotations

import json

import pytest

from tests.slack.fake_slack import ADMIN_TOKEN, BOT_TOKEN, BOT_USER

BU, MEMBER = "U0FIC0001", "U0FIC0004"
LEAK = "Her date of birth is 03/04/2015 and she lives at 12 Acacia Avenue"


async def _case_channel(slack) -> str:  # noqa: ANN001
    await slack.slack.command(BU, 'new pseudonym="Child V" aware=2026-09-01')
    await slack.settle()
    return next(iter(slack.fake.channels))


def _message(channel: str, user: str, text: str, ts: str, **extra) -> dict:  # noqa: ANN003
    return {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts, "event_ts": ts,
            "channel_type": "group", **extra}


async def test_a_flagged_message_is_audited_without_content_and_the_poster_and_business_unit_are_told(slack):
    channel = await _case_channel(slack)
    ts = slack.fake.human_message(channel, MEMBER, LEAK)
    status, _ = await slack.slack.event(_message(channel, MEMBER, LEAK, ts))
    assert status == 200
    await slack.settle()
    [blocked] = await slack.audit("pii_blocked")
    assert blocked.case_code == "rr-2026-001" and blocked.platform_user == MEMBER
    assert "Acacia" not in json.dumps(blocked.detail) and "03/04/2015" not in json.dumps(blocked.detail)
    # Without an admin user token the bot cannot delete a person's message: it says so in a thread.
    assert not slack.fake.of("chat.delete", ok=None)
    notice = next(c for c in slack.fake.of("chat.postMessage") if c.params.get("thread_ts") == ts)
    assert "cannot delete it" in notice.params["text"]
    [ephemeral] = slack.fake.of("chat.postEphemeral")
    assert ephemeral.params["user"] == MEMBER and "Please delete it now" in ephemeral.params["text"]
    alerts = [c for c in slack.fake.of("chat.postMessage") if c.params["channel"].startswith("D")]
    assert len(alerts) == 3 and all("PII guard" in c.params["text"] for c in alerts)  # poster + two Business Unit
    everything = json.dumps([c.params for c in slack.fake.calls])
    assert "Acacia" not in everything and "03/04/2015" not in everything


@pytest.mark.parametrize("slack_extra_env", [{"SLACK_ADMIN_USER_TOKEN": ADMIN_TOKEN}])
async def test_with_an_admin_user_token_the_message_is_deleted(slack):
    channel = await _case_channel(slack)
    ts = slack.fake.human_message(channel, MEMBER, LEAK)
    await slack.slack.event(_message(channel, MEMBER, LEAK, ts))
    await slack.settle()
    [deleted] = slack.fake.of("chat.delete")
    assert deleted.token == ADMIN_TOKEN and deleted.params == {"channel": channel, "ts": ts}
    assert (channel, ts) not in slack.fake.messages
    assert not [c for c in slack.fake.of("chat.postMessage") if c.params.get("thread_ts")]
    assert "It was removed." in slack.fake.of("chat.postEphemeral")[0].params["text"]


async def test_the_bot_token_alone_cannot_delete_someone_elses_message(fake_slack):
    """What the fake enforces is what Slack does: chat.delete with a bot token deletes only the bot's own."""
    from slack_sdk.errors import SlackApiError
    from slack_sdk.web.async_client import AsyncWebClient

    channel = fake_slack.add_channel("rr-2026-001")
    ts = fake_slack.human_message(channel, MEMBER, "hello")
    client = AsyncWebClient(token=BOT_TOKEN, base_url=f"{fake_slack.base}/api/")
    with pytest.raises(SlackApiError) as exc:
        await client.chat_delete(channel=channel, ts=ts)
    assert exc.value.response["error"] == "cant_delete_message"


@pytest.mark.parametrize("slack_extra_env", [{"SLACK_ADMIN_USER_TOKEN": ADMIN_TOKEN}])
async def test_slacks_retries_of_an_event_act_once(slack):
    channel = await _case_channel(slack)
    ts = slack.fake.human_message(channel, MEMBER, LEAK)
    event = _message(channel, MEMBER, LEAK, ts)
    for retry in (None, 1, 2):
        status, _ = await slack.slack.event(event, event_id="Ev0RETRY0001", retry=retry)
        assert status == 200
    await slack.settle()
    assert len(await slack.audit("pii_blocked")) == 1
    assert len(slack.fake.of("chat.delete", ok=None)) == 1
    assert len([c for c in slack.fake.of("chat.postMessage") if c.params["channel"].startswith("D")]) == 3


async def test_clean_messages_other_channels_bots_and_unchanged_edits_are_left_alone(slack):
    channel = await _case_channel(slack)
    calls = len(slack.fake.calls)
    await slack.slack.event(_message(channel, MEMBER, "Police return is in; pack on Monday.", "1.000100"))
    await slack.slack.event(_message("C0GENERAL1", MEMBER, LEAK, "1.000200"))  # not a case channel
    await slack.slack.event(_message(channel, BOT_USER, LEAK, "1.000300", bot_id="B0FAKE001"))
    await slack.slack.event({"type": "message", "subtype": "message_changed", "channel": channel, "hidden": False,
                             "ts": "1.000400", "event_ts": "1.000400",
                             "message": {"type": "message", "user": MEMBER, "text": "Pack on Monday", "ts": "1.000100",
                                         "reply_count": 1},
                             "previous_message": {"type": "message", "user": MEMBER, "text": "Pack on Monday", "ts": "1.000100"}})
    await slack.slack.event({"type": "message", "subtype": "channel_join", "channel": channel, "user": MEMBER,
                             "text": "<@U0FIC0004> has joined the channel", "ts": "1.000500"})
    await slack.settle()
    assert await slack.audit("pii_blocked") == []
    assert len(slack.fake.calls) == calls


async def test_an_edit_that_adds_identifying_details_is_caught(slack):
    channel = await _case_channel(slack)
    ts = slack.fake.human_message(channel, MEMBER, "Pack on Monday")
    await slack.slack.event({"type": "message", "subtype": "message_changed", "channel": channel, "hidden": False,
                             "ts": "1.000600", "event_ts": "1.000600",
                             "message": {"type": "message", "user": MEMBER, "text": "Pack on Monday. " + LEAK, "ts": ts},
                             "previous_message": {"type": "message", "user": MEMBER, "text": "Pack on Monday", "ts": ts}})
    await slack.settle()
    assert len(await slack.audit("pii_blocked")) == 1


async def test_names_on_the_watch_list_and_in_file_titles_are_caught(slack):
    channel = await _case_channel(slack)
    await slack.slack.command(BU, 'watch rr-2026-001 "Jordan Blake"', channel="D0BUDM001")
    await slack.slack.event(_message(channel, MEMBER, "Spoke to Jordan Blake's teacher", "1.000700"))
    await slack.slack.event(_message(channel, MEMBER, "", "1.000800", subtype="file_share",
                                     files=[{"id": "F0FAKE1", "name": "chronology.docx", "title": "Jordan Blake chronology"}]))
    await slack.settle()
    assert len(await slack.audit("pii_blocked")) == 2


@pytest.mark.parametrize("slack_extra_env", [{"SLACK_ADMIN_USER_TOKEN": ADMIN_TOKEN}])
async def test_when_the_admin_cannot_delete_it_the_message_is_flagged_instead(slack):
    channel = await _case_channel(slack)
    ts = slack.fake.human_message(channel, MEMBER, LEAK)
    slack.fake.fail("chat.delete", error="channel_not_found")  # e.g. the admin is not in this private channel
    await slack.slack.event(_message(channel, MEMBER, LEAK, ts))
    await slack.settle()
    assert (channel, ts) in slack.fake.messages
    assert [c.params.get("thread_ts") for c in slack.fake.of("chat.postMessage") if c.params.get("thread_ts")] == [ts]
    assert "Please delete it now" in slack.fake.of("chat.postEphemeral")[0].params["text"]
