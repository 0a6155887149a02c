"""Issue 14: the contested case and the long tail, driven through `Core.handle` with a frozen clock.

Each runs on SQLite and on PostgreSQL (the `db` fixture). Names follow the domain document (§2.2, §6).
"""
from __future__ import annotations

from datetime import date

from tests.driver import Driver
from tests.scenarios import to_approval
from tests.test_scenarios import no_effect_carries_identifying_or_typed_text  # noqa: F401 (autouse: §5.2 on every effect)


def _dm_texts(effects, member: str) -> list[str]:  # noqa: ANN001
    return [e.payload["context"].get("text", "") for e in effects
            if e.kind == "direct_message" and e.payload["member"] == member]


# -- item 1: the recommendation is revisable after a disagreement or a Panel request to reconsider ----------
async def test_as13_after_a_disagreement_the_chair_revises_the_recommendation_and_v2_says_what_changed(core, clock):
    d = Driver(core, clock)
    await to_approval(d)  # v1 recommends an LCSPR
    d.on(date(2026, 9, 22))
    await d.ok("exec_council", "approve v1")
    await d.ok("exec_police", 'disagree v1 reason="LCSPR not warranted, learning is single-agency"')
    assert await d.state() == "EXEC_DISAGREEMENT"
    # The same text again is refused: it would only be disagreed with again.
    r = await d.refused("bu_officer", "report")
    assert "would say exactly what v1 said" in r.text and "recommend" in r.text
    # The SPRG may give fresh views during the reconsideration.
    await d.ok("sprg_police", 'vote no-lcspr reason="learning already known"')
    r = await d.ok("sprg_chair", 'recommend no-lcspr reason="learning via a briefing"')
    assert "revised" in r.text and "v2" in r.text
    assert await d.state() == "REPORT_DRAFTING"
    revised = (await d.audit("recommendation_revised"))[-1].detail
    assert (revised["from"], revised["to"], revised["version_withdrawn"]) == ("LCSPR", "NO_LCSPR_LEARNING_VIA_OTHER_ROUTE", 1)
    await d.ok("sprg_chair", 'criterion c not-met reason="learning is single-agency"')
    await d.ok("bu_officer", "report")  # v2
    assert await d.state() == "EXEC_APPROVAL"
    created = (await d.audit("report_version_created"))[-1].detail
    assert created["version"] == 2 and created["changed_sections"]
    since = [t for t in _dm_texts(await d.outbox(), "sprg_chair") if "report v2 is with" in t][-1]
    assert "Changed since v1:" in since and "nothing" not in since
    assert any("Recommendation" in s for s in created["changed_sections"]), created["changed_sections"]
    # v1's approval is void: all three approve v2.
    r = await d.refused("exec_council", "approve v1")
    assert "v2 is" in r.text
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v2")
    assert await d.state() == "APPROVED"
    await d.ok("bu_officer", "submit")
    assert (await d.audit("submitted_to_panel"))[-1].detail["recommendation"] == "NO_LCSPR_LEARNING_VIA_OTHER_ROUTE"


async def test_as13_the_recommendation_cannot_change_under_the_leads_while_a_version_is_simply_out(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    r = await d.refused("sprg_chair", 'recommend no-lcspr reason="learning via a briefing"')
    assert "with the executive leads" in r.text and "disagree" in r.text


async def test_as15_panel_asks_to_reconsider_the_chair_revises_and_v2_needs_three_new_approvals(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    d.on(date(2026, 9, 23))
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 5))
    await d.ok("bu_officer", "panel disagrees ref=CSPRP-77")
    assert await d.state() == "EXEC_APPROVAL"
    await d.ok("sprg_chair", 'recommend no-lcspr national reason="learning via a briefing"')
    assert await d.state() == "REPORT_DRAFTING"
    await d.ok("bu_officer", "report")
    await d.refused("bu_officer", "submit")
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v2")
    await d.ok("bu_officer", "submit")
    assert await d.state() == "SUBMITTED_TO_PANEL"
    assert [a.detail["version"] for a in await d.audit("submitted_to_panel")] == [1, 2]


# -- item 2: closing a case while its LCSPR is live --------------------------------------------------------
async def to_learning(d: Driver, lcspr: bool = True) -> None:
    """AS-14's path on AS-10's case: approved, submitted, Panel agrees, shared, briefing done."""
    await to_approval(d)
    d.on(date(2026, 9, 23))
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    if lcspr:
        await d.ok("bu_officer", "lcspr decided 2026-09-23")
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 5))
    await d.ok("bu_officer", "panel agrees ref=CSPRP-1")
    await d.ok("bu_officer", "shared all")
    await d.ok("bu_officer", "briefing done")
    assert await d.state() == "LEARNING_AND_ACTIONS"


async def test_s15_close_is_refused_while_the_lcspr_is_live_and_its_clock_keeps_running(core, clock):
    d = Driver(core, clock)
    await to_learning(d)
    d.on(date(2026, 10, 12))
    await d.ok("bu_officer", "lcspr planned 2027-03-01")
    r = await d.refused("bu_officer", "close")
    assert "LCSPR is live" in r.text and "lcspr published" in r.text
    assert await d.state() == "LEARNING_AND_ACTIONS"
    kinds = {x.kind for x in await d.reminders()}
    assert {"lcspr_publication_due", "panel_copy_due"} <= kinds
    status = (await d.ok("bu_officer", "status")).text
    assert "LCSPR copy to the Panel" in status or "copy to the Panel" in status
    d.on(date(2027, 3, 1))
    await d.ok("bu_officer", "lcspr published 2027-03-01")
    await d.ok("bu_officer", "close")
    assert await d.state() == "CLOSED"
    assert not [x for x in await d.reminders() if x.status == "pending"]


# -- item 4: a local review after a SIN only through the SIN's withdrawal (S3 and AS-11 as corrected) ------
async def test_as11_triage_local_after_a_sin_names_the_two_paths_and_changes_nothing(core, clock):
    d = Driver(core, clock).on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child L" aware=2026-09-01 sin=2026-09-07')
    r = await d.refused("sprg_chair", "triage local")
    assert "rapid review is owed" in r.text and "triage notifiable" in r.text and "triage withdrawn" in r.text
    assert await d.state() == "RR_INITIATED"
    assert await d.reminders("rapid_review_due")
    status = (await d.ok("bu_officer", "status")).card[1]
    assert "rapid_review_due" in {x["key"] for x in status["deadlines"]}
    # Withdrawal needs its reason, is audited with it, and asks the Business Unit to tell the Panel.
    r = await d.refused("sprg_chair", "triage withdrawn")
    assert "reason" in r.text
    await d.ok("sprg_chair", 'triage withdrawn reason="criteria not met on review of the facts"')
    assert (await d.audit("triaged"))[-1].detail["decision"] == "sin_withdrawn"
    assert any("tell the Panel" in t for t in _dm_texts(await d.outbox(), "bu_officer"))
    assert await d.reminders("rapid_review_due") == []
    await d.ok("sprg_chair", "triage local")
    assert (await d.case()).track == "local_review"


async def test_as11_a_local_review_closes_with_its_learning_issued_and_no_return_outstanding(core, clock):
    d = Driver(core, clock).on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child L" aware=2026-09-01')
    await d.ok("bu_officer", "sin not-met")
    await d.ok("sprg_chair", "triage local")
    await d.ok("bu_officer", "request education,police")
    await d.ok("lead_education", "return")
    r = await d.refused("bu_officer", "close")
    assert "outstanding from North Yorkshire Police" in r.text and "briefing" in r.text
    assert (await d.case()).state == "LOCAL_REVIEW"
    await d.ok("lead_police", "nil")
    await d.ok("bu_officer", "briefing done")
    await d.ok("bu_officer", "close")


# -- item 6: the status headline is the most urgent open deadline --------------------------------------------
async def test_as13_during_a_disagreement_the_headline_is_the_rapid_review_not_a_past_phase(core, clock):
    d = Driver(core, clock)
    await to_approval(d)  # the council's report to the partners was never recorded with `informed`
    d.on(date(2026, 9, 24))
    await d.ok("exec_police", 'disagree reason="LCSPR not warranted, learning is single-agency"')
    r = await d.ok("partnership_manager", "status")
    assert "Next deadline: Rapid review to the Panel, Mon 28 Sep 2026" in r.text
    assert "Safeguarding partners informed" not in r.text.splitlines()[1]
    assert r.card[1]["next_deadline"]["key"] == "rapid_review_due"
    listed = await d.ok("partnership_manager", "list")
    assert "next: Rapid review to the Panel Mon 28 Sep 2026" in listed.text
    # Before triage the partners' report is still a live deadline, and leads when it is the earliest.
    d2 = Driver(core, clock).on(date(2026, 9, 7))
    await d2.ok("bu_officer", 'new pseudonym="Child W" aware=2026-09-01 sin=2026-09-07')
    assert (await d2.ok("bu_officer", "status")).card[1]["next_deadline"]["key"] == "partners_informed_due"


async def test_help_informed_says_what_is_recorded_and_what_the_bot_sends_itself(core, clock):
    d = Driver(core, clock).on(date(2026, 9, 7))
    r = await d.ok("bu_officer", "help informed", case=None)
    assert "reported the incident to the safeguarding partners" in r.text and "need no command" in r.text


# -- item 7: a date outside the calendar's holiday data ----------------------------------------------------
async def test_as01_a_mistyped_year_gets_a_specific_message_and_an_audit_record_and_changes_nothing(core, clock):
    d = Driver(core, clock).on(date(2026, 9, 1))
    r = await d.refused("bu_officer", 'new pseudonym="Child V" aware=2062-09-01')
    assert "aware=2062-09-01" in r.text and "bank holiday data" in r.text and "2026-09-01" in r.text
    refused = await d.audit("command_refused")
    assert refused and refused[-1].detail["command"] == "new"
    assert await d.outbox() == []


async def test_as08_a_deadline_in_a_year_without_holiday_data_alerts_and_never_outputs_a_date(db, partnership, clock, caplog):
    from bot.calendar import WorkingDayCalendar
    from bot.core import Core

    core = Core(db, partnership, WorkingDayCalendar(last_year=2026), clock=clock)
    d = Driver(core, clock).on(date(2026, 11, 2))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-11-02')
    d.on(date(2026, 12, 14))
    with caplog.at_level("ERROR", logger="rapidreview.core"):
        r = await d.refused("bu_officer", "sin 2026-12-14")  # the rapid review would be due in January 2027
    assert "2027" in r.text and "no bank holiday data" in r.text and "Jan" not in r.text
    assert any("no bank holiday data" in rec.getMessage() for rec in caplog.records)
    told = _dm_texts(await d.outbox(), "bu_officer")
    assert any("2027" in t and "administrator" in t for t in told)
    assert (await d.case()).sin_submitted_on is None
    assert (await d.audit("command_refused"))[-1].detail["command"] == "sin"


# -- item 3: the Rapid Review Meeting scheduled, then held ---------------------------------------------------
async def test_s7_a_meeting_is_scheduled_before_the_pack_held_on_its_date_and_the_recommendation_waits_for_it(core, clock):
    from tests.scenarios import returns_in, to_gathering

    d = Driver(core, clock)
    await to_gathering(d)  # SIN Mon 7 Sep 2026: the rapid review is due Mon 28 Sep
    r = await d.ok("sprg_chair", "meeting rrm 2026-09-30")
    assert "after the rapid review is due (Mon 28 Sep 2026)" in r.text
    assert await d.audit("meeting_after_rr_due")
    r = await d.ok("sprg_chair", "meeting rrm 2026-09-21")  # moved earlier: scheduled, no warning
    assert "scheduled for Mon 21 Sep 2026" in r.text and "Warning" not in r.text
    assert (await d.case()).rrm_held_on is None
    await returns_in(d, date(2026, 9, 16))
    await d.ok("bu_officer", "pack")
    assert await d.state() == "PACK_CIRCULATED"
    r = await d.refused("sprg_chair", 'recommend lcspr reason="multi-agency learning"')
    assert "not recorded as held" in r.text
    r = await d.refused("sprg_chair", "meeting rrm held")  # before its date
    assert "on or after" in r.text
    d.on(date(2026, 9, 21))
    await d.ok("sprg_chair", "meeting rrm held")  # the date set before the pack is not typed again
    case = await d.case()
    assert (case.state, case.rrm_held_on) == ("RAPID_REVIEW_MEETING", date(2026, 9, 21))
    await d.ok("sprg_chair", 'recommend lcspr reason="multi-agency learning"')


async def test_s7_a_past_meeting_date_before_the_pack_is_refused_with_the_reason(core, clock):
    from tests.scenarios import to_gathering

    d = Driver(core, clock)
    await to_gathering(d)
    d.on(date(2026, 9, 10))
    r = await d.refused("sprg_chair", "meeting rrm 2026-09-09")
    assert "considers the pack" in r.text and "meeting rrm 2026-09-11" in r.text
    assert (await d.case()).rrm_on is None


# -- item 5: daily escalation while the rapid review is overdue; the Panel told of the delay -----------------
async def test_as13_an_overdue_rapid_review_escalates_daily_and_the_panel_told_of_the_delay_is_in_the_report(core, clock):
    from sqlalchemy import select

    from storage.models import ReportVersion

    d = Driver(core, clock)
    await to_approval(d)  # rapid review due Mon 28 Sep 2026; v1 awaiting the executive leads
    overdue = [r for r in await d.reminders("rapid_review_due_overdue")]
    assert overdue[0].due_at.date() == date(2026, 9, 29)
    assert set(overdue[0].recipients) == {"bu_officer", "partnership_manager", "sprg_chair"}
    assert {"exec_council", "exec_icb", "exec_police"} <= set(overdue[1].recipients)  # from the second day
    assert "has not been told of the delay" in overdue[0].context["text"]
    d.on(date(2026, 9, 29))
    r = await d.refused("bu_officer", "panel delay")
    assert "reason" in r.text
    await d.ok("bu_officer", 'panel delay reason="an agency return needed a query"')
    assert (await d.audit("panel_told_of_delay"))[-1].detail["rapid_review_due"] == "2026-09-28"
    later = await d.reminders("rapid_review_due_overdue")
    assert later and all("Panel told of the delay on Tue 29 Sep 2026" in r.context["text"] for r in later)
    await d.ok("bu_officer", "report")  # v2 carries it
    async with core.db.read() as s:
        v2 = (await s.execute(select(ReportVersion).where(ReportVersion.number == 2))).scalar_one()
    assert "Panel told of the delay" in v2.content and "an agency return needed a query" in v2.content
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v2")
    await d.ok("bu_officer", "submit")
    assert not [r for r in await d.reminders("rapid_review_due_overdue") if r.status == "pending"]


# -- item 8: the Independent Scrutineer and the Partnership Chair hear the outcome ---------------------------
async def test_as14_scrutineer_and_partnership_chair_are_told_at_approval_sending_unanimity_and_submission(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    d.on(date(2026, 9, 23))
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")
    effects = await d.outbox()
    for who in ("scrutineer", "partnership_chair"):
        told = _dm_texts(effects, who)
        assert any("report v1 has gone to the executive leads" in t for t in told), told
        assert any("all three partners approved report v1" in t for t in told), told
        assert any("submitted to the Panel on Wed 23 Sep 2026" in t and "LCSPR" in t for t in told), told


# -- item 13: submit warns when the report was edited after the approved version ------------------------------
async def test_as14_submit_names_sections_edited_after_approval_and_offers_a_new_version(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    d.on(date(2026, 9, 23))
    await d.ok("exec_council", "approve")
    await d.ok("exec_icb", "approve")
    await d.ok("sprg_chair", 'section learning "Information sharing between health and education"')
    await d.ok("exec_police", "approve")
    assert await d.state() == "APPROVED"
    r = await d.refused("bu_officer", "submit")
    assert "changed after v1 was approved: Multi-agency learning" in r.text
    assert "`report`" in r.text and "submit as-approved" in r.text
    await d.ok("bu_officer", "submit as-approved")
    assert (await d.audit("submitted_without_later_edits"))[-1].detail["version"] == 1
    assert await d.state() == "SUBMITTED_TO_PANEL"


async def test_as14_submit_of_an_unedited_approved_version_needs_no_confirmation(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    d.on(date(2026, 9, 23))
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")


# -- item 14: the national-review route -------------------------------------------------------------------
async def test_as16_a_national_review_tracks_the_panels_information_requests_and_closes_with_a_briefing(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    d.on(date(2026, 9, 23))
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 9))
    await d.ok("bu_officer", "panel national")
    await d.ok("bu_officer", "shared all")
    r = await d.refused("bu_officer", "submit")
    assert "no open request" in r.text
    d.on(date(2026, 11, 2))
    await d.ok("bu_officer", "panel information ref=CSPRP-NR-1")
    r = await d.refused("bu_officer", "close")
    assert "briefing" in r.text and "request for information of Mon 2 Nov 2026 is open" in r.text
    await d.ok("bu_officer", "submit")
    assert (await d.audit("panel_information_sent"))[-1].detail["national_review"] is True
    r = await d.refused("bu_officer", "close")
    assert "briefing" in r.text and "request for information" not in r.text
    await d.ok("bu_officer", "briefing done")
    await d.ok("bu_officer", "close")


# -- item 15: typing a return's fields in a command says how to submit a return ------------------------------
async def test_as10_typing_a_returns_fields_says_how_to_submit_a_return(core, clock):
    from bot.context import Invocation
    from bot.grammar import Command
    from tests.scenarios import to_gathering

    d = Driver(core, clock)
    await to_gathering(d)
    r = await d.refused("lead_police", 'return police completed_by_role="DS" involvement=yes')
    assert "Submit return" in r.text and "secure email" in r.text and "return police" in r.text
    # The same through a platform that passes the fields as text rather than a form.
    member = core.partnership.member("lead_police")
    r = await core.handle(Invocation(platform="fake", platform_user=member.slack_user_id, member=member, text=None,
                                     case_code=d.case_code, command=Command("return", None, {
                                         "agency": "police", "fields": "completed_by_role=DS"})))
    assert not r.ok and "Submit return" in r.text and "valid dictionary" not in r.text
    assert (await d.case()).state == "INFO_GATHERING"


# -- item 10: a looked-after child's death converted to a SIN keeps its first notification date ---------------
async def test_as18b_converting_to_a_sin_keeps_the_first_notification_date(core, clock):
    d = Driver(core, clock).on(date(2026, 4, 1))
    await d.ok("bu_officer", 'new pseudonym="Child N" aware=2026-04-01 kind=lac_death')
    d.on(date(2026, 4, 20))
    await d.ok("bu_officer", "aware 2026-04-20")  # abuse or neglect now suspected
    case = await d.case()
    assert (case.state, case.notification_aware_on, case.la_aware_on) == ("SIN_DECISION", date(2026, 4, 1), date(2026, 4, 20))
    deadlines = {x["key"]: x["date"] for x in (await d.ok("bu_officer", "status")).card[1]["deadlines"]}
    assert deadlines["notification_due"] == "2026-04-10"  # AS-18: from the first awareness, not moved
    assert deadlines["sin_due"] == "2026-04-27"  # the SIN clock runs from awareness of the suspicion


# -- item 11: a contributing record shows what we owe the lead partnership, not a SIN deadline ----------------
async def test_as19_a_contributing_record_shows_our_contribution_not_the_leads_sin_clock(core, clock):
    d = Driver(core, clock).on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child Y" aware=2026-09-01 sin=2026-09-07 lead="City of York"')
    status = await d.ok("bu_officer", "status")
    keys = [x["key"] for x in status.card[1]["deadlines"]]
    assert keys == ["contribution_due"]
    assert "Our information to City of York, Thu 17 Sep 2026" in status.text
    assert "SIN" not in status.text
    assert not [r for r in await d.reminders() if r.kind.startswith(("sin_due", "rapid_review"))]


# -- item 12: LCSPR checks ---------------------------------------------------------------------------------
async def test_s15_a_late_planned_publication_needs_a_reason_and_the_copy_is_recorded_as_sent(core, clock):
    d = Driver(core, clock)
    await to_learning(d)  # LCSPR decided Wed 23 Sep 2026: publication due Tue 23 Mar 2027
    d.on(date(2026, 10, 12))
    r = await d.refused("bu_officer", "lcspr planned 2027-05-03")
    assert "after the LCSPR's publication due date" in r.text and 'reason="' in r.text
    # (Not "the criminal trial…": the PII guard reads that as a detail of a police investigation.)
    r = await d.ok("bu_officer", 'lcspr planned 2027-05-03 reason="the independent reviewer is not available until April"')
    assert "Warning" in r.text
    assert (await d.audit("lcspr_publication_late"))[-1].detail["due"] == "2027-03-23"
    assert [x for x in await d.reminders() if x.kind == "panel_copy_due"]
    d.on(date(2027, 4, 20))
    await d.ok("bu_officer", "lcspr copy-sent 2027-04-20")
    assert not [x for x in await d.reminders() if x.kind == "panel_copy_due" and x.status == "pending"]
    deadlines = {x["key"]: x for x in (await d.ok("bu_officer", "status")).card[1]["deadlines"]}
    assert deadlines["panel_copy_due"]["met"] is True


async def test_s15_an_lcspr_decided_against_a_no_lcspr_recommendation_records_the_partners_decision(core, clock):
    from tests.scenarios import returns_in, to_gathering

    d = Driver(core, clock)
    await to_gathering(d)
    await returns_in(d, date(2026, 9, 16))
    await d.ok("bu_officer", "pack")
    d.on(date(2026, 9, 21))
    await d.ok("sprg_chair", "meeting rrm 2026-09-21")
    await d.ok("sprg_chair", 'recommend no-lcspr reason="learning via a briefing"')
    await d.ok("bu_officer", "report")
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    r = await d.refused("bu_officer", "lcspr decided 2026-09-21")
    assert "was NO_LCSPR_LEARNING_VIA_OTHER_ROUTE" in r.text and 'reason="' in r.text
    await d.ok("bu_officer", 'lcspr decided 2026-09-21 reason="partners decided to review the multi-agency learning"')
    assert (await d.audit("lcspr_decided_against_recommendation"))


# -- item 16: the local review's due date is reminded ------------------------------------------------------
async def test_as11_the_local_review_due_date_gets_reminders_and_overdue_escalation(core, clock):
    d = Driver(core, clock).on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child L" aware=2026-09-01')
    await d.ok("bu_officer", "sin not-met")
    await d.ok("sprg_chair", "triage local")
    due = {x["key"]: x["date"] for x in (await d.ok("bu_officer", "status")).card[1]["deadlines"]}["local_review_due"]
    before = await d.reminders("local_review_due")
    assert [r.context["offset"] for r in before] == [10, 3, 0] and before[-1].context["due"] == due
    assert {"bu_officer", "sprg_chair"} <= set(before[0].recipients)
    overdue = await d.reminders("local_review_due_overdue")
    assert overdue and "partnership_manager" in overdue[0].recipients


# -- item 19: SIN details the Panel asks for: held in the store, used by the report and the pack, never posted --
async def test_s2_sin_details_are_held_used_in_the_report_and_pack_and_never_posted(core, clock):
    from sqlalchemy import select

    from storage.models import ReportDocument, ReportVersion

    d = Driver(core, clock)
    await to_approval(d)
    before = len(await d.outbox())
    r = await d.refused("bu_officer", "sin details category=burglary")
    assert "physical, emotional, sexual, neglect, multiple" in r.text
    r = await d.ok("bu_officer", "sin details incident=2026-08-30 category=neglect children=2 consulted=yes")
    assert "never posted" in r.text
    assert len(await d.outbox()) == before + 1  # only the status card's update: nothing posted about the details
    assert (await d.audit("sin_details_set"))[-1].detail == {"fields": ["incident", "category", "children", "consulted"]}
    await d.ok("bu_officer", "report")  # v2 carries them
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v2")
    await d.ok("bu_officer", "submit")
    async with core.db.read() as s:
        v2 = (await s.execute(select(ReportVersion).where(ReportVersion.number == 2))).scalar_one()
        pack = (await s.execute(select(ReportDocument).where(ReportDocument.kind == "panel_pack"))).scalar_one()
    for text in (v2.content, pack.content):
        assert "Date of the incident" in text and "Sun 30 Aug 2026" in text and "Neglect" in text
        assert "| Number of children | 2 |" in text and "consulted on notifying | yes" in text
    assert not [e for e in await d.outbox() if "Neglect" in str(e.payload) or "30 Aug" in str(e.payload)]


# -- item 17: immediate safety actions during the rapid review ----------------------------------------------
async def test_s2_immediate_safety_actions_are_tracked_from_day_one_into_the_report_and_block_closing(core, clock):
    from sqlalchemy import select

    from storage.models import ReportVersion

    d = Driver(core, clock).on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-09-01 sin=2026-09-07')
    r = await d.refused("sprg_chair", 'safety add owner=social_care due=2026-09-09 at_risk=Jane "Safety plan agreed"')
    assert "never a name" in r.text
    await d.ok("sprg_chair", 'safety add owner=social_care due=2026-09-09 at_risk=siblings "Safety plan for the siblings agreed"')
    sent = [e.payload for e in await d.outbox() if e.kind == "direct_message" and e.payload["member"] == "lead_social_care"]
    assert sent and "Safety plan for the siblings" in sent[-1]["context"]["text"]
    posted = [e.payload for e in await d.outbox() if e.kind == "post_notice"] + \
             [e.payload for e in await d.outbox() if e.kind != "direct_message"]
    assert not [p for p in posted if "Safety plan" in str(p)]  # the channel hears number, owner and date only
    reminders = await d.reminders("safety_action")
    assert reminders and {"lead_social_care", "bu_officer"} <= set(reminders[0].recipients)
    assert await d.reminders("safety_action_overdue")
    # The report built later carries it.
    await d.ok("sprg_chair", "triage notifiable")
    await d.ok("bu_officer", "request police")
    await d.ok("lead_police", "return")
    await d.ok("bu_officer", "pack")
    d.on(date(2026, 9, 14))
    await d.ok("sprg_chair", "meeting rrm 2026-09-14")
    await d.ok("sprg_chair", 'recommend no-lcspr reason="learning via a briefing"')
    await d.ok("bu_officer", "report")
    async with core.db.read() as s:
        v1 = (await s.execute(select(ReportVersion))).scalars().one()
    assert "Immediate safety actions tracked" in v1.content and "Safety plan for the siblings agreed" in v1.content
    r = await d.refused("lead_police", "safety done 1")
    assert "belongs to" in r.text
    await d.ok("lead_social_care", "safety done 1")
    assert not [x for x in await d.reminders("safety_action") if x.status == "pending"]


# -- item 9: the pack is a real document the SPRG and contributing agency leads can open ---------------------
async def test_s6_the_sprg_pack_is_a_document_sprg_members_and_contributing_leads_can_open(core, clock):
    from bot.report.files import render
    from tests.scenarios import returns_in, to_gathering

    d = Driver(core, clock)
    await to_gathering(d, agencies="police,health,education")
    r = await d.refused("sprg_police", "link sprg-pack")
    assert "not been circulated yet" in r.text
    await returns_in(d, date(2026, 9, 16), "police,health")
    await d.ok("sprg_chair", 'waive education reason="no involvement confirmed by the DSL"')
    await d.ok("bu_officer", "pack")
    told = {e.payload["member"] for e in await d.outbox()
            if e.kind == "direct_message" and "the SPRG pack is ready" in e.payload["context"].get("text", "")}
    assert {"sprg_police", "sprg_health", "sprg_chair", "bu_officer", "lead_police", "lead_health"} <= told
    assert "lead_education" not in told and "exec_council" not in told  # waived: did not contribute
    await d.ok("sprg_police", "link sprg-pack")
    await d.ok("lead_health", "link sprg-pack")
    r = await d.refused("lead_education", "link sprg-pack")
    assert "whose agency contributed" in r.text
    await d.refused("exec_council", "link sprg-pack")
    issued = [a.detail for a in await d.audit("report_link_issued") if a.detail["kind"] == "sprg-pack"]
    assert {"sprg_police", "lead_health"} <= {a["member"] for a in issued}
    async with core.db.read() as s:
        doc = await render(s, core.partnership, core.calendar, await d.case(), "sprg-pack", None, "md", clock())
    text = doc.data.decode()
    assert text.startswith("# SPRG pack for the Rapid Review Meeting")
    assert "Information sharing between health and education" in text  # the lines of enquiry
    assert "## 5. Integrated summary" in text and "## 6. Analysis" in text and "## 7." not in text
