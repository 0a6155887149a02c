"""A case run end to end through the sandbox's page API as the page uses it: typed commands as the
Business Unit, a card button as an agency lead, Approve on the approval card as each executive lead.
Given the sandbox's clock on Tue 22 Dec 2026 (Christmas bank holidays ahead)."""
from __future__ import annotations

import asyncio
import json

from sqlalchemy import select

from storage.models import AuditEvent, Case

BOT = "dm:{}"


def texts(state: dict) -> list[str]:
    conv = state["conversation"]
    return [m.get("text", "") for m in conv["messages"]]


def card_kinds(state: dict) -> list[str]:
    return [m.get("card_kind") for m in state["conversation"]["messages"] if m.get("card_kind")]


async def open_case(box) -> str:  # noqa: ANN001
    reply = await box.ok("bu_officer", BOT.format("bu_officer"), 'new pseudonym="Child V" aware=2026-12-18 sin=2026-12-22')
    assert "rr-2026-001" in reply["text"]
    return "rr-2026-001"


async def to_approval(box, channel: str) -> None:  # noqa: ANN001
    await box.ok("bu_officer", channel, "triage notifiable")
    await box.ok("bu_officer", channel, "request police")
    body = await box.click("lead_police", BOT.format("lead_police"), "agency_request", "Nil return (no involvement)")
    assert body["ok"], body
    await box.ok("bu_officer", channel, "pack")
    await box.ok("bu_officer", channel, "meeting rrm 2026-12-22")
    await box.ok("bu_officer", channel, 'recommend lcspr reason="multi-agency learning"')
    await box.ok("bu_officer", channel, "report")


async def test_a_new_case_opens_its_channel_for_the_core_group_only(sandbox):
    state = await sandbox.state("bu_officer")
    assert state["conversation"]["direct"] and state["conversations"][0]["label"] == "Bot (private)"
    code = await open_case(sandbox)
    state = await sandbox.state("bu_officer")
    assert [c["id"] for c in state["conversations"]] == ["dm:bu_officer", code]
    assert state["conversations"][1]["label"] == f"#{code} / Child V"
    channel = await sandbox.state("bu_officer", code)
    assert channel["conversation"]["pinned"]["card_kind"] == "case_status"
    assert any("Rapid review started" in json.dumps(m["card"]) for m in channel["conversation"]["messages"])
    # The typed command and the bot's answer are the Business Unit's alone.
    mine = await sandbox.state("bu_officer", "dm:bu_officer")
    assert [m["kind"] for m in mine["conversation"]["messages"]] == ["command", "reply"]
    assert all(m["private"] for m in mine["conversation"]["messages"])
    # An agency lead is not in the channel until their agency is asked; they cannot reach it either.
    lead = await sandbox.state("lead_police")
    assert [c["id"] for c in lead["conversations"]] == ["dm:lead_police"]
    resp = await sandbox.client.post("/sandbox/api/type", json={"as": "lead_police", "conversation": code, "text": "status"})
    assert resp.status == 403


async def test_nil_return_by_card_and_three_approvals_reach_approved(sandbox):
    code = await open_case(sandbox)
    await to_approval(sandbox, code)
    lead = await sandbox.state("lead_police", "dm:lead_police")
    request = next(m for m in lead["conversation"]["messages"] if m.get("card_kind") == "agency_request")
    assert "nil return" in json.dumps(request["card"])  # the card shows where the request stands now
    for who in ("exec_council", "exec_icb", "exec_police"):
        body = await sandbox.click(who, BOT.format(who), "executive_approval", "Approve v1")
        assert body["ok"], body
        assert "Approved v1" in body["text"]
    async with sandbox.rt.db.read() as s:
        case = (await s.execute(select(Case).where(Case.code == code))).scalar_one()
    assert case.state == "APPROVED" and case.platform == "sandbox"
    channel = await sandbox.state("bu_officer", code)
    assert "Approved by all three partners" in json.dumps(channel["conversation"]["pinned"]["card"])
    board = await (await sandbox.client.get("/board")).text()
    assert f"{code} / Child V" in board and "Approved by all three partners" in board


async def test_a_refused_button_says_why_on_the_card_for_that_person_only(sandbox):
    code = await open_case(sandbox)
    await to_approval(sandbox, code)
    body = await sandbox.click("exec_council", "dm:exec_council", "executive_approval", "Approve v1")
    assert body["ok"]
    again = await sandbox.type("exec_council", code, "approve v1")
    assert again["ok"] and "already approved" in again["text"]
    # Only the acting member sees their banner on the card; another executive sees the card plain.
    council = await sandbox.state("exec_council", "dm:exec_council")
    icb = await sandbox.state("exec_icb", "dm:exec_icb")
    assert "Approved v1 for Local authority" in json.dumps(council["conversation"]["messages"])
    assert "Approved v1 for Local authority" not in json.dumps(icb["conversation"]["messages"])


async def test_disagreeing_needs_a_reason_and_the_form_comes_back_with_the_error(sandbox):
    code = await open_case(sandbox)
    await to_approval(sandbox, code)
    body = await sandbox.click("exec_icb", "dm:exec_icb", "executive_approval", "Disagree with v1", {"reason": ""})
    assert not body["ok"]
    state = await sandbox.state("exec_icb", "dm:exec_icb")
    assert "Say why" in json.dumps(state["conversation"]["messages"])
    body = await sandbox.click("exec_icb", "dm:exec_icb", "executive_approval", "Disagree with v1",
                               {"reason": "the learning needs to be clearer"})
    assert body["ok"], body
    async with sandbox.rt.db.read() as s:
        assert (await s.execute(select(Case.state).where(Case.code == code))).scalar_one() == "EXEC_DISAGREEMENT"


async def test_the_contested_path_disagreement_revised_recommendation_v2_unanimous_submission(sandbox):
    code = await open_case(sandbox)
    await to_approval(sandbox, code)
    body = await sandbox.click("exec_council", "dm:exec_council", "executive_approval", "Approve v1")
    assert body["ok"], body
    body = await sandbox.click("exec_icb", "dm:exec_icb", "executive_approval", "Disagree with v1",
                               {"reason": "the learning needs to be clearer"})
    assert body["ok"], body
    refused = await sandbox.type("bu_officer", code, "report")  # the same text again would change nothing
    assert not refused["ok"] and "would say exactly what v1 said" in refused["text"]
    await sandbox.ok("sprg_chair", code, 'recommend no-lcspr reason="learning via a practitioners briefing"')
    await sandbox.ok("bu_officer", code, "report")
    mine = json.dumps((await sandbox.state("bu_officer", "dm:bu_officer"))["conversation"]["messages"])
    assert "report v2 is with the executive leads. Changed since v1:" in mine
    for who in ("exec_council", "exec_icb", "exec_police"):
        body = await sandbox.click(who, BOT.format(who), "executive_approval", "Approve v2")
        assert body["ok"], body
    await sandbox.ok("bu_officer", code, "submit")
    async with sandbox.rt.db.read() as s:
        case = (await s.execute(select(Case).where(Case.code == code))).scalar_one()
    assert (case.state, case.recommendation) == ("SUBMITTED_TO_PANEL", "NO_LCSPR_LEARNING_VIA_OTHER_ROUTE")


async def test_channel_messages_are_screened_and_a_blocked_one_is_hidden_from_everyone(sandbox):
    code = await open_case(sandbox)
    ok = await sandbox.type("sprg_chair", code, "Thanks, I will bring the chronology to the meeting.")
    assert ok["ok"] and not ok["hidden"]
    blocked = await sandbox.type("sprg_chair", code, "The child's date of birth is 03/04/2019 at 12 Acacia Avenue, YO1 7HH")
    assert blocked["hidden"] and not blocked["ok"]
    for who in ("bu_officer", "sprg_chair", "sprg_police"):
        state = await sandbox.state(who, code)
        flat = json.dumps(state)
        assert "Acacia" not in flat and "03/04/2019" not in flat and "YO1 7HH" not in flat
        assert "removed by the privacy guard" in flat
        assert "I will bring the chronology" in flat
    alerts = await sandbox.state("sprg_chair", "dm:sprg_chair")
    assert "pii_alert" in card_kinds(alerts)
    async with sandbox.rt.db.read() as s:
        assert (await s.execute(select(AuditEvent).where(AuditEvent.action == "pii_blocked"))).first() is not None


async def test_advancing_the_clock_moves_to_the_next_working_day_and_releases_reminders(sandbox):
    code = await open_case(sandbox)
    await sandbox.ok("bu_officer", code, "triage notifiable")
    await sandbox.ok("bu_officer", code, "request police")
    seen = []
    for _ in range(12):  # Tue 22 Dec 2026 -> ... past Christmas and the returns' due date (Wed 6 Jan 2027)
        resp = await sandbox.client.post("/sandbox/api/clock", json={"advance": "next_working_day"})
        body = await resp.json()
        assert body["ok"], body
        seen.append(body["clock"]["human"])
        await sandbox.settle()
    assert seen[:4] == ["Wed 23 Dec 2026 09:05", "Thu 24 Dec 2026 09:05", "Tue 29 Dec 2026 09:05", "Wed 30 Dec 2026 09:05"]
    assert "Mon 4 Jan 2027 09:05" in seen  # Fri 1 Jan is a bank holiday
    lead = await sandbox.state("lead_police", "dm:lead_police")
    assert "reminder" in card_kinds(lead)
    board = await (await sandbox.client.get("/board")).text()
    assert "North Yorkshire Police" in board  # late, on the board


async def test_a_reminder_card_answers_done_snooze_or_not_mine(sandbox):
    code = await open_case(sandbox)
    await sandbox.ok("bu_officer", code, "triage notifiable")
    await sandbox.ok("bu_officer", code, "request police")
    for _ in range(8):
        await sandbox.client.post("/sandbox/api/clock", json={"advance": "next_working_day"})
        await sandbox.settle()
    body = await sandbox.click("lead_police", "dm:lead_police", "reminder", "Snooze until tomorrow")
    assert body["ok"], body
    state = await sandbox.state("lead_police", "dm:lead_police")
    last = [m for m in state["conversation"]["messages"] if m.get("card_kind") == "reminder"]
    assert any(body["text"] in json.dumps(m["card"]) for m in last)


async def test_updates_are_pushed_as_server_sent_events(sandbox):
    resp = await sandbox.client.get("/sandbox/api/events")
    assert resp.headers["Content-Type"].startswith("text/event-stream")
    first = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 5)
    assert first.startswith(b"event: change")
    before = json.loads(first.split(b"data: ")[1])["version"]
    await open_case(sandbox)
    nxt = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 5)
    while not nxt.startswith(b"event: change"):
        nxt = await asyncio.wait_for(resp.content.readuntil(b"\n\n"), 5)
    assert json.loads(nxt.split(b"data: ")[1])["version"] > before
    resp.close()


async def test_help_is_the_bots_own_and_only_lists_what_the_member_may_run(sandbox):
    lead = await sandbox.type("lead_police", "dm:lead_police", "help")
    assert lead["ok"] and "`nil [AGENCY]`" in lead["text"] and "`new " not in lead["text"]
    bu = await sandbox.type("bu_officer", "dm:bu_officer", "help")
    assert "`new pseudonym=" in bu["text"]
    wrong = await sandbox.type("lead_police", "dm:lead_police", "hello there")
    assert not wrong["ok"] and "is not a command" in wrong["text"] and "`help`" in wrong["text"]


async def test_after_a_restart_the_channels_come_back_and_cards_still_update_in_place(sandbox, rt):
    from server.app import build_runtime
    from bot.settings import Settings
    from tests.sandbox.conftest import serve_sandbox

    code = await open_case(sandbox)
    await to_approval(sandbox, code)
    await sandbox.click("exec_council", "dm:exec_council", "executive_approval", "Approve v1")
    before = await sandbox.state("bu_officer", code)
    await sandbox.client.close()

    again = await serve_sandbox(build_runtime(Settings(database_url=rt.settings.database_url, tick_seconds=3600)),
                                {"RAPIDREVIEW_SANDBOX_TODAY": "2026-12-22"})
    try:
        after = await again.state("bu_officer", code)
        assert [c["label"] for c in after["conversations"]] == [c["label"] for c in before["conversations"]]
        assert after["conversation"]["pinned"]["id"] == before["conversation"]["pinned"]["id"]
        cards = [(m.get("card_kind"), m["card"]) for m in after["conversation"]["messages"] if m["kind"] == "card"]
        assert cards == [(m.get("card_kind"), m["card"]) for m in before["conversation"]["messages"] if m["kind"] == "card"]
        # What people typed, and the bot's private answers, were in memory only.
        assert all(m["kind"] == "card" for m in after["conversation"]["messages"])
        await again.click("exec_icb", "dm:exec_icb", "executive_approval", "Approve v1")
        channel = await again.state("bu_officer", code)
        approvals = [m for m in channel["conversation"]["messages"] if m.get("card_kind") == "executive_approval"]
        assert len(approvals) == 1 and "2 of 3" in json.dumps(approvals[0]["card"])  # updated, not posted again
        assert "Report v1: 2 of 3 approvals" in json.dumps(channel["conversation"]["pinned"]["card"])
    finally:
        await again.client.close()


def test_what_counts_as_a_command():
    from adapters.sandbox.chat import command_text

    assert command_text("status") == "status"
    assert command_text('new pseudonym="Child V" aware=2026-12-18') == 'new pseudonym="Child V" aware=2026-12-18'
    assert command_text("/rapidreview approve v2") == "approve v2"
    assert command_text("@RapidReview help vote") == "help vote"
    assert command_text("@bot") == "help"
    assert command_text("Thanks, see you at the meeting") is None
    assert command_text("statusreport is ready") is None
