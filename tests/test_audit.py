"""The audit trail is append-only and hash-chained; `rapidreview audit verify` finds the first broken link."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import delete, select, update

from bot.audit import verify
from storage.models import AuditEvent
from tests.driver import Driver
from tests.scenarios import to_approval

ROOT = Path(__file__).resolve().parent.parent


async def test_a_whole_case_leaves_an_intact_chain_of_who_did_what(core, clock):
    d = Driver(core, clock)
    await to_approval(d)
    await d.ok("exec_council", "approve")
    await d.refused("lead_police", "approve")
    async with core.db.read() as s:
        report = await verify(s)
    assert report.ok and report.records > 20
    events = await d.audit()
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    assert all(e.prev_hash == p.hash for p, e in zip(events, events[1:]))
    approval = (await d.audit("executive_approved"))[0]
    assert approval.actor_key == "exec_council" and approval.platform_user == "U0FIC0021"
    assert len(approval.detail["content_hash"]) == 64
    changes = [(e.detail["from"], e.detail["to"]) for e in await d.audit("state_changed")]
    assert ("START", "RR_INITIATED") in changes and ("REPORT_DRAFTING", "EXEC_APPROVAL") in changes


async def test_an_edited_record_is_reported_as_the_first_broken_link(core, clock, db):
    d = Driver(core, clock)
    await to_approval(d)
    target = (await d.audit("executive_approved") or await d.audit("report_version_created"))[0]
    async with db.transaction() as s:
        await s.execute(update(AuditEvent).where(AuditEvent.seq == target.seq).values(detail={"version": 99}))
    async with db.read() as s:
        report = await verify(s)
    assert report.first_broken_seq == target.seq and "edited" in report.why


async def test_a_deleted_record_is_reported(core, clock, db):
    d = Driver(core, clock)
    await to_approval(d)
    async with db.transaction() as s:
        await s.execute(delete(AuditEvent).where(AuditEvent.seq == 5))
    async with db.read() as s:
        report = await verify(s)
    assert report.first_broken_seq == 6 and "missing" in report.why


async def test_the_cli_verifies_and_reports(core, clock, db):
    d = Driver(core, clock)
    await to_approval(d)
    env = {**os.environ, "RAPIDREVIEW_DATABASE_URL": db.url}
    ok = subprocess.run([sys.executable, "-m", "server.cli", "audit", "verify"], env=env, cwd=ROOT, capture_output=True,
                        text=True, timeout=60)
    assert ok.returncode == 0 and "audit trail intact" in ok.stdout
    async with db.transaction() as s:
        last = (await s.execute(select(AuditEvent.seq).order_by(AuditEvent.seq.desc()).limit(1))).scalar()
        await s.execute(update(AuditEvent).where(AuditEvent.seq == last - 1).values(action="tampered"))
    bad = subprocess.run([sys.executable, "-m", "server.cli", "audit", "verify"], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=60)
    assert bad.returncode == 1 and f"BROKEN at record {last - 1}" in bad.stdout
