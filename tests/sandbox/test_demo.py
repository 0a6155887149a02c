"""`rapidreview demo`: a fictional year (nine past cases, three current ones at different stages), built by the
members' own commands, that the sandbox shows as soon as it starts and the oversight page counts."""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest
from sqlalchemy import select

from adapters.sandbox.demo import ALL_PSEUDONYMS, PSEUDONYMS
from server.app import build_runtime
from bot.settings import Settings
from storage.models import AgencyRequest, AuditEvent, Case, ExecutiveDecision, OutboxEffect
from tests.sandbox.conftest import ROOT, clean_env, serve_sandbox

TODAY = "2026-09-30"  # a Wednesday


def demo(env: dict[str, str], *args: str, cwd=ROOT) -> subprocess.CompletedProcess:  # noqa: ANN001
    return subprocess.run([sys.executable, "-m", "server.cli", "demo", *args], env=env, cwd=cwd, capture_output=True,
                          text=True, timeout=180)


@pytest.fixture(scope="module")
def filled(tmp_path_factory, sqlite_template_module):
    url = f"sqlite+aiosqlite:///{sqlite_template_module}"
    done = demo(clean_env(RAPIDREVIEW_DATABASE_URL=url), "--today", TODAY)
    assert done.returncode == 0, done.stderr
    return url, done.stdout


@pytest.fixture(scope="module")
def sqlite_template_module(tmp_path_factory, sqlite_template):
    import shutil

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    shutil.copy(sqlite_template, path)
    return path


async def _cases(url: str):  # noqa: ANN202
    rt = build_runtime(Settings(database_url=url))
    async with rt.db.read() as s:
        cases = {c.pseudonym: c for c in (await s.execute(select(Case).order_by(Case.number))).scalars()}
        requests = list((await s.execute(select(AgencyRequest))).scalars())
        decisions = list((await s.execute(select(ExecutiveDecision).order_by(ExecutiveDecision.id))).scalars())
        pending = (await s.execute(select(OutboxEffect.id).where(OutboxEffect.status != "delivered"))).all()
        audit = (await s.execute(select(AuditEvent.action))).scalars().all()
    await rt.db.dispose()
    return cases, requests, decisions, pending, audit


async def test_three_cases_at_three_stages(filled):
    url, out = filled
    assert ("12 fictional cases are in the sandbox: rr-2025-001, rr-2025-002, rr-2025-003, rr-2026-001, "
            "rr-2026-002, rr-2026-003, rr-2026-004, rr-2026-005, rr-2026-006, rr-2026-007, rr-2026-008, rr-2026-009.") in out
    cases, requests, decisions, pending, audit = await _cases(url)
    assert sorted(cases) == sorted(ALL_PSEUDONYMS)
    gathering, approval, panel = (cases[p] for p in PSEUDONYMS)
    assert (gathering.state, approval.state, panel.state) == ("INFO_GATHERING", "EXEC_APPROVAL", "AWAITING_PANEL")
    assert all(c.platform == "sandbox" for c in cases.values())
    today = date.fromisoformat(TODAY)
    late = [r.agency_key for r in requests if r.case_id == gathering.id and r.state in ("REQUESTED", "ACKNOWLEDGED")
            and r.due_on < today]
    assert late == ["police"]
    mine = [(d.partner, d.decision, d.report_version, d.void) for d in decisions if d.case_id == approval.id]
    assert mine == [("local_authority", "approve", 1, True), ("icb", "disagree", 1, True),
                    ("local_authority", "approve", 2, False)]
    assert panel.rr_submitted_on is not None and panel.rr_submitted_on < today
    assert not pending  # every message was delivered on its day, into the sandbox
    assert "state_changed" in audit  # the real lifecycle ran, with its audit trail


async def test_running_it_again_adds_nothing_unless_asked(filled):
    url, _ = filled
    again = demo(clean_env(RAPIDREVIEW_DATABASE_URL=url), "--today", TODAY)
    assert again.returncode == 0 and "already holds 12 cases: nothing added" in again.stdout
    cases, *_ = await _cases(url)
    assert len(cases) == 12


async def test_the_sandbox_shows_the_demo_at_once_with_each_message_on_its_day(filled):
    url, _ = filled
    rt = build_runtime(Settings(database_url=url, tick_seconds=3600))
    box = await serve_sandbox(rt, {"RAPIDREVIEW_SANDBOX_TODAY": TODAY})
    try:
        bu = await box.state("bu_officer")
        labels = [c["label"] for c in bu["conversations"]]
        # The three current cases first (most recent activity), then the past year's.
        assert labels[:4] == ["Bot (private)", "#rr-2026-009 / Young Person X", "#rr-2026-008 / Baby W",
                              "#rr-2026-007 / Child T"]
        assert len(labels) == 12, labels  # the private chat and 11 channels: a notification-only death has none
        assert [c["state"] for c in bu["conversations"][1:4]] == ["Awaiting the Panel", "Awaiting executive approval",
                                                                  "Gathering agency information"]
        channel = await box.state("bu_officer", "rr-2026-008")
        days = {m["at"].rsplit(" ", 1)[0] for m in channel["conversation"]["messages"]}
        assert len(days) >= 5  # the history is spread over the days the commands ran
        assert "ICB disagreed with v1" in json.dumps(channel)
        icb = await box.state("exec_icb", "dm:exec_icb")
        approvals = [m for m in icb["conversation"]["messages"] if m.get("card_kind") == "executive_approval"]
        # Every copy of the approval card shows the current round (Teams refreshes it): v2 for Baby W.
        baby_w = [m for m in approvals if "rr-2026-008" in json.dumps(m["card"])]
        assert baby_w and all("Approve v2" in json.dumps(m["card"]) for m in baby_w)
        board = await (await box.client.get("/board")).text()
        # Open: the three current cases and Child G, whose police action is still outstanding.
        assert board.count('<article class="case"') == 4
        oversight = await (await box.client.get("/oversight", params={"from": "2025-10-01", "to": "2026-09-30"})).text()
        for label, value in (("Referrals", "12"), ("Rapid reviews sent to the Panel", "7"), ("LCSPRs published", "1"),
                             ("National reviews commissioned", "1"), ("Notification-only cases", "1"),
                             ("Local reviews", "1"), ("Rapid reviews where an executive lead disagreed first", "1"),
                             ("SINs sent within 5 working days (%)", "80"), ("Actions overdue", "1")):
            assert f'<th scope="row">{label}</th><td>{value}</td>' in oversight, label
    finally:
        await box.client.close()


def test_it_refuses_a_database_with_real_cases(tmp_path, sqlite_template):
    import asyncio
    import shutil

    path = tmp_path / "real.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"

    async def real_case() -> None:
        from bot.context import Invocation

        rt = build_runtime(Settings(database_url=url))
        m = rt.partnership.member("bu_officer")
        reply = await rt.core.handle(Invocation("slack", m.slack_user_id, m, text='new pseudonym="Child A" aware=2026-09-01'))
        assert reply.ok
        await rt.db.dispose()

    asyncio.run(real_case())
    refused = demo(clean_env(RAPIDREVIEW_DATABASE_URL=url), "--today", TODAY)
    assert refused.returncode == 2 and "not opened in the sandbox (1 from slack)" in refused.stderr
    # `make run` asks for it only when the sandbox runs, and never fails because of it.
    slack = clean_env(RAPIDREVIEW_DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-x", SLACK_SIGNING_SECRET="s")
    skipped = demo(slack, "--if-sandbox")
    assert skipped.returncode == 0 and "No demo cases: the sandbox does not run here (Slack configured" in skipped.stdout


def test_without_a_database_url_it_uses_the_sandboxs_own_file(tmp_path):
    done = demo(clean_env(), "--today", TODAY, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "rapidreview-sandbox.db").exists()
    assert not (tmp_path / "rapidreview.db").exists()
