"""Delivery through the Web API: 429 honours Retry-After, 5xx and ok:false retry, nothing accepted is dropped,
and every call is idempotent where the outbox may repeat it (issue 4 §3, §6)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.cards import CardRenderer
from adapters.slack.port import SlackCallError, SlackPort
from bot.partnership import load_partnership
from bot.ports import DeliveryError
from bot.settings import DEFAULT_PARTNERSHIP
from tests.slack.fake_slack import BOT_TOKEN

BU = "U0FIC0001"
NEW = 'new pseudonym="Child V" aware=2026-09-01'


@pytest.fixture
def port(fake_slack):
    return SlackPort(AsyncWebClient(token=BOT_TOKEN, base_url=f"{fake_slack.base}/api/"), CardRenderer())


@pytest.fixture
def members():
    return load_partnership(DEFAULT_PARTNERSHIP).members


async def _open_case(slack) -> None:  # noqa: ANN001
    status, reply = await slack.slack.command(BU, NEW)
    assert status == 200 and "Opened rr-2026-001" in reply["text"]
    await slack.settle()


async def _pending(slack) -> list:  # noqa: ANN001
    return [e for e in await slack.outbox() if e.status != "delivered"]


async def test_429_waits_for_retry_after_then_delivers_once(slack):
    slack.fake.fail("conversations.create", status=429, retry_after=7)
    await _open_case(slack)
    [limited] = slack.fake.of("conversations.create", ok=False)
    assert limited.status == 429
    waiting = await _pending(slack)
    assert waiting and waiting[0].kind == "open_channel" and waiting[0].attempts == 1
    assert waiting[0].next_attempt_at - slack.clock() == timedelta(seconds=7)  # Slack's Retry-After, not a guess
    assert not slack.fake.channels  # and nothing after it overtook it
    slack.clock.now += timedelta(seconds=6)
    await slack.settle()
    assert not slack.fake.channels, "retried before Retry-After"
    slack.clock.now += timedelta(seconds=2)
    await slack.settle()
    assert len(slack.fake.of("conversations.create")) == 1 and len(slack.fake.channels) == 1
    assert len(slack.fake.of("pins.add")) == 1
    assert await _pending(slack) == []


async def test_500_is_retried_with_back_off_and_delivered_once(slack):
    slack.fake.fail("chat.postMessage", status=500)
    await _open_case(slack)
    assert len(slack.fake.of("chat.postMessage", ok=False)) == 1
    [row] = [e for e in await _pending(slack) if e.attempts]
    assert "http_500" in row.last_error
    slack.clock.now += timedelta(seconds=5)  # back-off after one failure: 1-3 s
    await slack.settle()
    cid = next(iter(slack.fake.channels))
    headers = [m for m in slack.fake.posts_in(cid) if m["blocks"] and m["blocks"][0]["type"] == "header"]
    assert len(headers) == 1, "the status card was posted twice"
    assert await _pending(slack) == []


async def test_ok_false_is_retried_and_a_hopeless_error_goes_to_dead_letters(slack):
    slack.fake.fail("conversations.invite", error="internal_error")
    await _open_case(slack)
    assert slack.fake.of("conversations.invite", ok=False)[0].response["error"] == "internal_error"
    slack.clock.now += timedelta(seconds=5)
    await slack.settle()
    cid = next(iter(slack.fake.channels))
    assert len(slack.fake.channels[cid]["members"]) == 8 and await _pending(slack) == []
    # An archived channel cannot take a post: retrying cannot help, so the row is dead, not dropped.
    slack.fake.fail("chat.postMessage", error="is_archived")
    status, _ = await slack.slack.command("U0FIC0003", "triage local", channel=cid)
    assert status == 200
    await slack.settle()
    dead = [e for e in await slack.outbox() if e.status == "dead"]
    assert len(dead) == 1 and "is_archived" in dead[0].last_error


async def test_open_channel_is_idempotent_and_finds_its_channel_on_a_later_page(port, fake_slack):
    for n in range(230):  # the bot is in many private channels; the list is paged
        fake_slack.add_channel(f"rr-2025-{n:03d}")
    first = await port.open_channel("rr-2026-007", "rr-2026-007", "rr-2026-007 / Child V (Rapid Review)")
    again = await port.open_channel("rr-2026-007", "rr-2026-007", "rr-2026-007 / Child V (Rapid Review)")
    assert first == again
    assert [c.response.get("error") for c in fake_slack.of("conversations.create", ok=None)] == [None, "name_taken"]
    lists = fake_slack.of("conversations.list")
    assert len(lists) == 2 and all(c.params["types"] == "private_channel" for c in lists)
    assert fake_slack.channels[first]["is_private"] and fake_slack.channels[first]["topic"].startswith("rr-2026-007")


async def test_a_name_held_by_a_channel_the_bot_cannot_see_is_a_permanent_failure(port, fake_slack):
    fake_slack.add_channel("rr-2026-008", members={"U0SOMEONE1"})
    with pytest.raises(SlackCallError) as exc:
        await port.open_channel("rr-2026-008", "rr-2026-008", "rr-2026-008 / Child W (Rapid Review)")
    assert exc.value.permanent and "not in it" in str(exc.value)


async def test_invite_skips_people_without_slack_and_tolerates_people_already_in(port, fake_slack, members):
    cid = fake_slack.add_channel("rr-2026-009")
    bu, pm, chair = members[0], members[1], members[2]
    no_slack = chair.model_copy(update={"slack_user_id": None})
    await port.invite(cid, [bu])
    await port.invite(cid, [bu, pm, no_slack])  # bu is in already: the batch fails; the rest go in one call
    assert fake_slack.channels[cid]["members"] >= {bu.slack_user_id, pm.slack_user_id}
    assert all(chair.slack_user_id not in c.params["users"] for c in fake_slack.of("conversations.invite", ok=None))
    await port.invite(cid, [no_slack])
    assert [c.params["users"] for c in fake_slack.of("conversations.invite", ok=None)] == [
        bu.slack_user_id, f"{bu.slack_user_id},{pm.slack_user_id}", pm.slack_user_id]
    assert len(fake_slack.of("conversations.members")) == 1


async def test_direct_messages_open_a_dm_once_and_skip_people_without_slack(port, fake_slack, members):
    lead = members[7]
    ctx = {"case_code": "rr-2026-007", "text": "A notice"}
    await port.direct_message(lead, "notice", ctx)
    await port.direct_message(lead, "notice", ctx)
    assert len(fake_slack.of("conversations.open")) == 1 and len(fake_slack.of("chat.postMessage")) == 2
    await port.direct_message(lead.model_copy(update={"slack_user_id": None}), "notice", ctx)
    assert len(fake_slack.of("chat.postMessage")) == 2


async def test_every_post_switches_link_previews_off(port, fake_slack):
    cid = fake_slack.add_channel("rr-2026-010")
    await port.post_card(cid, "notice", {"case_code": "rr-2026-010", "text": "See https://example.org/report"})
    [post] = fake_slack.of("chat.postMessage")
    assert post.params["unfurl_links"] is False and post.params["unfurl_media"] is False
    assert post.params["link_names"] is False


async def test_rate_limit_without_retry_after_still_backs_off(port, fake_slack):
    fake_slack.fail("conversations.archive", status=429)
    with pytest.raises(DeliveryError) as exc:
        await port.archive_channel(fake_slack.add_channel("rr-2026-011"))
    assert exc.value.retry_after == 30.0 and not exc.value.permanent


async def test_a_deleted_status_card_is_posted_again_and_pinned_and_later_updates_edit_the_new_one(slack):
    await _open_case(slack)
    channel = next(iter(slack.fake.channels))
    [pinned] = [key for key in slack.fake.pins if key[0] == channel]
    del slack.fake.messages[pinned]  # someone deleted the pinned status card
    slack.fake.pins.discard(pinned)
    for text in ("sin 2026-09-07", "triage notifiable"):
        status, reply = await slack.slack.command(BU, text, channel=channel)
        assert status == 200 and "Which case" not in reply["text"], reply
        await slack.settle()
    assert await _pending(slack) == [] and not [e for e in await slack.outbox() if e.status == "dead"]
    [new_pin] = [key for key in slack.fake.pins if key[0] == channel]
    assert new_pin != pinned
    # the first change found the card gone and posted a new one; the second edited that one
    assert slack.fake.of("chat.update")[-1].params["ts"] == new_pin[1]
    assert [c.response["error"] for c in slack.fake.of("chat.update", ok=False)] == ["message_not_found"]  # no retries
