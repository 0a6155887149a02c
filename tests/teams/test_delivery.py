"""Delivery through the Teams port: throttling and failures map onto the outbox's retries, 1:1 chats are
made once and reused, and without Graph each case is a thread in one configured channel."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from server.app import ADAPTER_STATUSES
from bot.ports import DeliveryError
from storage.models import OutboxEffect
from tests.teams.conftest import start_bot, teams_env

NOTICE = {"case_code": "rr-2026-001", "text": "A notice"}


async def test_connector_and_graph_failures_become_delivery_errors(teams):
    teams.on(date(2026, 11, 27))
    await teams.say("bu_officer", "help", personal=True)  # tells the bot where the Bot Connector is
    port = teams.rt.platforms["teams"]
    channel = await port.open_channel("rr-2026-001", "rr-2026-001", "rr-2026-001 / Child V")
    teams.connector.failures.next(429, retry_after=7)
    with pytest.raises(DeliveryError) as throttled:
        await port.post_card(channel, "notice", NOTICE)
    assert throttled.value.retry_after == 7 and not throttled.value.permanent
    teams.connector.failures.next(502)
    with pytest.raises(DeliveryError) as broken:
        await port.post_card(channel, "notice", NOTICE)
    assert broken.value.retry_after is None and not broken.value.permanent
    teams.connector.failures.next(400)
    with pytest.raises(DeliveryError) as refused:
        await port.post_card(channel, "notice", NOTICE)
    assert refused.value.permanent
    teams.graph.failures.next(429, retry_after=11)
    with pytest.raises(DeliveryError) as graph_throttled:
        await port.open_channel("rr-2026-002", "rr-2026-002", "x")
    assert graph_throttled.value.retry_after == 11
    teams.graph.failures.next(503)
    with pytest.raises(DeliveryError) as graph_down:
        await port.invite(channel, [teams.member("sprg_chair")])
    assert not graph_down.value.permanent
    message_id = await port.post_card(channel, "notice", NOTICE)
    await port.update_card(channel, message_id, "notice", {**NOTICE, "text": "Changed"})
    assert teams.connector.of("PUT")[-1].body["attachments"][0]["content"]["body"][1]["text"] == "Changed"


async def test_a_throttled_delivery_waits_as_long_as_teams_asks(teams):
    teams.on(date(2026, 11, 27))
    teams.connector.failures.next(429, retry_after=30, path="/v3/conversations")  # the first post in the new channel
    await teams.say("bu_officer", 'new pseudonym="Child V" aware=2026-11-13')
    async with teams.rt.db.read() as s:
        waiting = (await s.execute(select(OutboxEffect).where(OutboxEffect.status == "pending"))).scalars().all()
    assert [w.kind for w in waiting] == ["update_status"] and waiting[0].attempts == 1
    assert waiting[0].next_attempt_at == teams.clock() + timedelta(seconds=30)
    assert "throttled" in waiting[0].last_error
    teams.clock.now += timedelta(seconds=31)
    await teams.settle()
    async with teams.rt.db.read() as s:
        assert (await s.execute(select(OutboxEffect).where(OutboxEffect.status != "delivered"))).first() is None


async def test_a_personal_chat_is_created_once_and_then_reused(teams):
    teams.on(date(2026, 11, 27))
    await teams.say("bu_officer", "help", personal=True)
    port = teams.rt.platforms["teams"]
    lead = teams.member("exec_icb")  # from another organisation's tenant, never heard from yet
    await port.direct_message(lead, "notice", NOTICE)
    await port.direct_message(lead, "notice", NOTICE)
    creates = [c for c in teams.connector.of("POST", "/v3/conversations") if not c.body.get("isGroup")]
    assert len(creates) == 1
    assert creates[0].body["members"][0]["aadObjectId"] == lead.teams_user_id
    assert creates[0].body["tenantId"] == lead.teams_tenant_id
    sends = teams.connector.of("POST", "/activities")
    assert len([c for c in sends if f"a:personal-{lead.teams_user_id}" in c.path]) == 2
    # Someone who has talked to the bot is reached in the chat they already have.
    await port.direct_message(teams.member("bu_officer"), "notice", NOTICE)
    assert len([c for c in teams.connector.of("POST", "/v3/conversations") if not c.body.get("isGroup")]) == 1


async def test_without_graph_each_case_is_a_thread_in_the_configured_channel(db, clock, fakes):
    connector, graph = fakes
    env = teams_env(connector, graph, TEAMS_TEAM_ID=None, TEAMS_CHANNEL_ID="19:rapidreviews@thread.tacv2")
    bot, runner = await start_bot(db, clock, env, connector, graph)
    try:
        status = next(s for s in bot.app[ADAPTER_STATUSES] if s.name == "Teams")
        assert "Graph not configured" in status.reason and "thread" in status.reason
        bot.on(date(2026, 11, 27))
        await bot.say("bu_officer", 'new pseudonym="Child V" aware=2026-11-13')
        roots = [c for c in connector.of("POST", "/v3/conversations")
                 if (c.body.get("channelData") or {}).get("channel", {}).get("id") == "19:rapidreviews@thread.tacv2"]
        assert len(roots) == 1 and graph.calls == []
        thread = next(cid for cid, body in connector.conversations.items() if body is roots[0].body)
        # The thread opens with the case's status card: the placeholder that started it was replaced by it, and
        # nothing was posted in the thread before it (the Playground showed a notice first).
        root = thread.split(";messageid=")[1]
        assert "Fri 20 Nov 2026" in str(connector.messages[(thread, root)])
        assert "Case thread for" not in str(connector.messages[(thread, root)])
        assert not [c for c in connector.of("POST", "/activities") if thread in c.path]
        # The reply to `new` says what the case's place is, and who can read it: not a private channel.
        [opened] = [c.body["text"] for c in connector.of("POST") if "Opened rr-2026-001" in str(c.body)]
        assert "private channel" in opened and "not a private channel" in opened and "everyone in that" in opened
        # Commands in the thread act on its case, without naming it.
        bot_activity = bot.activity("sprg_chair", where="19:rapidreviews@thread.tacv2",
                                    text="<at>RapidReview</at> status")
        bot_activity["conversation"]["id"] = thread
        assert (await bot.post(bot_activity))[0] == 202
        await bot.settle()
        assert "rr-2026-001 / Child V" in connector.calls[-1].body["text"]
        port = bot.rt.platforms["teams"]
        assert await port.open_channel("rr-2026-001", "rr-2026-001", "again") == thread
    finally:
        await bot.session.close()
        await runner.cleanup()


def test_updating_a_deleted_message_asks_the_outbox_for_a_new_card_while_other_404s_stay_dead_letters():
    from unittest.mock import Mock

    import aiohttp

    from adapters.teams.connector import delivery_error
    from bot.ports import MessageGone

    def not_found() -> aiohttp.ClientResponseError:
        return aiohttp.ClientResponseError(Mock(real_url="https://smba.example/"), (), status=404, headers={})
    assert isinstance(delivery_error(not_found(), "update"), MessageGone)
    sent = delivery_error(not_found(), "send")
    assert sent.permanent and not isinstance(sent, MessageGone)
