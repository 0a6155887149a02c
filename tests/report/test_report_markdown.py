"""The report's Markdown: every §3.2 heading in order, built from what the case holds, deterministic.

Given the AS-10 case with structured returns, written sections and criteria, when `report` runs on
Tue 22 Sep 2026, then v1 is exactly the golden file and its content hash is the SHA-256 of it.
Set RAPIDREVIEW_UPDATE_GOLDEN=1 to rewrite the golden file after an intended change (and read the diff).
"""
from __future__ import annotations

import hashlib
import os
from datetime import date
from pathlib import Path

from bot.report import blocks as md
from bot.report.build import SECTION_TITLES, ReportParts, build_markdown, content_hash
from bot.casefile import load_case_file
from tests.driver import Driver
from tests.report.conftest import to_report_v1
from tests.report.helpers import versions
from tests.scenarios import to_approval

GOLDEN = Path(__file__).parent / "golden"


def _golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if os.environ.get("RAPIDREVIEW_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


async def test_a_whole_case_builds_the_golden_report_and_approvals_bind_to_its_hash(core, clock):
    d = await to_report_v1(core, clock)
    [v1] = await versions(core, d.case_code)
    assert v1.content == _golden("whole_case_v1.md", v1.content)
    assert v1.content_hash == hashlib.sha256(v1.content.encode("utf-8")).hexdigest() == content_hash(v1.content)
    await d.ok("exec_council", "approve v1")
    approval = (await d.audit("executive_approved"))[-1]
    assert approval.detail["content_hash"] == v1.content_hash


async def test_every_heading_is_there_in_order_even_when_the_case_holds_little(core, clock):
    d = Driver(core, clock)
    await to_approval(d)  # returns recorded as received outside the bot; nothing written yet
    [v1] = await versions(core, d.case_code)
    blocks = md.parse(v1.content)
    assert [b.text for b in blocks if b.kind == "heading" and b.level == 2] == list(SECTION_TITLES)
    assert "To be completed by the SPRG chair and the Business Unit." in v1.content
    assert "Returns received outside the bot" in v1.content and "_to be completed_" in v1.content


async def test_the_integrated_chronology_is_merged_by_date_with_its_source_agency(core, clock):
    d = await to_report_v1(core, clock)
    [v1] = await versions(core, d.case_code)
    table = next(b for b in md.parse(v1.content) if b.kind == "table" and md.plain(b.rows[0][0]) == "Date")
    rows = [[md.plain(c) for c in r] for r in table.rows[1:]]
    assert [(r[0], r[1]) for r in rows] == [
        ("Sat 14 Mar 2026", "North Yorkshire Police"), ("Sat 14 Mar 2026", "NHS Foundation Trust (community health)"),
        ("Mon 16 Mar 2026", "Children's Social Care"), ("Wed 20 May 2026", "NHS Foundation Trust (community health)"),
        ("Sun 2 Aug 2026", "North Yorkshire Police")]


async def test_the_same_case_gives_the_same_text_and_an_unchanged_rebuild_changes_no_section(core, clock):
    d = await to_report_v1(core, clock)
    d.on(date(2026, 9, 23))
    await d.ok("bu_officer", "report")
    v1, v2 = await versions(core, d.case_code)
    assert md.changed_sections(v1.content, v2.content) == []
    assert v1.content.replace("Version 1, built Tue 22 Sep", "Version 2, built Wed 23 Sep") == v2.content
    async with core.db.read() as s:
        f = await load_case_file(s, await d.case())
    parts = ReportParts()
    assert build_markdown(f, core.partnership, core.calendar, 3, parts, date(2026, 9, 24)) == \
        build_markdown(f, core.partnership, core.calendar, 3, parts, date(2026, 9, 24))


def test_typed_text_can_never_become_a_heading_a_table_or_a_list():
    hostile = "## 5. A fake heading\n| a | b |\n1. not a list\n- not a bullet either **bold** _it_ \\ <br> `x`"
    for text in (md.inline(hostile), md.cell(hostile)):
        blocks = md.parse(text)
        assert [b.kind for b in blocks] == ["paragraph"]
    assert md.plain(md.runs_of(md.inline("a | b * c _ d # e"))) == "a | b * c _ d # e"
    cell = md.parse("| " + md.cell("first line\nsecond | line") + " |")
    assert md.plain(cell[0].rows[0][0]) == "first line\nsecond | line"
