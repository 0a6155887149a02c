"""The oversight page beside the case board: the scripted year's figures and charts, a period form that
explains a wrong date, downloads, and nothing typed into a case on the page or in its pictures."""
from __future__ import annotations

import base64
import re
from datetime import date

import pytest

from tests.driver import Driver
from tests.oversight_cases import FREE_TEXT, scripted_year
from tests.sandbox.conftest import DayClock, serve_sandbox


@pytest.fixture
async def box(rt):
    clock = DayClock(date(2026, 1, 5))
    rt.use_clock(clock)
    await scripted_year(rt.core, clock, platform="sandbox")
    sandbox = await serve_sandbox(rt, {"RAPIDREVIEW_SANDBOX_TODAY": "2027-12-20"})
    yield sandbox
    await sandbox.client.close()


def _pictures(html: str) -> list[tuple[str, str]]:
    """(alt text, SVG source) of every chart on the page."""
    return [(alt, base64.b64decode(data).decode("utf-8"))
            for data, alt in re.findall(r'<img src="data:image/svg\+xml;base64,([^"]+)" alt="([^"]*)"', html)]


async def test_the_page_shows_the_current_year_by_default(box):
    resp = await box.client.get("/oversight")
    html = await resp.text()
    assert resp.status == 200
    assert "<h1>Oversight report: Fri 1 Jan 2027 to Fri 31 Dec 2027</h1>" in html
    assert "OFFICIAL-SENSITIVE" in html and "Sandbox — fictional data only" in html
    assert resp.headers["Content-Security-Policy"].startswith("default-src 'self'")


async def test_the_figures_charts_and_cases_of_a_chosen_period(box):
    resp = await box.client.get("/oversight", params={"from": "2026-01-01", "to": "2027-12-31"})
    html = await resp.text()
    assert resp.status == 200
    assert re.search(r'<th scope="row">SINs counted</th><td>3</td>', html)
    assert re.search(r'<th scope="row">Rapid reviews sent within 15 working days \(%\)</th><td>50</td>', html)
    pictures = _pictures(html)
    assert len(pictures) == 4
    assert all(alt and svg.lstrip().startswith("<?xml") for alt, svg in pictures)
    assert "Jul–Sep 2026: SINs 1 of 2 on time" in pictures[0][0]
    assert 'href="/oversight/download?from=2026-01-01&amp;to=2027-12-31&amp;format=docx"' in html
    assert "rr-2026-004" in html and "Child P" in html
    for typed in FREE_TEXT + ["Refresh the referral pathway", "multi-agency learning"]:
        assert typed not in html
        assert all(typed not in svg for _alt, svg in pictures)


@pytest.mark.parametrize("params, says", [
    ({"from": "2026-02-30", "to": "2026-12-31"}, "&#x27;From&#x27; must be a date written YYYY-MM-DD, for example"),
    ({"from": "2026-04-01", "to": "next year"}, "&#x27;To&#x27; must be a date written YYYY-MM-DD, for example"),
    ({"from": "2026-04-01", "to": "2026-03-01"}, "is before &#x27;From&#x27;"),
    ({"from": "1900-01-01", "to": "2099-12-31"}, "is longer than five years: for example"),
])
async def test_a_wrong_period_is_explained_with_an_example(box, params, says):
    resp = await box.client.get("/oversight", params=params)
    html = await resp.text()
    assert resp.status == 400
    assert 'role="alert"' in html and says in html and 'aria-invalid="true"' in html
    assert "<img" not in html


async def test_downloads_in_each_format(box):
    q = {"from": "2026-01-01", "to": "2026-12-31"}
    for fmt, kind in (("docx", "application/vnd.openxmlformats"), ("md", "text/markdown"), ("csv", "text/csv"),
                      ("zip", "application/zip")):
        resp = await box.client.get("/oversight/download", params={**q, "format": fmt})
        assert resp.status == 200, await resp.text()
        assert resp.headers["Content-Type"].startswith(kind)
        assert resp.headers["Content-Disposition"] == f'attachment; filename="oversight-2026-01-01-to-2026-12-31.{fmt}"'
    resp = await box.client.get("/oversight/download", params={**q, "format": "pdf"})
    assert resp.status == 400 and "for example format=docx" in await resp.text()


async def test_only_this_machine_may_open_it(box):
    resp = await box.client.get("/oversight", headers={"Host": "oversight.example.org"})
    assert resp.status == 403
    resp = await box.client.get("/oversight/download", params={"format": "csv"},
                                headers={"Host": "oversight.example.org"})
    assert resp.status == 403


async def test_the_board_links_to_it(box):
    assert 'href="/oversight"' in await (await box.client.get("/board")).text()


async def test_an_empty_sandbox_shows_zeros_and_says_so_in_the_charts(rt):
    box = await serve_sandbox(rt, {"RAPIDREVIEW_SANDBOX_TODAY": "2026-12-22"})
    try:
        html = await (await box.client.get("/oversight")).text()
    finally:
        await box.client.close()
    assert re.search(r'<th scope="row">Referrals</th><td>0</td>', html)
    alts = [alt for alt, _svg in _pictures(html)]
    assert "no agency return was due" in alts[2] and "no action plan item" in alts[3]


async def test_a_case_opened_in_the_sandbox_counts_on_the_page(rt):
    clock = DayClock(date(2026, 9, 7))
    rt.use_clock(clock)
    d = Driver(rt.core, clock, platform="sandbox")
    await d.ok("bu_officer", 'new pseudonym="Child Z" aware=2026-09-01 sin=2026-09-07')
    box = await serve_sandbox(rt, {"RAPIDREVIEW_SANDBOX_TODAY": "2026-12-22"})
    try:
        html = await (await box.client.get("/oversight")).text()
    finally:
        await box.client.close()
    assert re.search(r'<th scope="row">SINs counted</th><td>1</td>', html)


async def test_oversight_typed_in_the_sandbox_answers_with_figures_and_a_link_that_opens(box):
    body = await box.ok("partnership_chair", "dm:partnership_chair", "oversight")
    assert body["text"].startswith("Oversight, Fri 1 Jan 2027 to ")
    url = re.search(r"(http://\S+/oversight-report/[a-z2-7]+)", body["text"]).group(1)
    path = url.split("/", 3)[3]
    view = await box.client.get(f"/{path}/view")
    assert view.status == 200 and "SINs counted" in await view.text()
