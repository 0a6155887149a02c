"""A whole rapid review run in Teams: commands as @mentions, returns, views and decisions as card actions
by the members themselves (aadObjectId = their teams_user_id), on SQLite and on PostgreSQL."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from storage.models import AuditEvent, Case
from tests.teams.cards_util import action_titles, all_text, validate_with_adaptivecards

CODE = "rr-2026-001"
FULL_RETURN = {
    "completed_by_role": "Detective sergeant, safeguarding hub", "senior_signoff_role": "Head of public protection",
    "signoff_date": "2026-09-15", "involvement_period": "2025 to 2026",
    "nature_of_involvement": "Two attendances at the family home by response officers.",
    "chron1_date": "2026-03-02", "chron1_source": "Response team", "chron1_event": "Attendance after a call from a neighbour",
    "chron1_action": "Referral to children's social care", "went_well": "Referral made the same day.",
}


async def state(teams) -> str:  # noqa: ANN001
    async with teams.rt.db.read() as s:
        return (await s.execute(select(Case.state).where(Case.code == CODE))).scalar_one()


def banner(response: dict) -> str:
    return all_text(response["value"]["body"][:2])


async def test_a_whole_rapid_review_in_teams(teams, tmp_path):
    t = teams
    t.on(date(2026, 9, 7))
    await t.say("bu_officer", f'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    ch = t.channel(CODE)
    await t.say("sprg_chair", "triage notifiable", where=ch)
    await t.say("sprg_chair", 'kloe "Information sharing between health and education"', where=ch)
    await t.say("bu_officer", "request police,health,social_care,education,ambulance", where=ch)
    assert await state(t) == "INFO_GATHERING"
    # Each agency lead has the request card, with the return form, in a 1:1 chat with the bot.
    police_chat = f"a:personal-{t.member('lead_police').teams_user_id}"
    sent = [m for (cid, _), m in t.connector.messages.items() if cid == police_chat]
    assert sent and "Submit return" in action_titles(sent[0]["attachments"][0]["content"])

    t.on(date(2026, 9, 16))
    request = {"card": "agency_request", "case": CODE, "agency": "police"}
    r = await t.click("lead_police", "return", request, personal=True,
                      inputs={"completed_by_role": "Detective sergeant", "signoff_date": "16/09/2026"})
    card_text = all_text(r["value"])
    assert "Senior sign-off (role): this is required" in card_text
    assert "Sign-off date: use a date like 2026-09-14" in card_text
    assert "Detective sergeant" in json.dumps(r["value"])  # what was typed is kept
    assert await state(t) == "INFO_GATHERING"
    r = await t.click("lead_police", "return", request, personal=True, inputs=FULL_RETURN)
    assert "North Yorkshire Police: submitted" in banner(r)
    assert "Submit return" not in action_titles(r["value"])
    for key in ("health", "social_care", "education"):
        await t.click(f"lead_{key}", "return", {**request, "agency": key}, personal=True, inputs=FULL_RETURN)
    r = await t.click("lead_ambulance", "nil", {**request, "agency": "ambulance"}, personal=True)
    assert "nil return" in banner(r)
    await t.say("bu_officer", "pack", where=ch)

    t.on(date(2026, 9, 21))
    await t.say("sprg_chair", "meeting rrm 2026-09-21", where=ch)
    # The first view is typed; the tally card it posts carries the form for everyone else.
    await t.say("sprg_police", 'vote lcspr reason="multi-agency learning"', where=ch)
    vote = {"card": "vote", "case": CODE}
    r = await t.click("sprg_health", "vote", vote, where=ch, inputs={"choice": "lcspr", "national": "false", "reason": ""})
    assert "Say why" in all_text(r["value"])
    for key in ("sprg_health", "sprg_education", "sprg_social_care"):
        await t.click(key, "vote", vote, where=ch,
                      inputs={"choice": "lcspr", "national": "false", "reason": "multi-agency learning"})
    # The tally card was posted once and then updated in place.
    assert len(t.connector.of("PUT")) >= 3
    await t.say("sprg_chair", 'recommend lcspr reason="multi-agency learning about information sharing"', where=ch)
    await t.say("bu_officer", "report", where=ch)
    assert await state(t) == "EXEC_APPROVAL"

    # User-specific views: an executive lead sees Approve / Disagree for their partner; others the status.
    approval = {"card": "executive_approval", "case": CODE}
    mine = await t.click("exec_council", "refresh", approval, where=ch, trigger="automatic")
    assert {"Approve v1", "Disagree"} <= set(action_titles(mine["value"]))
    theirs = await t.click("sprg_police", "refresh", approval, where=ch, trigger="automatic")
    assert "Approve v1" not in action_titles(theirs["value"])
    posted = next(c for c in t.connector.cards() if c.get("refresh"))
    assert len(posted["refresh"]["userIds"]) == 4  # the three leads and the police deputy

    # One lead disagrees before the next version gets three approvals.
    r = await t.click("exec_police", "disagree", {**approval, "version": 1}, personal=True,
                      inputs={"reason": "the learning is single-agency"})
    assert "Recorded your disagreement with v1" in banner(r)
    assert await state(t) == "EXEC_DISAGREEMENT"
    r = await t.click("exec_icb", "approve", {**approval, "version": 1}, personal=True)
    assert "wait for the next version" in banner(r)
    # The contested path: the chair revises the recommendation, and v2 says what changed since v1.
    r = await t.say("sprg_chair", 'recommend no-lcspr reason="learning via a practitioners briefing"', where=ch)
    assert await state(t) == "REPORT_DRAFTING"
    await t.say("bu_officer", "report", where=ch)
    since = [x for x in t.connector.texts() if "report v2 is with" in x]
    assert since and all("Changed since v1:" in x and "Changed since v1: nothing" not in x for x in since)
    for lead in ("exec_council", "exec_icb", "exec_police"):
        r = await t.click(lead, "approve", {**approval, "version": 2}, personal=True)
        assert "Approved v2" in banner(r) and "Approve v2" not in action_titles(r["value"])
    assert await state(t) == "APPROVED"
    # Teams retries the same invoke, and a lead taps Approve again: answered, nothing recorded twice.
    retry = t.activity("exec_council", personal=True, type="invoke", name="adaptiveCard/action", replyToId="1790000000001",
                       value={"action": {"type": "Action.Execute", "verb": "approve", "id": "approve",
                                         "data": {**approval, "version": 2}}, "trigger": "manual"})
    for _ in range(2):
        status, r = await t.post(retry)
        assert status == 200 and "You have already approved v2 for Local authority (3 of 3" in banner(r)
        assert "3 of 3: complete" in all_text(r["value"]) and "Approve v2" not in action_titles(r["value"])
    last = [c for c in t.connector.cards() if "Executive approval of report v2" in all_text(c)][-1]
    assert "3 of 3: complete" in all_text(last)

    r = await t.click("bu_officer", "submit", {"card": "case_status", "case": CODE}, where=ch)
    assert await state(t) == "SUBMITTED_TO_PANEL"
    t.on(date(2026, 10, 9))
    r = await t.click("bu_officer", "panel", {"card": "case_status", "case": CODE}, where=ch,
                      inputs={"outcome": "agrees", "ref": "CSPRP-123", "date": ""})
    assert await state(t) == "PANEL_RESPONDED"
    r = await t.click("bu_officer", "shared", {"card": "sharing", "case": CODE, "recipient": "all"}, where=ch)
    assert await state(t) == "RESPONSE_SHARED"
    await t.say("bu_officer", "briefing done", where=ch)
    await t.say("learning_lead", 'action add owner=education due=2027-03-01 "Refresh the DSL information-sharing training"',
                where=ch)
    r = await t.click("lead_education", "action_done", {"card": "action_item", "case": CODE, "number": 1}, personal=True)
    assert "Mark done" not in action_titles(r["value"]) and "done" in all_text(r["value"])
    await t.say("bu_officer", "close", where=ch)
    assert await state(t) == "CLOSED"
    assert t.graph.archived == [ch]

    async with t.rt.db.read() as s:
        actions = [a.action for a in (await s.execute(select(AuditEvent).order_by(AuditEvent.seq))).scalars()]
    assert actions.count("executive_disagreed") == 1 and actions.count("executive_approved") == 3
    # Nothing the connector refused, no exception text in any chat, and Microsoft's library accepts every card.
    assert t.connector.rejected == []
    assert not any("Exception" in text or "Traceback" in text for text in t.connector.texts())
    report = validate_with_adaptivecards(t.connector.cards(), tmp_path)
    assert report["failures"] == {}, report["failures"]
