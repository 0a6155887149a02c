"""The case board and its timeline pictures, over Christmas 2026: given the council aware on Fri 18 Dec
and the SIN on Tue 22 Dec, the bank holidays on Fri 25 Dec, Mon 28 Dec (Boxing Day's substitute) and
Fri 1 Jan 2027 push every deadline out, and the picture shows them shaded and the dates where they fall."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from adapters.sandbox import board
from tests.driver import Driver
from tests.sandbox.conftest import DayClock

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2027, 1, 11)


async def _open(d: Driver, pseudonym: str) -> str:
    d.on(date(2026, 12, 22))
    await d.ok("bu_officer", f'new pseudonym="{pseudonym}" aware=2026-12-18 sin=2026-12-22')
    await d.ok("bu_officer", "informed 2026-12-22")
    await d.ok("sprg_chair", "triage notifiable")
    await d.ok("sprg_chair", "meeting icdm 2026-12-23")
    await d.ok("sprg_chair", "request police,health")
    d.on(date(2026, 12, 30))
    await d.ok("lead_health", "nil")
    return d.case_code


@pytest.fixture
async def cases(rt):
    clock = DayClock(date(2026, 12, 22))
    rt.use_clock(clock)
    d = Driver(rt.core, clock, platform="sandbox")
    decided = await _open(d, "Child V")
    d.on(date(2027, 1, 7))
    await d.ok("lead_police", "return")
    await d.ok("bu_officer", "pack")
    await d.ok("sprg_chair", "meeting rrm 2027-01-07")
    await d.ok("sprg_chair", 'recommend lcspr reason="multi-agency learning"')
    await d.ok("bu_officer", "report")
    d.on(date(2027, 1, 8))
    await d.ok("exec_council", "approve")
    await d.ok("exec_icb", 'disagree reason="the learning needs to be clearer"')
    late = await _open(d, "Baby W")  # the police never return
    clock.on(TODAY)
    return rt, decided, late


def _svg_of(html: str, code: str) -> ET.Element:
    m = re.search(rf'<article class="case" id="case-{code}".*?(<svg.*?</svg>)', html, re.S)
    assert m, f"no timeline for {code}"
    return ET.fromstring(m.group(1))


def _shaded(svg: ET.Element, cls: str) -> set[date]:
    return {date.fromisoformat(r.get("data-date")) for r in svg.iter(f"{SVG}rect") if cls in (r.get("class") or "").split()}


def _events(svg: ET.Element) -> dict[str, list[tuple[date, str]]]:
    out: dict[str, list[tuple[date, str]]] = {}
    for g in svg.iter(f"{SVG}g"):
        if "event" in (g.get("class") or "").split():
            out.setdefault(g.get("data-kind"), []).append((date.fromisoformat(g.get("data-date")), g.get("data-status")))
    return out


async def test_weekends_and_bank_holidays_are_shaded_and_nothing_else(cases):
    rt, code, _ = cases
    svg = _svg_of(await board.render(rt, rt.core.clock()), code)
    start, end = date.fromisoformat(svg.get("data-start")), date.fromisoformat(svg.get("data-end"))
    assert start <= date(2026, 12, 22) and end >= date(2027, 1, 15)
    holidays = _shaded(svg, "holiday")
    weekends = _shaded(svg, "weekend")
    assert holidays == {date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1)}
    assert {date(2026, 12, 26), date(2026, 12, 27), date(2027, 1, 2), date(2027, 1, 3), date(2027, 1, 9),
            date(2027, 1, 10)} <= weekends
    assert all(d.weekday() >= 5 for d in weekends)
    shaded = holidays | weekends
    day = start
    while day <= end:
        assert (day in shaded) == (not rt.calendar.is_working_day(day)), day
        day = date.fromordinal(day.toordinal() + 1)


async def test_the_deadlines_meetings_and_decisions_are_on_their_days(cases):
    rt, code, _ = cases
    events = _events(_svg_of(await board.render(rt, rt.core.clock()), code))
    assert events["sin_submitted"] == [(date(2026, 12, 22), "done")]
    assert events["sin_due"] == [(date(2026, 12, 29), "met")]  # 5 working days after Fri 18 Dec
    assert events["rapid_review_due"] == [(date(2027, 1, 15), "open")]  # 15 working days after Tue 22 Dec
    assert sorted(events["agency_return"]) == [(date(2027, 1, 6), "met"), (date(2027, 1, 6), "met")]  # 8 after the SIN
    assert events["icdm"] == [(date(2026, 12, 23), "done")]
    assert events["rrm"] == [(date(2027, 1, 7), "done")]
    assert events["decision_approve"] == [(date(2027, 1, 8), "approved")]
    assert events["decision_disagree"] == [(date(2027, 1, 8), "disagreed")]


async def test_today_is_marked_and_a_late_return_shows_as_late(cases):
    rt, _, late = cases
    html = await board.render(rt, rt.core.clock())
    svg = _svg_of(html, late)
    today = [g for g in svg.iter(f"{SVG}g") if g.get("class") == "today"]
    assert [g.get("data-date") for g in today] == ["2027-01-11"]
    returns = dict((status, d) for d, status in _events(svg)["agency_return"])
    assert returns == {"late": date(2027, 1, 6), "met": date(2027, 1, 6)}
    article = re.search(rf'<article class="case" id="case-{late}".*?</article>', html, re.S).group(0)
    assert "Gathering agency information" in article
    assert re.search(r"<dt>Late</dt><dd><span class=\"overdue\">North Yorkshire Police</span>", article)


async def test_every_picture_has_a_title_and_a_description_for_screen_readers(cases):
    rt, code, _ = cases
    svg = _svg_of(await board.render(rt, rt.core.clock()), code)
    assert svg.get("role") == "img"
    title = svg.find(f"{SVG}title").text
    desc = svg.find(f"{SVG}desc").text
    assert title == f"Timeline of {code} / Child V"
    assert "Rapid review to the Panel: due Fri 15 Jan 2027 (to come)." in desc
    assert "today is Mon 11 Jan 2027" in desc


async def test_the_board_names_cases_by_code_and_pseudonym_only(cases):
    rt, code, late = cases
    html = board.page(await board.render(rt, rt.core.clock()), rt.partnership.partnership.name)
    assert f"{code} / Child V" in html and f"{late} / Baby W" in html
    assert "Sandbox — fictional data only" in html
    for m in rt.partnership.members:
        assert m.name not in html  # nobody's name, and so no child's or family's either
    for secret in ("multi-agency learning", "needs to be clearer", "2026-12-18", "Fri 18 Dec 2026"):
        assert secret not in html  # reasons stay in the database; the awareness date is not shown
    assert "Executive disagreement" in html and "1 of 3" in html


async def test_an_empty_board_says_how_to_start(rt):
    rt.use_clock(DayClock(TODAY))
    html = await board.render(rt, rt.core.clock())
    assert "No open cases yet" in html and "rapidreview demo" in html
