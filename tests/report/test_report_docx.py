"""The report as a Word file: headings, tables, markings, page numbers; and an edited copy read back
into the next version, after which approvals of the old version are refused (AS-13's rule)."""
from __future__ import annotations

import io
from datetime import date

from docx import Document

from bot.report.build import SECTION_TITLES
from bot.report.docx import footer_has_page_field
from bot.documents import import_report, report_file
from tests.report.conftest import to_report_v1
from tests.report.helpers import inv, versions


async def _docx(core, code: str, key: str = "bu_officer", **kw) -> bytes:  # noqa: ANN001, ANN003
    reply, doc = await report_file(core, inv(core, key), code, **kw)
    assert reply.ok, reply.text
    return doc.data


def _under(document, heading: str) -> list:  # noqa: ANN001
    """The paragraphs after a heading, up to the next heading."""
    out, inside = [], False
    for p in document.paragraphs:
        if p.style.name.startswith("Heading") or p.style.name == "Title":
            inside = p.text == heading
            continue
        if inside and p.text.strip():
            out.append(p)
    return out


def _table(document, first_header: str, n: int = 0):  # noqa: ANN001, ANN202
    return [t for t in document.tables if t.rows[0].cells[0].text == first_header][n]


def _save(document) -> bytes:  # noqa: ANN001
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


async def test_the_word_file_has_the_headings_tables_markings_and_page_numbers(core, clock):
    d = await to_report_v1(core, clock)
    data = await _docx(core, d.case_code)
    document = Document(io.BytesIO(data))
    assert [p.text for p in document.paragraphs if p.style.name == "Title"] == ["Rapid Review Report"]
    assert [p.text for p in document.paragraphs if p.style.name == "Heading 1"] == list(SECTION_TITLES)
    assert "2.1 What happened and what is known" in [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    # Tables: case details, agencies, the merged chronology (6 columns), criteria, views, sign-off.
    assert [c.text for c in _table(document, "Date").rows[0].cells] == [
        "Date", "Agency", "Source / service", "Event or contact", "Action taken", "Outcome / decision"]
    assert len(_table(document, "Date").rows) == 6
    assert len(_table(document, "Criterion", 0).rows) == 5 and len(_table(document, "Criterion", 1).rows) == 4
    assert _table(document, "Item").rows[2].cells[1].text == "DFE-SIN-77412"
    bullets = [p.text for p in document.paragraphs if p.style.name == "List Bullet"]
    assert "North Yorkshire Police: Briefing for response officers on linking incidents | in progress." in bullets
    # The protective marking on every page (header and footer), and page numbers in the footer.
    section = document.sections[0]
    assert "OFFICIAL-SENSITIVE" in section.header.paragraphs[0].text
    assert "rr-2026-001 / Child V" in section.header.paragraphs[1].text
    assert "OFFICIAL-SENSITIVE" in section.footer.paragraphs[0].text
    assert footer_has_page_field(data) and "NUMPAGES" in section.footer._element.xml
    assert document.core_properties.identifier.startswith("rapidreview:rr-2026-001:report:v1:")
    # Sign-off is completed on export from the approvals bound to the version's hash.
    await d.ok("exec_council", "approve v1")
    signoff = _table(Document(io.BytesIO(await _docx(core, d.case_code))), "Role")
    rows = {r.cells[0].text: [c.text for c in r.cells] for r in signoff.rows[1:]}
    assert rows["Executive lead, local authority"][2:] == ["Approved", "Tue 22 Sep 2026",
                                                           f"v1 (sha256 {(await versions(core, d.case_code))[0].content_hash[:12]})"]
    assert rows["Executive lead, police"][2] == "Awaiting"


async def test_an_edited_word_file_becomes_the_next_version_and_old_approvals_are_refused(core, clock):
    d = await to_report_v1(core, clock)
    await d.ok("exec_council", "approve v1")
    await d.ok("exec_icb", "approve v1")
    document = Document(io.BytesIO(await _docx(core, d.case_code, key="sprg_chair")))
    summary = _under(document, "2.1 What happened and what is known")
    summary[0].text = "The child was seriously harmed at home on a weekday evening in August 2026."
    summary[1].text = "A police investigation is under way; the coroner is not involved."
    criteria = _table(document, "Criterion", 0)
    criteria.rows[4].cells[1].text = "Uncertain"
    criteria.rows[4].cells[2].text = "to be checked with the Panel's secretariat"
    _table(document, "Date").rows[1].cells[3].text = "An edit to a record, which cannot be kept"
    d.on(date(2026, 9, 23))
    reply = await import_report(core, inv(core, "sprg_chair"), d.case_code, _save(document), "edited.docx")
    assert reply.ok, reply.text
    assert "Read back from the uploaded file: summary of the incident, criterion (d)." in reply.text
    assert "5. Integrated summary of agency involvement were not kept" in reply.text
    v1, v2 = await versions(core, d.case_code)
    assert "on a weekday evening in August 2026" in v2.content and "coroner is not involved" in v2.content
    assert "| (d) is one which the Panel have considered and concluded a local review may be more appropriate " \
           "| Uncertain | to be checked with the Panel's secretariat |" in v2.content
    assert "An edit to a record" not in v2.content  # the chronology is built from the returns
    # What changed, for the executive leads: section titles only, in their direct messages only.
    dms = [e.payload for e in await d.outbox() if e.kind == "direct_message"
           and e.payload["card"] == "executive_approval" and e.payload["context"]["version"] == 2]
    assert {p["member"] for p in dms} == {"exec_council", "exec_icb", "exec_police", "exec_police_deputy"}
    assert dms[0]["context"]["changed_since"] == 1
    assert dms[0]["context"]["changed_sections"] == ["2. Summary of the incident",
                                                     "9. Decision against the LCSPR criteria (reg 11)"]
    assert not [e for e in await d.outbox() if "weekday evening" in str(e.payload)]
    # Approvals of v1 are void; approving v1 now is refused; v2 needs all three again.
    r = await d.refused("exec_police", "approve v1")
    assert "v1 is not the current version: v2 is" in r.text
    status = (await d.ok("bu_officer", "status")).card[1]
    assert status["approvals"] == {"version": 2, "partners": status["approvals"]["partners"], "count": "0 of 3",
                                   "complete": False}
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v2")
    assert await d.state() == "APPROVED"


async def test_uploads_that_cannot_be_used_are_refused_and_change_nothing(core, clock):
    d = await to_report_v1(core, clock)
    v1_file = await _docx(core, d.case_code)
    chair = inv(core, "sprg_chair")
    d.on(date(2026, 9, 23))
    r = await import_report(core, chair, d.case_code, b"not a word file", "x.docx")
    assert not r.ok and "not a Word (.docx) document" in r.text
    r = await import_report(core, chair, d.case_code, v1_file, "same.docx")
    assert not r.ok and "changes nothing that v1 does not already say" in r.text
    # A name from the watch list in an upload is refused by the PII guard, and nothing is saved.
    await core.set_watch_names(inv(core, "bu_officer"), d.case_code, ["Jayden Smith"])
    document = Document(io.BytesIO(v1_file))
    _under(document, "8.1 Multi-agency learning")[0].text = "Jayden Smith was not seen on his own."
    r = await import_report(core, chair, d.case_code, _save(document), "named.docx")
    assert not r.ok and "Nothing was saved" in r.text and "Jayden" not in r.text
    # An upload of v1 after v2 exists is refused: edits must be made in the current version.
    await d.ok("bu_officer", "report")
    document = Document(io.BytesIO(v1_file))
    _under(document, "8.1 Multi-agency learning")[0].text = "Agencies saw events, not the pattern."
    r = await import_report(core, chair, d.case_code, _save(document), "old.docx")
    assert not r.ok and "exported from v1, but v2 is the current version" in r.text
    # An agency lead cannot upload a report at all (the role matrix of `report`).
    r = await import_report(core, inv(core, "lead_police"), d.case_code, _save(document), "x.docx")
    assert not r.ok and r.text.startswith("Only the ")
    assert len(await versions(core, d.case_code)) == 2
    refusals = [e.detail["command"] for e in await d.audit("command_refused")] + \
               [e.detail["command"] for e in await d.audit("access_refused")]
    assert refusals.count("report") >= 4


async def test_a_draft_can_be_downloaded_edited_and_uploaded_before_the_first_version(core, clock):
    from tests.driver import Driver
    from tests.scenarios import returns_in, to_gathering

    d = Driver(core, clock)
    await to_gathering(d)
    await returns_in(d, date(2026, 9, 16))
    await d.ok("bu_officer", "pack")
    d.on(date(2026, 9, 21))
    await d.ok("bu_officer", "meeting rrm 2026-09-21")
    await d.ok("sprg_chair", 'recommend no-lcspr reason="learning via a briefing"')
    document = Document(io.BytesIO(await _docx(core, d.case_code, key="sprg_chair", kind="draft")))
    assert document.core_properties.identifier == f"rapidreview:{d.case_code}:draft:v0"
    _under(document, "3.1 Who the child is, their voice and family context")[0].text = "A child of primary age."
    r = await import_report(core, inv(core, "sprg_chair"), d.case_code, _save(document), "draft.docx")
    assert r.ok, r.text
    [v1] = await versions(core, d.case_code)
    assert "A child of primary age." in v1.content and await d.state() == "EXEC_APPROVAL"


def test_lists_typed_in_word_are_read_back_and_a_file_without_the_headings_is_refused():
    from bot.report.docx import from_docx
    from bot.report.readback import read_report

    document = Document()
    document.add_paragraph("1. Case details", style="Heading 1")
    for heading in ("2.1 What happened and what is known", "3.1 Who the child is, their voice and family context",
                    "6.1 Analysis of key practice episodes", "8.1 Multi-agency learning",
                    "11.2 Rationale for the recommendation"):
        document.add_paragraph(heading, style="Heading 2")
        document.add_paragraph("Opening paragraph.")
        document.add_paragraph("first point", style="List Bullet")
        document.add_paragraph("second point", style="List Paragraph")  # what Word's bullet button gives
    got = read_report(from_docx(_save(document)), None)
    assert got.problems == []
    assert got.sections["practice-episodes"] == "Opening paragraph.\n\n- first point\n- second point"
    plain = Document()
    plain.add_paragraph("Rapid Review Report")
    plain.add_paragraph("Summary: the child was harmed.")
    assert "numbered headings" in read_report(from_docx(_save(plain)), None).problems[0]
