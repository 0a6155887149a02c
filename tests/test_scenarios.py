"""The domain document's acceptance scenarios, driven through the core with an injected clock.

Each runs on SQLite and on PostgreSQL (the `db` fixture).
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from bot.context import Invocation
from tests.driver import Driver
from tests.scenarios import returns_in, to_approval, to_gathering


# Free text typed in these scenarios: stored, but never in an effect or a reminder (action-plan items,
# PII-guarded when typed, are the one free text meant to be shown).
TYPED = ["criteria not met on review", "criminal trial", "partners decided to review", "an agency return needed a query", "single-agency", "multi-agency learning about", "learning already known", "learning via a briefing",
         "no involvement confirmed", "Prompt referral", "Welfare visit", "CSPRP-"]


@pytest.fixture(autouse=True)
async def no_effect_carries_identifying_or_typed_text(db):
    """After every scenario: every effect and reminder it produced is checked (domain §5.2)."""
    yield
    from sqlalchemy import select

    from bot import pii
    from storage.models import OutboxEffect, Reminder

    async with db.read() as s:
        blobs = [json.dumps(e.payload) for e in (await s.execute(select(OutboxEffect))).scalars()]
        blobs += [json.dumps(r.context) for r in (await s.execute(select(Reminder))).scalars()]
    for blob in blobs:
        assert not pii.scan(blob), blob[:300]
        assert '"reason"' not in blob, blob[:300]
        for typed in TYPED:
            assert typed not in blob, (typed, blob[:300])


def utc(y, m, d, h, mi=0):  # noqa: ANN001
    return datetime(y, m, d, h, mi, tzinfo=timezone.utc)


async def test_as01_sin_due_five_working_days_after_awareness(core, clock):
    d = Driver(core, clock).on(date(2026, 12, 14))
    r = await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-14')
    status = await d.ok("bu_officer", "status")
    assert "SIN to the Panel, Mon 21 Dec 2026" in status.text
    deadlines = {x["key"]: x["date"] for x in status.card[1]["deadlines"]}
    assert deadlines["sin_due"] == deadlines["partners_informed_due"] == "2026-12-21"


async def test_as02_sin_across_christmas_is_due_tue_29_dec(core, clock):
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    deadlines = {x["key"]: x["date"] for x in (await d.ok("bu_officer", "status")).card[1]["deadlines"]}
    assert deadlines["sin_due"] == "2026-12-29"
    # SIN reminders: 1 WD before (Thu 24 Dec) and on the day, 09:00 London (= 09:00Z in winter).
    due = [r.due_at for r in await d.reminders("sin_due")]
    assert due == [utc(2026, 12, 24, 9), utc(2026, 12, 29, 9)]


async def test_as08_late_sin_runs_the_clock_from_the_actual_submission(core, clock):
    d = Driver(core, clock).on(date(2026, 11, 2))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-11-02')
    d.on(date(2026, 11, 10))
    await d.ok("bu_officer", "sin 2026-11-10")
    status = await d.ok("bu_officer", "status")
    assert "SIN submitted 1 working day late" in status.text
    deadlines = {x["key"]: x["date"] for x in status.card[1]["deadlines"]}
    assert deadlines["rapid_review_due"] == "2026-12-01"
    assert (await d.audit("deadline_computed"))[-1].detail["rapid_review_due"] == "2026-12-01"


async def test_as09_no_rapid_review_without_a_sin(core, clock):
    d = Driver(core, clock).on(date(2026, 11, 2))
    await d.ok("bu_officer", 'new pseudonym="Child W" aware=2026-11-02')
    r = await d.refused("sprg_chair", "triage notifiable")
    assert "a rapid review requires a submitted sin" in r.text.lower()
    assert "triage local" in r.text and "close" in r.text
    assert await d.state() == "SIN_DECISION"
    assert await d.reminders("rapid_review_due") == []
    await d.ok("bu_officer", "sin not-met")
    r = await d.refused("sprg_chair", "triage notifiable")
    assert "requires a submitted SIN" in r.text
    await d.ok("bu_officer", "close")
    assert await d.state() == "CLOSED"
    assert await d.reminders() == []


async def test_as10_agency_returns_reminders_late_and_nil(core, clock):
    d = Driver(core, clock)
    await to_gathering(d)
    case = await d.case()
    assert case.state == "INFO_GATHERING"
    status = (await d.ok("bu_officer", "status")).card[1]
    assert {a["due"] for a in status["agencies"]} == {"2026-09-17"}
    assert {x["key"]: x["date"] for x in status["deadlines"]}["rapid_review_due"] == "2026-09-28"
    # Reminders for the school's return: Tue 15 Sep and Thu 17 Sep at 09:00 London (08:00Z, BST).
    school = [r for r in await d.reminders("agency_return") if r.subject == "education"]
    assert [r.due_at for r in school] == [utc(2026, 9, 15, 8), utc(2026, 9, 17, 8)]
    assert school[0].recipients == ["lead_education"]
    # The ambulance trust files a nil return on 9 Sep: its reminders stop.
    d.on(date(2026, 9, 9))
    await d.ok("lead_ambulance", "nil")
    assert not [r for r in await d.reminders() if r.subject == "ambulance"]
    # Police, health and children's social care submit by the 17th.
    await returns_in(d, date(2026, 9, 17), "police,health,social_care")
    # Fri 18 Sep: the school is overdue; the escalation reaches the Business Unit and its SPRG rep.
    overdue = [r for r in await d.reminders("agency_return_overdue") if r.subject == "education"]
    assert overdue[0].due_at == utc(2026, 9, 18, 8)
    assert {"bu_officer", "sprg_education", "lead_education"} <= set(overdue[0].recipients)
    assert "Education (school) return overdue (due Thu 17 Sep 2026)" in overdue[0].context["text"]
    d.on(date(2026, 9, 18))
    status = (await d.ok("bu_officer", "status")).card[1]
    assert status["overdue"] == ["Education (school)"]
    r = await d.refused("bu_officer", "pack")
    assert "Education (school) is outstanding" in r.text and "waive" in r.text
    # The school submits late on Mon 21 Sep; the pack can then go; the RR due date never moved.
    d.on(date(2026, 9, 21))
    r = await d.ok("lead_education", "return")
    assert "2 working days late" in r.text
    await d.ok("bu_officer", "pack")
    deadlines = {x["key"]: x["date"] for x in (await d.ok("bu_officer", "status")).card[1]["deadlines"]}
    assert deadlines["rapid_review_due"] == "2026-09-28"


async def test_as10_the_sprg_chair_can_waive_an_outstanding_agency(core, clock):
    d = Driver(core, clock)
    await to_gathering(d)
    await returns_in(d, date(2026, 9, 17), "police,health,social_care,ambulance")
    r = await d.refused("sprg_chair", "waive education")
    assert "reason" in r.text
    await d.ok("sprg_chair", 'waive education reason="no involvement confirmed by the DSL"')
    await d.ok("bu_officer", "pack")
    assert await d.state() == "PACK_CIRCULATED"


async def test_as11_local_review_branch(core, clock):
    d = Driver(core, clock).on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child L" aware=2026-09-01 sin=2026-09-07')
    assert await d.reminders("rapid_review_due")
    # AS-11 (corrected): after a SIN, a local review follows only the withdrawal of the notification.
    await d.ok("sprg_chair", 'triage withdrawn reason="criteria not met on review of the facts"')
    await d.ok("sprg_chair", "triage local")
    case = await d.case()
    assert (case.state, case.track) == ("LOCAL_REVIEW", "local_review")
    assert await d.reminders("rapid_review_due") == []
    assert not [r for r in await d.reminders() if "panel" in r.kind]
    await d.refused("bu_officer", "submit")
    await d.refused("bu_officer", "report")
    statuses = [e for e in await d.outbox() if e.kind == "update_status"]
    assert statuses[-1].payload["context"]["label"] == "Local Review"
    assert statuses[0].payload["context"]["label"] == "Rapid Review"
    await d.ok("bu_officer", "request education")
    await d.ok("lead_education", "return")
    await d.ok("bu_officer", "briefing done")
    await d.ok("bu_officer", "close")


async def test_as12_all_three_partners_must_approve_the_same_version(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    await d.ok("exec_council", "approve")
    await d.ok("exec_icb", "approve v1")
    assert await d.state() == "EXEC_APPROVAL"
    status = (await d.ok("bu_officer", "status")).card[1]
    assert status["approvals"]["count"] == "2 of 3" and status["can_submit"] is False
    r = await d.refused("bu_officer", "submit")
    assert "All three partners" in r.text
    chasers = [r for r in await d.reminders("executive_approval")]
    assert {r.subject for r in chasers} == {"police"}
    assert set(chasers[0].recipients) == {"exec_police", "exec_police_deputy"}
    # The SPRG's views never change the state by themselves.
    assert status["votes"]["lcspr"] == 4 and status["votes"]["no_lcspr"] == 1
    await d.ok("exec_police", "approve v1")
    assert await d.state() == "APPROVED"
    assert await d.reminders("executive_approval") == []
    approvals = await d.audit("executive_approved")
    assert len(approvals) == 3 and len({a.detail["content_hash"] for a in approvals}) == 1


async def test_as12_a_deputy_approves_for_their_partner(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    await d.ok("exec_police_deputy", "approve")
    r = await d.refused("exec_police", "approve")
    assert "already approved" in r.text


async def test_as13_disagreement_voids_approvals_and_warns_when_time_is_short(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    d.on(date(2026, 9, 22))
    await d.ok("bu_officer", "report")  # v2
    await d.ok("exec_council", "approve v2")
    await d.ok("exec_icb", "approve v2")
    d.on(date(2026, 9, 24))
    await d.ok("exec_police", 'disagree v2 reason="LCSPR not warranted, learning is single-agency"')
    assert await d.state() == "EXEC_DISAGREEMENT"
    dms = [e.payload for e in await d.outbox() if e.kind == "direct_message"]
    risk = [p for p in dms if p["member"] == "partnership_manager" and "risk of missing" in p["context"]["text"]]
    assert len(risk) == 1 and "2 working days left" in risk[0]["context"]["text"]
    told = {p["member"] for p in dms if "disagreed with v2" in p["context"].get("text", "")}
    assert {"sprg_chair", "bu_officer"} <= told
    # The reason stays out of the channel.
    assert not [e for e in await d.outbox() if "single-agency" in str(e.payload)]
    deadlines = {x["key"]: x["date"] for x in (await d.ok("bu_officer", "status")).card[1]["deadlines"]}
    assert deadlines["rapid_review_due"] == "2026-09-28"  # never extended automatically
    await d.refused("exec_council", "approve v2")
    await d.ok("sprg_chair", 'recommend no-lcspr reason="learning via a briefing"')  # reconsidered
    await d.ok("bu_officer", "report")  # v3
    r = await d.refused("exec_council", "approve v2")
    assert "v3 is" in r.text
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v3")
    assert await d.state() == "APPROVED"


async def test_as14_submission_panel_agrees_sharing_briefing_and_close(core, clock):
    d = Driver(core, clock).on(date(2027, 1, 4))
    await d.ok("bu_officer", 'new pseudonym="Child P" aware=2026-12-18 sin=2026-12-22')
    await d.ok("sprg_chair", "triage notifiable")
    await d.ok("bu_officer", "request police")
    await d.ok("lead_police", "return")
    await d.ok("bu_officer", "pack")
    await d.ok("bu_officer", "meeting rrm 2027-01-11")  # scheduled
    d.on(date(2027, 1, 11))
    await d.ok("bu_officer", "meeting rrm held")
    await d.ok("sprg_chair", 'recommend no-lcspr reason="learning via a briefing"')
    await d.ok("bu_officer", "report")
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    d.on(date(2027, 1, 15))
    await d.ok("bu_officer", "submit")
    case = await d.case()
    assert (case.state, case.rr_submitted_on, case.recommendation) == (
        "SUBMITTED_TO_PANEL", date(2027, 1, 15), "NO_LCSPR_LEARNING_VIA_OTHER_ROUTE")
    chase = await d.reminders("panel_chase")
    assert [r.due_at for r in chase] == [utc(2027, 2, 5, 9)]
    d.on(date(2027, 2, 8))
    await d.ok("bu_officer", "panel agrees ref=CSPRP-2027-0042")
    case = await d.case()
    assert (case.state, case.panel_outcome) == ("PANEL_RESPONDED", "AGREES")
    status = (await d.ok("bu_officer", "status")).card[1]
    assert {s["recipient"] for s in status["sharing"]} == {
        "sprg_chair", "local_authority", "icb", "police", "independent_scrutineer", "sprg_membership"}
    panel_cards = [e.payload for e in await d.outbox() if e.payload.get("card") == "panel_response"]
    assert panel_cards[-1]["context"]["outcome"] == "AGREES"
    await d.ok("bu_officer", "shared police")
    assert await d.state() == "PANEL_RESPONDED"
    await d.ok("bu_officer", "shared all")
    assert await d.state() == "RESPONSE_SHARED"
    await d.refused("bu_officer", "close")
    await d.ok("learning_lead", 'action add owner=education due=2027-03-01 "Refresh the DSL information-sharing training"')
    r = await d.refused("bu_officer", "close")
    assert "briefing" in r.text and "action plan item(s) 1" in r.text
    await d.ok("bu_officer", "briefing done")
    await d.refused("lead_police", "action done 1")
    await d.ok("lead_education", "action done 1")
    await d.ok("bu_officer", "close")
    assert await d.state() == "CLOSED"
    assert [e.kind for e in await d.outbox()][-1] == "archive_channel"
    assert await d.reminders() == [] or all(r.status != "pending" for r in await d.reminders())


async def test_as15_panel_asks_partners_to_reconsider(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    d.on(date(2026, 9, 25))
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 9))
    await d.ok("bu_officer", "panel disagrees ref=CSPRP-77")
    assert await d.state() == "EXEC_APPROVAL"
    status = (await d.ok("bu_officer", "status")).card[1]
    assert status["approvals"]["count"] == "0 of 3"
    assert len(await d.audit("executive_approved")) == 3  # the previous decision stays in the trail
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    assert await d.state() == "APPROVED"


async def test_as16_national_review_holds_the_lcspr(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")
    await d.ok("bu_officer", "lcspr decided 2026-09-21")
    d.on(date(2026, 10, 9))
    await d.ok("bu_officer", "panel national")
    case = await d.case()
    assert (case.state, case.lcspr_stage) == ("NATIONAL_REVIEW", "on_hold")
    assert not [r for r in await d.reminders() if r.kind.startswith("lcspr") or r.kind == "panel_copy_due"]
    r = await d.refused("bu_officer", "lcspr planned 2027-03-01")
    assert "national review" in r.text
    await d.ok("bu_officer", "shared all")
    await d.ok("bu_officer", "briefing done")
    await d.ok("bu_officer", "close")


async def test_as18a_care_leaver_death_is_notification_only(core, clock):
    d = Driver(core, clock).on(date(2026, 4, 1))
    r = await d.ok("bu_officer", 'new pseudonym="Young Person C" aware=2026-04-01 kind=care_leaver_death')
    assert "Fri 10 Apr 2026" in r.text
    assert await d.state() == "NOTIFICATION_ONLY"
    kinds = {e.kind for e in await d.outbox()}
    assert "open_channel" not in kinds and "update_status" not in kinds
    assert await d.reminders("rapid_review_due") == []
    assert [x.due_at for x in await d.reminders("notification_due")] == [utc(2026, 4, 9, 8), utc(2026, 4, 10, 8)]
    await d.refused("bu_officer", "request police")
    await d.refused("bu_officer", "close")
    d.on(date(2026, 4, 8))
    await d.ok("bu_officer", "notified 2026-04-08")
    assert await d.reminders("notification_due") == []
    await d.ok("bu_officer", "close")


async def test_as18b_looked_after_child_converts_when_abuse_is_suspected(core, clock):
    d = Driver(core, clock).on(date(2026, 4, 1))
    await d.ok("bu_officer", 'new pseudonym="Child K" aware=2026-04-01 kind=lac_death')
    assert await d.state() == "NOTIFICATION_ONLY"
    d.on(date(2026, 5, 5))
    await d.ok("bu_officer", "aware 2026-05-05")
    assert await d.state() == "SIN_DECISION"
    assert "open_channel" in {e.kind for e in await d.outbox()}
    deadlines = {x["key"]: x["date"] for x in (await d.ok("bu_officer", "status")).card[1]["deadlines"]}
    assert deadlines["sin_due"] == "2026-05-12"


async def test_as20_pii_guard_blocks_without_keeping_the_content(core, clock, db):
    d = Driver(core, clock).on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    r = await d.run("bu_officer", "", private=True)  # nothing: private conversations need no case
    inv = Invocation(platform="fake", platform_user="U0FIC0001", member=core.partnership.member("bu_officer"), private=True)
    reply = await core.set_watch_names(inv, d.case_code, ["Jayden Smith", "Kerry Smith"])
    assert reply.ok and "Smith" not in reply.text
    slip = "Jayden Smith, DOB 03/02/2019, lives at 12 High St, YO17 7HH"
    screening = await core.screen_message(Invocation(platform="fake", platform_user="U0FIC0004",
                                                     member=core.partnership.member("sprg_police"), text=slip, case_code=d.case_code))
    assert screening.blocked and {"dob", "address", "name", "postcode"} <= screening.kinds
    blocked = await d.audit("pii_blocked")
    assert blocked[-1].actor_key == "sprg_police" and set(blocked[-1].detail["detector"]) >= {"dob", "name"}
    everything = " ".join(str(e.detail) for e in await d.audit()) + " ".join(str(e.payload) for e in await d.outbox())
    for fragment in ("Jayden", "Smith", "03/02/2019", "High St", "YO17"):
        assert fragment not in everything
    dms = [e.payload for e in await d.outbox() if e.payload.get("card") == "pii_alert"]
    assert {p["member"] for p in dms} == {"sprg_police", "bu_officer", "partnership_manager"}
    ok = await core.screen_message(Invocation(platform="fake", platform_user="U0FIC0004", member=core.partnership.member("sprg_police"),
                                              text="Police return is in, see you at the RRM on Thu 17 Sep", case_code=d.case_code))
    assert not ok.blocked


async def test_as19_cross_boundary_we_lead_and_invite_the_residing_partnership(core, clock):
    d = Driver(core, clock).on(date(2026, 12, 18))
    await d.ok("bu_officer", 'new pseudonym="Child Y" aware=2026-12-18 residing="City of York"')
    assert await d.state() == "SIN_DECISION"
    texts = [e.payload["context"].get("text", "") for e in await d.outbox() if e.kind in ("post_card", "direct_message")]
    assert any("normally lives in City of York" in t and "invite it to contribute" in t for t in texts)
    assert (await d.case()).residing_partnership == "City of York"


async def test_as19_reverse_only_a_contributing_record_is_created(core, clock):
    d = Driver(core, clock).on(date(2026, 12, 18))
    r = await d.ok("bu_officer", 'new pseudonym="Child Y" aware=2026-12-18 lead="City of York"')
    assert "contributing record" in r.text
    assert await d.state() == "CONTRIBUTING"
    assert not {e.kind for e in await d.outbox()} & {"open_channel", "update_status", "invite"}
    assert await d.reminders() == []
    await d.refused("sprg_chair", "triage notifiable")
    await d.ok("bu_officer", "close")


async def test_a_structured_return_is_validated_field_by_field_and_kept_out_of_the_channel(core, clock):
    from bot.context import Invocation
    from bot.grammar import Command

    d = Driver(core, clock)
    await to_gathering(d)
    lead = core.partnership.member("lead_police")

    async def submit(fields):  # noqa: ANN001, ANN202
        return await core.handle(Invocation(platform="fake", platform_user=lead.slack_user_id, member=lead,
                                            case_code=d.case_code, command=Command("return", None, {"agency": None, "fields": fields})))
    bad = await submit({"completed_by_role": "", "signoff_date": "14/09/2026",
                        "chronology": [{"date": "2026-08-01", "source": "Response team", "event": ""}]})
    assert not bad.ok
    errors = bad.data["field_errors"]
    assert set(errors) >= {"completed_by_role", "senior_signoff_role", "signoff_date", "chronology"}
    assert "use a date like" in errors["signoff_date"]
    assert (await d.ok("bu_officer", "status")).card[1]["agencies"][0]["status"] == "requested"
    good = await submit({"completed_by_role": "DI, safeguarding", "senior_signoff_role": "Head of PPU",
                         "signoff_date": "2026-09-14",
                         "chronology": [{"date": "2026-08-01", "source": "Response team", "event": "Welfare visit"},
                                        {"date": "2026-07-01", "source": "Control room", "event": "Call received"}],
                         "analysis_placeholder": None})
    assert not good.ok and "analysis_placeholder" in good.data["field_errors"]
    good = await submit({"completed_by_role": "DI, safeguarding", "senior_signoff_role": "Head of PPU",
                         "signoff_date": "2026-09-14", "went_well": "Prompt referral to children's social care",
                         "chronology": [{"date": "2026-08-01", "source": "Response team", "event": "Welfare visit"},
                                        {"date": "2026-07-01", "source": "Control room", "event": "Call received"}]})
    assert good.ok, good.text
    assert not [e for e in await d.outbox() if "Welfare visit" in str(e.payload) or "Prompt referral" in str(e.payload)]


async def test_a_future_awareness_date_is_accepted_with_a_warning_but_a_future_sin_is_not(core, clock):
    d = Driver(core, clock).on(date(2026, 11, 27))
    r = await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-12-18')
    assert "in the future" in r.text
    deadlines = {x["key"]: x["date"] for x in (await d.ok("bu_officer", "status")).card[1]["deadlines"]}
    assert deadlines["sin_due"] == "2026-12-29"
    r = await d.refused("bu_officer", 'new pseudonym="Child W" aware=2026-11-20 sin=2026-12-01')
    assert "sin=2026-12-01 is in the future" in r.text
