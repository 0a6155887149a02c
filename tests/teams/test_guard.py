"""The PII guard on case channels, and failures that must never put exception text into a chat."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from adapters.teams.agent import SORRY
from storage.models import AuditEvent, Case
from tests.teams.conftest import start_bot, teams_env

LEAK = "Jayden Smith, DOB 03/02/2019, lives at 12 High St, YO17 7HH"


async def open_case(teams) -> str:  # noqa: ANN001
    teams.on(date(2026, 11, 27))
    await teams.say("bu_officer", 'new pseudonym="Child V" aware=2026-11-13')
    return teams.channel("rr-2026-001")


async def test_identifying_details_in_a_case_channel_are_hidden_and_the_poster_told_privately(teams):
    channel = await open_case(teams)
    poster = teams.member("sprg_police")
    before = len(teams.connector.calls)
    await teams.say("sprg_police", LEAK, where=channel, mention=False)
    assert len(teams.graph.hidden) == 1  # hidden through Graph, the way a DLP policy hides a message
    later = teams.connector.calls[before:]
    assert not any(LEAK in json.dumps(c.body) or "Jayden" in json.dumps(c.body) for c in later)
    to_poster = [c for c in later if f"a:personal-{poster.teams_user_id}" in c.path or
                 (c.body.get("members") or [{}])[0].get("aadObjectId") == poster.teams_user_id]
    assert to_poster and any("Privacy alert" in json.dumps(c.body) for c in to_poster)
    async with teams.rt.db.read() as s:
        blocked = (await s.execute(select(AuditEvent).where(AuditEvent.action == "pii_blocked"))).scalars().all()
    assert len(blocked) == 1 and "Jayden" not in json.dumps(blocked[0].detail)


async def test_a_command_carrying_identifying_details_is_hidden_and_not_run(teams):
    channel = await open_case(teams)
    await teams.say("bu_officer", f'kloe "{LEAK}"', where=channel)
    assert len(teams.graph.hidden) == 1
    async with teams.rt.db.read() as s:
        actions = [a.action for a in (await s.execute(select(AuditEvent))).scalars()]
    assert "line_of_enquiry_added" not in actions and "pii_blocked" in actions


async def test_without_graph_the_thread_is_told_the_message_must_go(db, clock, fakes):
    connector, graph = fakes
    env = teams_env(connector, graph, TEAMS_TEAM_ID=None, TEAMS_CHANNEL_ID="19:rapidreviews@thread.tacv2")
    bot, runner = await start_bot(db, clock, env, connector, graph)
    try:
        bot.on(date(2026, 11, 27))
        await bot.say("bu_officer", 'new pseudonym="Child V" aware=2026-11-13')
        thread = next(cid for cid in connector.conversations if cid.startswith("19:rapidreviews"))
        a = bot.activity("sprg_chair", where="19:rapidreviews@thread.tacv2", text=LEAK)
        a["conversation"]["id"] = thread
        await bot.post(a)
        await bot.settle()
        notices = [c for c in connector.of("POST") if thread in c.path and "privacy guard" in json.dumps(c.body)]
        assert len(notices) == 1 and "Jayden" not in json.dumps(notices[0].body)
    finally:
        await bot.session.close()
        await runner.cleanup()


async def test_a_failure_inside_the_bot_never_reaches_the_chat(teams, monkeypatch):
    channel = await open_case(teams)

    async def broken(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise RuntimeError("database password is hunter2")

    monkeypatch.setattr(teams.rt.core, "handle", broken)
    before = len(teams.connector.calls)
    status, _ = await teams.say("sprg_chair", "status", where=channel)
    assert status == 202
    said = [c.body.get("text") for c in teams.connector.calls[before:]]
    assert said == [SORRY]
    answer = await teams.click("sprg_chair", "status", {"card": "case_status", "case": "rr-2026-001"}, where=channel)
    assert answer["statusCode"] == 500 and answer["value"]["message"] == SORRY
    assert not any("hunter2" in t or "Exception" in t for t in teams.connector.texts())
    async with teams.rt.db.read() as s:
        assert (await s.execute(select(Case))).scalar_one().state == "SIN_DECISION"


async def test_an_edited_message_is_screened_again(teams):
    channel = await open_case(teams)
    original = teams.activity("sprg_health", where=channel, text="The chronology is in the store.")
    await teams.post(original)
    edited = {**original, "type": "messageUpdate", "text": f"The chronology is in the store. {LEAK}",
              "channelData": {**original["channelData"], "eventType": "editMessage"}}
    assert (await teams.post(edited))[0] == 202
    await teams.settle()
    assert teams.graph.hidden == [original["id"]]
