"""Who gets the report: the Business Unit, the SPRG chair, the executive leads (and deputies) and the
Independent Scrutineer, by a direct message with a short-lived signed link; never a file or a link
in the case channel. An agency lead obtains it neither by a link nor through the core."""
from __future__ import annotations

import io
import re
import zipfile
from datetime import date, timedelta
from types import SimpleNamespace

from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from docx import Document

from bot.report import links as report_links
from server import report_routes
from bot.roles import REPORT_READERS
from bot.documents import report_file
from tests.report.conftest import to_report_v1
from tests.report.helpers import inv

URL = re.compile(r"http://127\.0\.0\.1:3978/report/([a-z2-7]+)")


async def _client(core) -> TestClient:  # noqa: ANN001
    app = web.Application()
    rt = SimpleNamespace(partnership=core.partnership, db=core.db, calendar=core.calendar, core=core)
    report_routes.setup(app, rt)
    client = TestClient(TestServer(app, host="127.0.0.1"))
    await client.start_server()
    return client


async def test_an_agency_lead_cannot_obtain_the_report_by_any_route(core, clock):
    d = await to_report_v1(core, clock)
    for text in ("link", "link v1 md", "link draft", "link pack", "link action-plan"):
        r = await d.refused("lead_police", text)
        assert r.text.startswith("Only the "), r.text
    reply, doc = await report_file(core, inv(core, "lead_police"), d.case_code)
    assert not reply.ok and doc is None and "only for the Business Unit" in reply.text
    reply, doc = await report_file(core, inv(core, "sprg_police"), d.case_code, kind="draft")
    assert not reply.ok and doc is None
    refused = await d.audit("access_refused")
    assert {e.detail["command"] for e in refused} >= {"link", "file report", "file draft"}
    assert {e.actor_key for e in refused} == {"lead_police", "sprg_police"}
    # The practitioners' briefing is for sharing: the lead of an agency that was asked may have it,
    # the lead of one that was not may not.
    await d.ok("lead_police", "link briefing")
    r = await d.refused("lead_probation", "link briefing")
    assert "only for members of the partnership whose agency took part" in r.text
    # Nobody's token names an agency lead, and a hand-made one is refused when it is used.
    issued = [(e.detail["member"], e.detail["kind"]) for e in await d.audit("report_link_issued")]
    assert ("lead_police", "briefing") in issued
    # The SPRG pack (issue 14 item 9) goes to the leads whose agency contributed; never the report or its draft.
    assert not [(m, k) for m, k in issued if core.partnership.member(m).roles == ("agency_lead",)
                and k not in ("briefing", "sprg-pack")]
    token, _ = report_links.signer().issue("lead_police", d.case_code, "report", 1, "docx", clock())
    client = await _client(core)
    try:
        resp = await client.get(f"/report/{token}/download")
        assert resp.status == 403 and "only for the Business Unit" in await resp.text()
    finally:
        await client.close()
    assert (await d.audit("report_link_refused"))[-1].actor_key == "lead_police"


async def test_links_go_only_to_entitled_people_by_direct_message(core, clock):
    d = await to_report_v1(core, clock)
    await d.ok("scrutineer", "link")
    # The SPRG pack's links (issue 14 item 9) go to the SPRG and contributing agency leads: checked in test_contested.
    with_links = [e for e in await d.outbox() if "/report/" in str(e.payload) and "SPRG pack" not in str(e.payload)]
    assert with_links and all(e.kind == "direct_message" for e in with_links)
    for e in with_links:
        member = core.partnership.member(e.payload["member"])
        assert set(member.roles) & REPORT_READERS, member.key
    got = {e.payload["member"] for e in with_links}
    assert got == {"exec_council", "exec_icb", "exec_police", "exec_police_deputy", "sprg_chair", "bu_officer",
                   "partnership_manager", "scrutineer"}
    approval_dm = next(e.payload["context"] for e in with_links if e.payload["member"] == "exec_icb")
    assert URL.search(approval_dm["report_url"]) and approval_dm["link_expires"] == "10:00 on Wed 23 Sep 2026"
    channel_cards = [e for e in await d.outbox() if e.kind in ("post_card", "update_status")]
    assert not [e for e in channel_cards if "report_url" in str(e.payload) or "/report/" in str(e.payload)]
    # The audit trail records who was given a link, never the token itself.
    tokens = {URL.search(str(e.payload)).group(1) for e in with_links}
    assert not [a for a in await d.audit() if any(t in str(a.detail) for t in tokens)]


async def test_a_link_serves_its_file_only_while_it_is_valid(core, clock):
    d = await to_report_v1(core, clock)
    dm = next(e.payload for e in await d.outbox() if e.kind == "direct_message" and e.payload["member"] == "exec_police"
              and e.payload["card"] == "executive_approval")
    token = URL.search(dm["context"]["report_url"]).group(1)
    client = await _client(core)
    try:
        page = await client.get(f"/report/{token}")
        body = await page.text()
        # The page a link preview would fetch carries no report: only a download button.
        assert page.status == 200 and "Download" in body and "Child V" not in body and "DFE-SIN" not in body
        assert "Lee Instance (fictional)" in body and page.headers["Cache-Control"] == "no-store"
        resp = await client.get(f"/report/{token}/download")
        assert resp.status == 200 and resp.headers["Content-Disposition"] == \
            'attachment; filename="rr-2026-001-rapid-review-report-v1.docx"'
        document = Document(io.BytesIO(await resp.read()))
        assert document.sections[0].header.paragraphs[0].text == "OFFICIAL-SENSITIVE"
        used = (await d.audit("report_link_used"))[-1]
        assert (used.actor_key, used.detail["version"], used.platform) == ("exec_police", 1, "web")
        # Tampered, truncated and expired links are refused.
        forged = token[:-1] + ("a" if token[-1] != "a" else "b")
        for bad in (forged, token[:20], "x" * 80):
            assert (await client.get(f"/report/{bad}/download")).status == 403
        assert (await client.head(f"/report/{token}/download")).status == 405
        clock.now += timedelta(hours=24)
        resp = await client.get(f"/report/{token}/download")
        assert resp.status == 403 and "expired" in await resp.text()
        # A fresh link for the Markdown of the same version.
        d.on(date(2026, 9, 24))
        await d.ok("exec_police", "link v1 md")
        dm = [e.payload for e in await d.outbox() if e.kind == "direct_message" and e.payload["member"] == "exec_police"][-1]
        assert "Rapid Review Report v1 (md)" in dm["context"]["text"]
        resp = await client.get(f"/report/{URL.search(dm['context']['text']).group(1)}/download")
        text = await resp.text()
        assert resp.status == 200 and resp.content_type == "text/markdown" and text.startswith("# Rapid Review Report")
        assert "## 12. Sign-off" in text and "Version 1, content hash (SHA-256)" in text
    finally:
        await client.close()


async def test_the_web_app_serves_report_links(db, tmp_path):
    from server.app import build_runtime, make_web_app
    from bot.settings import Settings

    rt = build_runtime(Settings(database_url=db.url))
    app = make_web_app(rt, env={})
    paths = {r.get_info().get("formatter") for r in app.router.resources()}
    assert {"/report/{token}", "/report/{token}/download"} <= paths
    await rt.db.dispose()


async def test_the_submission_pack_link_is_a_zip_for_the_business_unit(core, clock):
    d = await to_report_v1(core, clock)
    for lead in ("exec_council", "exec_icb", "exec_police"):
        await d.ok(lead, "approve v1")
    d.on(date(2026, 9, 25))
    await d.ok("bu_officer", "submit")
    dm = [e.payload for e in await d.outbox() if e.kind == "direct_message" and e.payload["member"] == "bu_officer"][-1]
    assert "Panel submission pack 1" in dm["context"]["text"]
    client = await _client(core)
    try:
        resp = await client.get(f"/report/{URL.search(dm['context']['text']).group(1)}/download")
        assert resp.status == 200 and resp.content_type == "application/zip"
        names = zipfile.ZipFile(io.BytesIO(await resp.read())).namelist()
        assert names == ["rr-2026-001-covering-summary.docx", "rr-2026-001-rapid-review-report-v1.docx"]
    finally:
        await client.close()
