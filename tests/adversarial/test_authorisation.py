"""Authorisation through each adapter, not only the core: another agency's return through the Slack modal
and the Teams form, a non-executive pressing Approve on a forwarded approval card, and an executive lead's
approval counting only for their own partner. Each refusal is told to the person and audited
(`access_refused`); nothing is recorded for the wrong agency or partner."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from storage.models import AgencyRequest, ExecutiveDecision
from tests.adversarial.conftest import audit_actions
from tests.driver import Driver
from tests.scenarios import pack_to_report, returns_in

CODE = "rr-2026-001"


def uid(h, key: str) -> str:  # noqa: ANN001
    return h.rt.partnership.member(key).slack_user_id


def card(fake, channel: str, action_id: str) -> dict:  # noqa: ANN001
    return next(m for m in reversed(fake.posts_in(channel)) if action_id in json.dumps(m.get("blocks") or []))


async def agency_requests(db) -> dict[str, tuple[str, str | None]]:  # noqa: ANN001
    async with db.read() as s:
        return {r.agency_key: (r.state, r.submitted_by) for r in (await s.execute(select(AgencyRequest))).scalars()}


async def decisions(db) -> list[tuple[str, str, str]]:  # noqa: ANN001
    async with db.read() as s:
        return sorted((d.partner, d.member_key, d.decision) for d in (await s.execute(select(ExecutiveDecision))).scalars())


async def refusals(h) -> int:  # noqa: ANN001
    return (await audit_actions(h.rt.db)).count("access_refused")


async def _slack_gathering(h) -> str:  # noqa: ANN001
    h.clock.on(date(2026, 9, 7))
    await h.slack.command(uid(h, "bu_officer"), 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    await h.settle()
    channel = next(iter(h.fake.channels))
    for text in ("triage notifiable", 'kloe "Information sharing between health and education"',
                 "request police,health,social_care,education,ambulance"):
        status, reply = await h.slack.command(uid(h, "bu_officer"), text, channel=channel)
        assert status == 200, reply
    await h.settle()
    return channel


async def test_slack_a_lead_cannot_submit_another_agencys_return_through_the_modal(slack):
    h = slack
    await _slack_gathering(h)
    police_dm, edu_dm = h.fake.ims[uid(h, "lead_police")], h.fake.ims[uid(h, "lead_education")]
    await h.slack.click(uid(h, "lead_police"), card(h.fake, police_dm, "rr_return_open"), "rr_return_open", channel=police_dm)
    await h.slack.click(uid(h, "lead_education"), card(h.fake, edu_dm, "rr_return_open"), "rr_return_open", channel=edu_dm)
    await h.settle()
    police_form, edu_form = h.fake.views[-2], h.fake.views[-1]
    entered = {"completed_by_role": "Designated safeguarding lead", "senior_signoff_role": "Headteacher",
               "signoff_date": "2026-09-15", "nature_of_involvement": "Attendance records (by role).",
               "chronology_1_date": "2026-07-01", "chronology_1_source": "School", "chronology_1_event": "Absence noted",
               "immediate_actions": "None needed."}
    before, refused = await agency_requests(h.rt.db), await refusals(h)
    # 1. The police form (e.g. forwarded or replayed) submitted by the education lead.
    status, body = await h.slack.submit(uid(h, "lead_education"), police_form, entered)
    assert status == 200, body
    assert body["response_action"] == "errors" and \
        "You can act only for Education (school), not for North Yorkshire Police" in json.dumps(body["errors"]), body
    # 2. The education lead's own form with its private metadata rewritten to the police.
    meta = json.loads(edu_form.get("private_metadata") or "{}")
    forged = {**edu_form, "private_metadata": json.dumps({**meta, "agency": "police"})}
    status, body2 = await h.slack.submit(uid(h, "lead_education"), forged, entered)
    assert status == 200 and body2["response_action"] == "errors" and \
        "not for North Yorkshire Police" in json.dumps(body2["errors"]), body2
    # 3. The same, typed: /rapidreview return police in the case channel.
    status, typed = await h.slack.command(uid(h, "lead_education"), "return police", channel=next(iter(h.fake.channels)))
    assert status == 200 and "not for North Yorkshire Police" in typed["text"], typed
    await h.settle()
    after = await agency_requests(h.rt.db)
    assert after["police"] == before["police"] and after["police"][1] is None
    assert await refusals(h) == refused + 3


async def _slack_to_approval(h) -> str:  # noqa: ANN001
    channel = await _slack_gathering(h)
    d = Driver(h.rt.core, h.clock, platform="slack")
    d.case_code = CODE
    await returns_in(d, date(2026, 9, 16))
    await pack_to_report(d)
    await h.settle()
    return channel


async def test_slack_approve_is_refused_to_a_non_executive_and_counts_only_for_the_pressers_partner(slack):
    h = slack
    channel = await _slack_to_approval(h)
    approval = card(h.fake, channel, "rr_approve")
    refused = await refusals(h)
    # A non-executive (an SPRG member) presses Approve on the card in the channel.
    await h.slack.click(uid(h, "sprg_police"), approval, "rr_approve", channel=channel)
    # The council's executive lead presses Approve on the ICB lead's own (forwarded) DM card.
    icb_dm = h.fake.ims[uid(h, "exec_icb")]
    await h.slack.click(uid(h, "exec_council"), card(h.fake, icb_dm, "rr_approve"), "rr_approve", channel=icb_dm)
    await h.settle()
    told = [r[1]["text"] for r in h.fake.responses]
    assert "Only the executive lead can run `approve`. Your role is: sprg member." in told, told
    assert "Approved v1 for Local authority (1 of 3)." in told, told  # not for the ICB, whose card it was
    assert await refusals(h) == refused + 1
    assert [(p, m) for p, m, _ in await decisions(h.rt.db)] == [("local_authority", "exec_council")]


# -- Teams ---------------------------------------------------------------------------------------------------
FULL_RETURN = {
    "completed_by_role": "Designated safeguarding lead", "senior_signoff_role": "Headteacher", "signoff_date": "2026-09-15",
    "involvement_period": "2025 to 2026", "nature_of_involvement": "Attendance records (by role).",
    "chron1_date": "2026-03-02", "chron1_source": "School", "chron1_event": "Absence noted", "chron1_action": "None",
    "went_well": "Records kept."}


def banner(response: dict) -> str:
    from tests.teams.cards_util import all_text
    return all_text(response["value"]["body"][:2]) if isinstance(response.get("value"), dict) and \
        "body" in response["value"] else json.dumps(response)


async def _teams_gathering(t) -> str:  # noqa: ANN001
    t.on(date(2026, 9, 7))
    await t.say("bu_officer", 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    ch = t.channel(CODE)
    await t.say("sprg_chair", "triage notifiable", where=ch)
    await t.say("sprg_chair", 'kloe "Information sharing between health and education"', where=ch)
    await t.say("bu_officer", "request police,health,social_care,education,ambulance", where=ch)
    return ch


async def test_teams_a_lead_cannot_submit_another_agencys_return_through_the_form(teams):
    t = teams
    await _teams_gathering(t)
    t.on(date(2026, 9, 16))
    before, refused = await agency_requests(t.rt.db), await refusals(t)
    r = await t.click("lead_education", "return", {"card": "agency_request", "case": CODE, "agency": "police"},
                      personal=True, inputs=FULL_RETURN)
    assert "not for North Yorkshire Police" in json.dumps(r), r
    after = await agency_requests(t.rt.db)
    assert after["police"] == before["police"] and after["police"][1] is None
    assert await refusals(t) == refused + 1


async def test_teams_approve_is_refused_to_a_non_executive_and_counts_only_for_the_pressers_partner(teams):
    t = teams
    ch = await _teams_gathering(t)
    d = Driver(t.rt.core, t.clock, platform="teams")
    d.case_code = CODE
    d.on(date(2026, 9, 16))
    for key in ("police", "health", "social_care", "education", "ambulance"):
        await d.ok(f"lead_{key}", "return")
    await d.ok("bu_officer", "pack")
    d.on(date(2026, 9, 21))
    await d.ok("sprg_chair", "meeting rrm 2026-09-21")
    for key in ("sprg_police", "sprg_health", "sprg_education", "sprg_social_care"):
        await d.ok(key, 'vote lcspr reason="multi-agency learning about information sharing"')
    await d.ok("sprg_chair", 'recommend lcspr reason="multi-agency learning"')
    await d.ok("bu_officer", "report")
    await t.settle()
    approval = {"card": "executive_approval", "case": CODE, "version": 1}
    refused = await refusals(t)
    r = await t.click("sprg_police", "approve", approval, where=ch)
    assert "Only the executive lead can run `approve`" in json.dumps(r), r
    assert await refusals(t) == refused + 1
    r = await t.click("exec_council", "approve", {**approval, "partner": "icb"}, personal=True)
    assert "Approved v1 for Local authority" in json.dumps(r), r
    assert [(p, m) for p, m, _ in await decisions(t.rt.db)] == [("local_authority", "exec_council")]
