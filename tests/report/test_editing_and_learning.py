"""Writing the report by command, the Panel submission pack, the practitioners' briefing, the action
plan with evidence and its monthly digest, and the LCSPR child workflow in the status."""
from __future__ import annotations

import io
from datetime import date, time

from docx import Document
from sqlalchemy import select

from bot.report.briefing import ONE_PAGE_WORDS, words
from bot.documents import report_file
from storage.models import ActionItem, ReportDocument
from tests.report.conftest import to_report_v1
from tests.report.helpers import inv, versions


async def test_sections_and_criteria_are_written_by_the_chair_and_the_business_unit_only(core, clock):
    d = await to_report_v1(core, clock)
    r = await d.ok("sprg_chair", 'section learning "Agencies saw single events, not the pattern over time."')
    assert "is unchanged" in r.text and "v2" in r.text
    r = await d.ok("bu_officer", "section sin-ref clear")
    assert "cleared" in r.text
    r = await d.refused("sprg_police", 'section summary "A view from the police"')
    assert r.text.startswith("Only the ")
    r = await d.refused("exec_council", 'criterion a met reason="x"')
    assert r.text.startswith("Only the ")
    r = await d.refused("sprg_chair", 'criterion b uncertain')
    assert 'reason="..."' in r.text
    await core.set_watch_names(inv(core, "bu_officer"), d.case_code, ["Kerry Smith"])
    r = await d.refused("sprg_chair", 'section summary "Kerry Smith called the police."')
    assert "Nothing was saved" in r.text and "Kerry" not in r.text
    await d.ok("sprg_chair", 'criterion national-b uncertain reason="guidance on linking incidents may need review"')
    d.on(date(2026, 9, 23))
    await d.ok("bu_officer", "report")
    v1, v2 = await versions(core, d.case_code)
    assert "| SIN reference | _to be added by the Business Unit_ |" in v2.content
    assert "| Uncertain | guidance on linking incidents may need review |" in v2.content
    created = (await d.audit("report_version_created"))[-1].detail
    assert created["changed_sections"] == ["1. Case details", "10. National review view (reg 3)"]
    # The audit says which section was written, never its words.
    assert not [a for a in await d.audit("report_section_set") if "single events" in str(a.detail)]


async def test_submit_makes_the_pack_and_the_panel_response_is_recorded(core, clock):
    d = await to_report_v1(core, clock)
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v1")
    d.on(date(2026, 9, 25))
    await d.ok("bu_officer", "submit")
    case = await d.case()
    assert case.rr_submitted_on == date(2026, 9, 25)
    async with core.db.read() as s:
        [pack] = (await s.execute(select(ReportDocument))).scalars().all()
    assert (pack.kind, pack.number, pack.report_version) == ("panel_pack", 1, 1)
    covering = pack.content
    assert "| Submitted to the Panel | Fri 25 Sep 2026 (due Mon 28 Sep 2026: on time) |" in covering
    assert "- Decision: **A local child safeguarding practice review (LCSPR) should be commissioned**" in covering
    assert "so a national review may be appropriate: **no**" in covering
    assert "| Police | North Yorkshire Police | Approved | Tue 22 Sep 2026 | v1 |" in covering
    v1 = (await versions(core, d.case_code))[0]
    assert f"Rapid Review Report v1 (content hash SHA-256 {v1.content_hash})" in covering
    assert (await d.audit("submitted_to_panel"))[-1].detail["pack_hash"] == pack.content_hash
    d.on(date(2026, 10, 9))
    await d.ok("bu_officer", "panel agrees ref=CSPRP-2026-0091")
    case = await d.case()
    assert (case.panel_outcome, case.panel_ref, case.panel_response_on) == ("AGREES", "CSPRP-2026-0091", date(2026, 10, 9))
    reply, doc = await report_file(core, inv(core, "scrutineer"), d.case_code, kind="pack", fmt="md")
    assert reply.ok and doc.data.decode().startswith("# Rapid review submission")


async def _to_learning(d, core) -> None:  # noqa: ANN001
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v1")
    d.on(date(2026, 9, 25))
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 9))
    await d.ok("bu_officer", "panel agrees")
    await d.ok("bu_officer", "shared all")
    await d.ok("learning_lead", 'action add owner=police due=2026-12-18 "Brief response officers on linking incidents"')
    await d.ok("learning_lead", 'action add owner=health due=2027-02-26 "Safeguarding flag for missed reviews"')


async def test_the_practitioners_briefing_is_one_page_of_learning_only(core, clock):
    d = await to_report_v1(core, clock)
    await _to_learning(d, core)
    reply, doc = await report_file(core, inv(core, "lead_health"), d.case_code, kind="briefing", fmt="md")
    assert reply.ok, reply.text
    text = doc.data.decode()
    assert text.startswith("# Practitioners' briefing")
    assert "Agencies saw single events, not the pattern over time." in text
    assert "- **NHS Foundation Trust (community health)**: Use the safeguarding flag" in text
    assert "- **North Yorkshire Police** (by Fri 18 Dec 2026): Brief response officers on linking incidents" in text
    assert "The Child Safeguarding Practice Review Panel's response: agrees." in text
    # Learning only: nothing from the summary, the chronology or the family context.
    for private in ("seriously harmed", "Domestic incident", "older sibling", "DFE-SIN", "minor injury"):
        assert private not in text
    assert words(text) <= ONE_PAGE_WORDS
    reply, doc = await report_file(core, inv(core, "learning_lead"), d.case_code, kind="briefing")
    document = Document(io.BytesIO(doc.data))
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == [
        "Why this briefing", "What we learned", "Learning for each agency", "What is changing",
        "Questions to discuss in supervision and team meetings"]
    assert document.sections[0].footer.paragraphs[0].text == "OFFICIAL-SENSITIVE"
    await d.ok("lead_police", "link briefing")
    # `briefing done` keeps the briefing as issued: later edits do not change what agencies were sent.
    await d.ok("bu_officer", "briefing done")
    async with core.db.read() as s:
        issued = (await s.execute(select(ReportDocument).where(ReportDocument.kind == "briefing"))).scalar_one()
    assert (await d.audit("briefing_done"))[-1].detail["content_hash"] == issued.content_hash
    reply, doc = await report_file(core, inv(core, "lead_health"), d.case_code, kind="briefing", fmt="md")
    assert doc.data.decode() == issued.content


async def test_actions_record_evidence_and_the_sub_group_gets_a_monthly_digest(core, clock):
    d = await to_report_v1(core, clock)
    await _to_learning(d, core)
    digests = await d.reminders("action_plan_digest")
    assert [r.due_at.date() for r in digests] == [date(2026, 11, 2), date(2026, 12, 1), date(2027, 1, 4),
                                                   date(2027, 2, 1), date(2027, 3, 1)]
    assert {tuple(r.recipients) for r in digests} == {("learning_lead",)}
    jan = digests[2].context["text"]
    assert jan == ("rr-2026-001 / Child V: action plan progress on Mon 4 Jan 2027: 2 actions: 0 done, 2 open; "
                   "overdue: action 1 (North Yorkshire Police, due Fri 18 Dec 2026).")
    d.on(date(2026, 12, 10))
    await d.ok("lead_police", 'action done 1 evidence="Briefing delivered to all response teams; attendance list held"')
    async with core.db.read() as s:
        item = (await s.execute(select(ActionItem).where(ActionItem.number == 1))).scalar_one()
    assert (item.status, item.done_by, item.evidence) == (
        "done", "lead_police", "Briefing delivered to all response teams; attendance list held")
    notices = [e.payload["context"]["text"] for e in await d.outbox() if e.payload.get("card") == "notice"]
    assert "Action 1 (North Yorkshire Police) done (evidence of completion recorded)." in notices
    assert not [e for e in await d.outbox() if "attendance list" in str(e.payload)]
    digests = await d.reminders("action_plan_digest")
    assert [r.context["text"].split(": ", 1)[1] for r in digests if r.status == "pending"][0] == \
        "action plan progress on Mon 4 Jan 2027: 2 actions: 1 done, 1 open."
    # The Practice and Learning Sub Group's action plan shows the evidence.
    reply, doc = await report_file(core, inv(core, "learning_lead"), d.case_code, kind="action-plan", fmt="md")
    assert "| 1 | North Yorkshire Police | Brief response officers on linking incidents | Fri 18 Dec 2026 | done | " \
           "Thu 10 Dec 2026 | Briefing delivered to all response teams; attendance list held |" in doc.data.decode()
    # The ticker sends the digest to the sub group on the first working day of the month.
    from bot.ticker import Ticker
    from bot.outbox import Dispatcher
    from tests.fakes.platform import FakePlatform

    fake = FakePlatform("fake")
    ticker = Ticker(core.db, core.partnership, core.calendar, Dispatcher(core.db, core.partnership, {"fake": fake}, clock=clock), clock=clock)
    clock.on(date(2027, 1, 4), time(9, 5))
    await ticker.tick()
    sent = [c for c in fake.of("direct_message") if c.args["context"].get("kind") == "action_plan_digest"]
    assert [c.args["member"] if isinstance(c.args["member"], str) else c.args["member"].key for c in sent] == ["learning_lead"]
    # Evidence can follow the "done" when it was not to hand; the digests stop when every action is done.
    d.on(date(2027, 1, 5))
    r = await d.ok("learning_lead", "action done 2")
    assert 'action done 2 evidence="..."' in r.text
    await d.ok("learning_lead", 'action done 2 evidence="Flag live in the records system from Mon 14 Dec 2026"')
    await d.refused("learning_lead", "action done 2")
    assert not [r for r in await d.reminders("action_plan_digest") if r.status == "pending"]


async def test_the_lcspr_child_workflow_is_tracked_and_shown_in_the_status(core, clock):
    d = await to_report_v1(core, clock)
    await _to_learning(d, core)
    await d.ok("bu_officer", "lcspr decided 2026-10-09")
    d.on(date(2026, 11, 2))
    await d.ok("bu_officer", "lcspr reviewer")
    await d.ok("bu_officer", "lcspr planned 2027-03-31")
    await d.ok("bu_officer", "lcspr publish improvements 2026-11-02")
    status = await d.ok("bu_officer", "status")
    # 7 working days before Wed 31 Mar 2027, skipping Easter 2027 (Good Friday 26, Easter Monday 29 Mar):
    # 30, 25, 24, 23, 22, 19, 18 Mar -> Thu 18 Mar 2027.
    line = next(x for x in status.text.split("\n") if x.startswith("LCSPR: "))
    assert line == ("LCSPR: decided Fri 9 Oct 2026; reviewer appointed Mon 2 Nov 2026; publication due Fri 9 Apr 2027; "
                    "planned Wed 31 Mar 2027, copy to the Panel, Secretary of State and Ofsted by Thu 18 Mar 2027; "
                    "decision to publish: improvements only (Mon 2 Nov 2026)")
    lc = status.card[1]["lcspr"]
    assert (lc["stage"], lc["publish_decision"], lc["copy_due"]) == ("publication_planned", "improvements only",
                                                                      "Thu 18 Mar 2027")
    deadlines = {x["key"]: x["date"] for x in status.card[1]["deadlines"]}
    assert deadlines["lcspr_publication_due"] == "2027-04-09" and deadlines["panel_copy_due"] == "2027-03-18"
    r = await d.refused("bu_officer", "lcspr publish full 2027-06-01")
    assert "in the future" in r.text
