"""`oversight` in chat for the people who account for the partnership's reviews, and the signed link it gives:
headline figures only (no case named), the full report behind a link bound to the member, checked again when
opened, useless once expired or in the wrong hands."""
from __future__ import annotations

import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.oversight.figures import Period
from bot.oversight.links import issue
from bot.report.links import configure
from server import oversight_routes
from tests.driver import Driver
from tests.oversight_cases import FREE_TEXT, scripted_year

ENTITLED = ("bu_officer", "partnership_manager", "partnership_chair", "exec_icb", "scrutineer")


@pytest.fixture(autouse=True)
def links():
    configure(b"a test secret of enough bytes", "http://127.0.0.1:3978")


@pytest.fixture
async def year(core, clock):
    codes = await scripted_year(core, clock)
    clock.on(date(2026, 12, 18))
    return codes


async def test_the_headline_figures_for_the_year_to_date_with_a_link(core, clock, year):
    reply = await Driver(core, clock).ok("partnership_chair", "oversight", case=None, private=True)
    text = reply.text
    assert text.startswith("Oversight, Thu 1 Jan 2026 to Fri 18 Dec 2026:")
    assert "• Referrals: 4; SINs sent: 2, within 5 working days: 1 of 2 (50%)" in text
    assert "• Rapid reviews to the Panel: 1, within 15 working days: 1 of 1 (100%)" in text
    assert "• Panel responses: 1 (1 agree); an executive lead disagreed first on 1" in text
    assert "• Actions: 1 overdue, 1 open, 1 completed" in text
    assert re.search(r"valid until \d\d:\d\d on Sat 19 Dec 2026\): http://127\.0\.0\.1:3978/oversight-report/[a-z2-7]+$",
                     text)
    # Numbers only: no case code, pseudonym or anything typed into a case.
    for name in year + ["Child A", "Child P", "Young Person C", *FREE_TEXT]:
        assert name not in text
    issued = (await Driver(core, clock).audit("oversight_link_issued"))[-1]
    assert issued.actor_key == "partnership_chair" and issued.detail["to"] == "2026-12-18"


@pytest.mark.parametrize("who", ENTITLED)
async def test_each_entitled_role_may_ask(core, clock, who):
    clock.on(date(2026, 12, 18))
    assert (await Driver(core, clock).ok(who, "oversight", case=None)).text.startswith("Oversight, ")


@pytest.mark.parametrize("who", ["sprg_police", "lead_police", "learning_lead", "sprg_chair"])
async def test_others_are_refused_and_audited(core, clock, who):
    d = Driver(core, clock)
    reply = await d.refused(who, "oversight", case=None)
    assert reply.text.startswith("Only the ")
    assert (await d.audit("access_refused"))[-1].detail["command"] == "oversight"


@pytest.fixture
async def web_client(core, partnership, calendar):
    app = web.Application()
    rt = SimpleNamespace(core=core, db=core.db, partnership=partnership, calendar=calendar)
    oversight_routes.setup(app, rt)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    yield client
    await client.close()


def _path(url: str) -> str:
    return url.removeprefix("http://127.0.0.1:3978")


async def test_the_link_shows_a_landing_page_then_the_report_and_its_files(core, clock, year, web_client):
    url, _ = issue("scrutineer", Period(date(2026, 1, 1), date(2026, 12, 31)), clock())
    landing = await web_client.get(_path(url))
    body = await landing.text()
    assert landing.status == 200 and "Show the report" in body and "SINs counted" not in body
    assert landing.headers["Cache-Control"] == "no-store" and landing.headers["X-Robots-Tag"].startswith("noindex")
    view = await web_client.get(_path(url) + "/view")
    page = await view.text()
    assert view.status == 200 and '<th scope="row">SINs counted</th><td>2</td>' in page
    assert len(re.findall(r'<img src="data:image/svg\+xml;base64,', page)) == 4
    for typed in FREE_TEXT:
        assert typed not in page
    docx = await web_client.get(_path(url) + "/download/docx")
    assert docx.status == 200 and docx.headers["Content-Disposition"].endswith('.docx"')
    assert (await web_client.get(_path(url) + "/download/pdf")).status == 404
    used = [e.detail["what"] for e in await Driver(core, clock).audit("oversight_link_used")]
    assert used == ["view", "download docx"]


async def test_a_link_is_refused_when_forged_expired_or_no_longer_entitled(core, clock, year, web_client):
    period = Period(date(2026, 1, 1), date(2026, 12, 31))
    url, _ = issue("partnership_chair", period, clock())
    token = url.rsplit("/", 1)[1]
    forged = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert (await web_client.get(f"/oversight-report/{forged}/view")).status == 403
    # Signed for someone whose role may not see the report (as if their role had changed since).
    other, _ = issue("sprg_police", period, clock())
    r = await web_client.get(_path(other) + "/view")
    assert r.status == 403 and "may no longer see" in await r.text()
    # A report link's token is not an oversight link (each has its own key).
    from bot.report.links import signer

    report_token, _ = signer().issue("partnership_chair", "rr-2026-001", "report", 1, "docx", clock())
    assert (await web_client.get(f"/oversight-report/{report_token}/view")).status == 403
    clock.now = clock.now + timedelta(hours=24, seconds=1)
    r = await web_client.get(_path(url) + "/view")
    assert r.status == 403 and "expired" in await r.text()
