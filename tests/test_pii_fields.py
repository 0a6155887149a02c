"""Every free-text field is screened (issue 15, item 3): a refused input goes back to its author only, nothing
of it is stored, and the audit trail records the kinds found, never the text. Agency returns are the one
exception by design: identifying content is kept in the store, and the report shows it only made safe
(pseudonym, age) or, if its author confirmed it, as written. Bidi override characters never reach the report.
Everything here is fictional."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from bot.context import Invocation
from bot.grammar import Command
from storage.models import ActionItem, AgencyRequest, Case, LineOfEnquiry, ReportCriterion, ReportSection, ReportVersion, Vote
from tests.driver import Driver
from tests.scenarios import pack_to_report, returns_in, to_gathering

FAMILY = ["Jayden Smith", "Kelly Smith", "Dean Bairstow"]
RLO = "\u202e"


async def _watch(core, d: Driver) -> None:  # noqa: ANN001
    inv = Invocation(platform="fake", platform_user="U0FIC0001", member=core.partnership.member("bu_officer"), private=True)
    assert (await core.set_watch_names(inv, d.case_code, FAMILY)).ok


async def _all_text(db) -> str:  # noqa: ANN001
    """Every stored row of the tables a refused input could have reached, as text."""
    out = []
    async with db.read() as s:
        for model in (Case, LineOfEnquiry, Vote, ReportSection, ReportCriterion, ActionItem, AgencyRequest):
            out += [json.dumps(r.model_dump(), default=str) for r in (await s.execute(select(model))).scalars()]
    return "\n".join(out)


def _refused_by_guard(reply, *fragments: str) -> None:  # noqa: ANN001
    assert not reply.ok and "Nothing was saved" in reply.text, reply.text
    for fragment in fragments:
        assert fragment not in reply.text


async def _blocked_kinds(d: Driver) -> list[list[str]]:
    events = await d.audit("pii_blocked")
    for e in events:
        assert set(e.detail) == {"where", "detector"}, e.detail  # kinds and the field's name, never the text
    return [e.detail["detector"] for e in events]


# --- new case: residing= and lead= ---------------------------------------------------------------------------

@pytest.mark.parametrize("arg", ['residing="Mrs Hargreaves, Malton"', 'lead="Stepdad Dean Brown"'])
async def test_residing_and_lead_are_screened(core, clock, db, arg):
    d = Driver(core, clock).on(date(2026, 9, 7))
    r = await d.refused("bu_officer", f'new pseudonym="Child V" aware=2026-09-01 {arg}')
    _refused_by_guard(r, "Hargreaves", "Dean")
    assert "Hargreaves" not in await _all_text(db) and "Dean Brown" not in await _all_text(db)
    assert await _blocked_kinds(d) == [["person"]]


async def test_a_plain_partnership_name_is_accepted(core, clock):
    d = Driver(core, clock).on(date(2026, 9, 7))
    await d.ok("bu_officer", 'new pseudonym="Child V" aware=2026-09-01 residing="City of York"')


# --- commands with free text, one by one ------------------------------------------------------------------------

GATHERING_FIELDS = [
    ("sprg_chair", 'kloe "Why was Mrs Hargreaves not seen?"', "Hargreaves"),
    ("bu_officer", 'query police reason="crime ref 12/34567/26 is missing"', "12/34567"),
    ("sprg_chair", 'waive education reason="on roll at Hillside Primary for 2 weeks only"', "Hillside"),
]


@pytest.mark.parametrize("who,text,fragment", GATHERING_FIELDS)
async def test_gathering_fields_are_screened(core, clock, db, who, text, fragment):
    d = Driver(core, clock)
    await to_gathering(d)
    if text.startswith("query"):
        await d.ok("lead_police", "return")
    _refused_by_guard(await d.refused(who, text), fragment)
    assert fragment not in await _all_text(db)
    assert await _blocked_kinds(d)


DECISION_FIELDS = [
    ("sprg_police", 'vote lcspr reason="Birth date 03/02/2019 was wrong on the SIN"', "03/02"),
    ("sprg_chair", 'recommend lcspr reason="J.a.y.d.e.n was not seen alone"', "J.a.y"),
    ("sprg_chair", 'section summary "Post-mortem: cause of death head injury"', "mortem"),
    ("sprg_chair", 'criterion a met reason="Mosaic ID 1234567 shows three referrals"', "1234567"),
]


@pytest.mark.parametrize("who,text,fragment", DECISION_FIELDS)
async def test_decision_and_report_fields_are_screened(core, clock, db, who, text, fragment):
    d = Driver(core, clock)
    await to_gathering(d)
    await _watch(core, d)
    await returns_in(d, date(2026, 9, 16))
    await d.ok("bu_officer", "pack")
    d.on(date(2026, 9, 21))
    await d.ok("sprg_chair", "meeting rrm 2026-09-21")
    _refused_by_guard(await d.refused(who, text), fragment)
    assert fragment not in await _all_text(db)
    assert await _blocked_kinds(d)


async def test_panel_reference_action_text_and_evidence_are_screened(core, clock, db):
    d = Driver(core, clock)
    await to_gathering(d)
    await returns_in(d, date(2026, 9, 16))
    await pack_to_report(d)
    d.on(date(2026, 9, 22))
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve")
    await d.ok("bu_officer", "submit")
    d.on(date(2026, 10, 9))
    _refused_by_guard(await d.refused("bu_officer", "panel agrees ref=NHS9434765919"), "943")
    await d.ok("bu_officer", "panel agrees ref=CSPRP-123")
    await d.ok("bu_officer", "shared all")
    _refused_by_guard(await d.refused("learning_lead", 'action add owner=education due=2027-03-01 '
                                                       '"Check on her at YO17-7LX"'), "YO17")
    await d.ok("learning_lead", 'action add owner=education due=2027-03-01 "Refresh the DSL training"')
    _refused_by_guard(await d.refused("bu_officer", 'action done 1 evidence="emailed jo at example dot com"'), "example")
    stored = await _all_text(db)
    assert "YO17" not in stored and "example dot" not in stored and "9434765919" not in stored
    assert sorted(map(tuple, await _blocked_kinds(d))) == [("email",), ("nhs_number",), ("postcode",)]


# --- agency returns -------------------------------------------------------------------------------------------------

RETURN = {"completed_by_role": "DI, safeguarding", "senior_signoff_role": "Head of PPU", "signoff_date": "2026-09-14",
          "nature_of_involvement": "Jayden (DOB 03/02/2019) was seen at home with mum Kelly Smith.",
          "went_well": f"Prompt referral{RLO} to children's social care",
          "immediate_actions": "Home visit; NHS 943.476.5919 passed to health.",
          "chronology": [{"date": "2026-08-01", "source": "Response team", "event": "Welfare visit to YO17-7LX"}]}


async def _submit(core, d: Driver, fields: dict):  # noqa: ANN001, ANN202
    lead = core.partnership.member("lead_police")
    return await core.handle(Invocation(platform="fake", platform_user=lead.slack_user_id, member=lead, case_code=d.case_code,
                                        command=Command("return", None, {"agency": None, "fields": fields})))


async def _report(db) -> str:  # noqa: ANN001
    async with db.read() as s:
        return (await s.execute(select(ReportVersion).order_by(ReportVersion.number.desc()))).scalars().first().content


@pytest.mark.parametrize("confirmed", [False, True])
async def test_a_return_keeps_identifying_content_in_the_store_but_not_in_the_report(core, clock, db, confirmed):
    d = Driver(core, clock)
    await to_gathering(d)
    await _watch(core, d)
    d.on(date(2026, 9, 14))
    fields = {**RETURN, **({"confirm_identifying": True} if confirmed else {})}
    r = await _submit(core, d, fields)
    assert r.ok, r.text
    # The author is told privately, by field and kind only.
    assert "Nature of involvement" in r.text and "a date of birth" in r.text and "Jayden" not in r.text
    async with db.read() as s:
        stored = (await s.execute(select(AgencyRequest).where(AgencyRequest.agency_key == "police"))).scalar_one()
    assert "03/02/2019" in stored.return_data["nature_of_involvement"]  # the store keeps what was written
    screened = await d.audit("return_screened")
    assert len(screened) == 1 and "Jayden" not in json.dumps(screened[0].detail)
    assert not [e for e in await d.outbox() if "Jayden" in json.dumps(e.payload) or "943" in json.dumps(e.payload)]
    await returns_in(d, date(2026, 9, 16), "health,social_care,education,ambulance")
    await pack_to_report(d)
    report = (await _report(db)).replace("\\[", "[").replace("\\]", "]")  # Markdown escapes brackets
    # Names on the watch list show as the pseudonym or are removed; a date of birth becomes an age.
    assert "Jayden" not in report and "Kelly" not in report and "03/02/2019" not in report
    assert "Child V (aged 7) was seen at home with mum [name removed]" in report
    assert RLO not in report and "Prompt referral to children's social care" in report
    if confirmed:
        assert "943.476.5919" in report and "YO17-7LX" in report
    else:
        assert "943" not in report and "YO17" not in report
        assert "[withheld from the report: this part of the return holds an NHS number" in report
        assert "holds a UK postcode" in report


async def test_a_return_form_with_errors_is_not_shown_back_when_it_looks_identifying(core, clock):
    d = Driver(core, clock)
    await to_gathering(d)
    d.on(date(2026, 9, 14))
    bad = await _submit(core, d, {**RETURN, "senior_signoff_role": ""})
    assert not bad.ok and bad.data.get("pii_blocked") and "senior_signoff_role" in bad.data["field_errors"]
    assert "Jayden" not in bad.text


# --- bidi controls ----------------------------------------------------------------------------------------------

async def test_bidi_override_characters_never_reach_the_store_or_the_report(core, clock, db):
    d = Driver(core, clock)
    await to_gathering(d)
    await returns_in(d, date(2026, 9, 16))
    await d.ok("bu_officer", "pack")
    d.on(date(2026, 9, 21))
    await d.ok("sprg_chair", "meeting rrm 2026-09-21")
    await d.ok("sprg_chair", f'section learning "Information {RLO}gnirahs between agencies"')
    await d.ok("sprg_chair", 'recommend lcspr reason="multi-agency learning"')
    await d.ok("bu_officer", "report")
    assert RLO not in await _all_text(db)
    report = await _report(db)
    assert RLO not in report and "Information gnirahs between agencies" in report


# --- an edited Word copy of the report ------------------------------------------------------------------------

async def test_an_uploaded_report_is_read_through_the_same_guard_and_loses_bidi_controls(core, clock, db):
    import io

    from docx import Document

    from bot.documents import import_report, report_file
    from tests.report.conftest import to_report_v1
    from tests.report.helpers import inv

    d = await to_report_v1(core, clock)
    reply, v1 = await report_file(core, inv(core, "bu_officer"), d.case_code)
    assert reply.ok
    await _watch(core, d)
    chair = inv(core, "sprg_chair")
    d.on(date(2026, 9, 23))

    def edited(text: str) -> bytes:
        document = Document(io.BytesIO(v1.data))
        inside = False
        for p in document.paragraphs:
            if p.style.name.startswith("Heading"):
                inside = p.text == "8.1 Multi-agency learning"
            elif inside and p.text.strip():
                p.text = text
                break
        buf = io.BytesIO()
        document.save(buf)
        return buf.getvalue()

    for text in ("Crime ref 12/34567/26 was not shared with health.", "Jay\u200bden was not seen on his own.",
                 "Nobody asked about the stepfather, Dean Bairstow."):
        r = await import_report(core, chair, d.case_code, edited(text), "edited.docx")
        assert not r.ok and "Nothing was saved" in r.text, text
        assert "12/34567" not in r.text and "Jay" not in r.text and "Bairstow" not in r.text
    r = await import_report(core, chair, d.case_code, edited(f"Agencies saw events{RLO}, not the pattern."), "ok.docx")
    assert r.ok, r.text
    assert RLO not in await _all_text(db) and RLO not in await _report(db)
    assert "Agencies saw events, not the pattern." in await _report(db)


# --- making a return's text safe for the report (pure) ------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("Jayden (DOB 03/02/2019) was seen", "Child V (aged 7) was seen"),
    ("born on the third of February 2019 at home", "aged 7 at home"),
    ("DOB 03-Feb-2019, mum present", "aged 7, mum present"),
    ("d.o.b. 12/03/2026 per the SIN", "aged 5 months per the SIN"),
    ("Kelly Smith rang about Jayden Smith's cough", "[name removed] rang about Child V's cough"),
    ("J.a.y.d.e.n was seen", "Child V was seen"),
    ("DOB 14/09/2027", "[date of birth removed]"),
])
def test_return_text_is_made_safe_for_the_report(text, expected):
    from bot.return_screen import for_report
    assert for_report(text, watch=FAMILY, pseudonym="Child V", on=date(2026, 9, 1), confirmed=False) == expected


def test_return_text_that_cannot_be_made_safe_is_withheld_unless_confirmed():
    from bot.return_screen import for_report
    text = "Seen at Hillside Primary; GP is Derwent Medical Centre"
    out = for_report(text, watch=FAMILY, pseudonym="Child V", on=date(2026, 9, 1), confirmed=False)
    assert out.startswith("[withheld from the report") and "Hillside" not in out and "school or nursery" in out
    assert for_report(text, watch=FAMILY, pseudonym="Child V", on=date(2026, 9, 1), confirmed=True) == text
    # Injury and investigation detail is what the report is about: it is not withheld.
    detail = "Fractured femur noted on admission; police arrested the lodger."
    assert for_report(detail, watch=FAMILY, pseudonym="Child V", on=date(2026, 9, 1), confirmed=False) == detail
