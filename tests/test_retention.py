"""Retention and erasure (issue 15 items 4-6) through the core and the outbox, with a frozen clock, on SQLite and
PostgreSQL: members removed at closure, the chat deleted after its period, the record erased after its period,
a legal hold suspending both, the audit trail verifying after erasure, the record exported before and after."""
from __future__ import annotations

import json
import os
import stat
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import func, select

from bot import audit, retention
from bot.calendar import at_london_time
from bot.partnership import Role
from server.cli import export as cli_export
from server.cli import retention as cli_retention
from bot.settings import Settings
from storage.models import (ActionItem, AgencyRequest, AuditEvent, Case, ExecutiveDecision, InboundReceipt,
                            OutboxEffect, ReportSection, ReportVersion, SafetyAction, Vote)
from tests.driver import Driver
from tests.retention_helpers import CLOSED_ON, REASON, WATCHED, closed_case, exported_text, report_versions, unzip

CHAT_DUE = CLOSED_ON + timedelta(days=90)
RECORD_DUE = date(2033, 10, 14)


def at(d: date) -> datetime:
    return at_london_time(d, time(2, 0))


async def _closed(core, clock, dispatcher) -> Driver:  # noqa: ANN001
    d = Driver(core, clock)
    await closed_case(d)
    await dispatcher.drain()
    return d


async def _verify(db) -> audit.ChainReport:  # noqa: ANN001
    async with db.read() as s:
        return await audit.verify(s)


async def test_closing_removes_everyone_but_the_kept_roles_before_archiving(core, clock, dispatcher, fake):
    d = await _closed(core, clock, dispatcher)
    cid, channel = fake.channel_named(d.case_code)
    kept = {m.key for m in core.partnership.members_with(Role.BUSINESS_UNIT, Role.PARTNERSHIP_MANAGER)}
    assert channel["members"] and channel["members"] <= kept
    order = [c.method for c in fake.calls if c.method in ("remove_members", "archive_channel")]
    assert order == ["remove_members", "archive_channel"]
    removed = fake.of("remove_members")[0].args["members"]
    assert "sprg_chair" in removed and "exec_police" in removed and not set(removed) & kept


async def test_the_chat_goes_after_its_period_and_the_record_after_its_own(core, clock, dispatcher, fake, db):
    d = await _closed(core, clock, dispatcher)
    p = core.partnership
    # Nothing is due the day before the chat period ends.
    early = await retention.run_due(db, p, at(CHAT_DUE - timedelta(days=1)))
    assert (early.chats, early.erased) == (0, 0)
    clock.now = at(CHAT_DUE)
    result = await retention.run_due(db, p, clock.now)
    assert (result.chats, result.erased) == (1, 0)
    await dispatcher.drain()
    cid, channel = fake.channel_named(d.case_code)
    assert channel.get("deleted") and not [m for m in fake.messages.values() if m["channel_id"] == cid]
    [purged] = await d.audit("channel_purged")
    assert purged.detail["deleted"] > 10 and purged.detail["channel"] == "deleted"
    # Run again the same day (another replica, a restart): nothing more happens.
    assert (await retention.run_due(db, p, clock.now)).chats == 0
    assert len(fake.of("purge_channel")) == 1
    case = await d.case()
    assert case.chat_purged_on == CHAT_DUE and case.erased_on is None
    # The record is still whole until its own period ends.
    async with db.read() as s:
        assert (await s.execute(select(Vote.reason).where(Vote.reason == "learning already known"))).first()
    assert (await retention.run_due(db, p, at(RECORD_DUE - timedelta(days=1)))).erased == 0
    assert (await retention.run_due(db, p, at(RECORD_DUE))).erased == 1
    case = await d.case()
    assert case.erased_on == RECORD_DUE and case.watch_names == [] and case.recommendation_reason is None
    assert (await _verify(db)).ok


async def test_erasure_removes_free_text_keeps_hashes_and_the_audit_trail_verifies(core, clock, dispatcher, db, tmp_path):
    d = await _closed(core, clock, dispatcher)
    settings = Settings(database_url=db.url)
    before_path = tmp_path / "before.zip"
    assert await cli_export.export(settings, d.case_code, before_path, member="partnership_manager") == 0
    before = unzip(before_path.read_bytes())
    assert REASON in exported_text(before) and WATCHED[0] in exported_text(before)
    assert all(v["text_matches_hash"] for v in report_versions(before)) and len(report_versions(before)) == 2
    async with db.read() as s:
        hashes = [v.content_hash for v in (await s.execute(select(ReportVersion).order_by(ReportVersion.number))).scalars()]
        chain_before = [(e.seq, e.hash) for e in (await s.execute(select(AuditEvent).order_by(AuditEvent.seq))).scalars()]

    clock.now = at(date(2027, 1, 5))
    assert await cli_retention.erase(settings, d.case_code, "partnership_manager", "court order 2027/12",
                                     now=clock.now) == 0
    await dispatcher.drain()  # the erasure took the chat with it
    async with db.read() as s:
        assert [v.content_hash for v in (await s.execute(select(ReportVersion).order_by(ReportVersion.number))).scalars()] == hashes
        assert {v.content for v in (await s.execute(select(ReportVersion))).scalars()} == {retention.ERASED}
        assert {v.reason for v in (await s.execute(select(Vote))).scalars()} == {retention.ERASED}
        assert {r.return_data.get("erased") for r in (await s.execute(select(AgencyRequest))).scalars()} == {True}
        assert {x.text for x in (await s.execute(select(ReportSection))).scalars()} <= {retention.ERASED}
        assert {x.text for x in (await s.execute(select(ActionItem))).scalars()} == {retention.ERASED}
        assert {x.text for x in (await s.execute(select(SafetyAction))).scalars()} == {retention.ERASED}
        assert not [x for x in (await s.execute(select(ExecutiveDecision))).scalars() if x.reason]
        events = list((await s.execute(select(AuditEvent).order_by(AuditEvent.seq))).scalars())
    # Earlier records are untouched in their hashes; the case's free text is gone from them.
    assert [(e.seq, e.hash) for e in events[:len(chain_before)]] == chain_before
    assert not [e for e in events if e.case_code == d.case_code and REASON in json.dumps(audit.full_detail(e))]
    assert (await _verify(db)).ok
    [erased] = await d.audit("case_erased")
    assert erased.actor_key == "partnership_manager" and erased.platform == "cli"
    assert audit.full_detail(erased)["reason"] == "court order 2027/12"
    # Export after: the dates, decisions and every hash are there; the words are not.
    after_path = tmp_path / "after.zip"
    assert await cli_export.export(settings, d.case_code, after_path) == 0
    after = unzip(after_path.read_bytes())
    text = exported_text(after)
    assert REASON not in text and WATCHED[0] not in text and "Child V" in text
    assert [v["content_hash"] for v in report_versions(after)] == hashes
    assert not any(v["text_matches_hash"] for v in report_versions(after))
    assert json.loads(after["audit_chain.json"])["intact"] is True
    case = json.loads(after["case.json"])
    assert (case["closed_on"], case["erased_on"]) == (CLOSED_ON.isoformat(), "2027-01-05")
    assert len(await d.audit("case_exported")) == 2


async def test_a_legal_hold_suspends_both_clocks_until_released(core, clock, dispatcher, db):
    d = await _closed(core, clock, dispatcher)
    settings = Settings(database_url=db.url)
    assert await cli_retention.hold(settings, d.case_code, "bu_officer", "police investigation ongoing",
                                    now=at(date(2026, 11, 1))) == 0
    assert await cli_retention.hold(settings, d.case_code, "bu_officer", "again", now=at(date(2026, 11, 2))) == 2
    assert await cli_retention.erase(settings, d.case_code, "partnership_manager", "a request",
                                     now=at(date(2026, 11, 3))) == 2
    late = at(RECORD_DUE + timedelta(days=400))
    held = await retention.run_due(db, core.partnership, late)
    assert (held.chats, held.erased) == (0, 0)
    assert (await d.case()).chat_purged_on is None
    assert await cli_retention.hold(settings, d.case_code, "partnership_manager", "CPS decided", release=True,
                                    now=late) == 0
    placed = await d.audit("legal_hold_placed")
    assert [(e.actor_key, audit.full_detail(e)["reason"]) for e in placed] == [("bu_officer", "police investigation ongoing")]
    assert (await retention.run_due(db, core.partnership, late)).erased == 1
    assert audit.full_detail((await d.audit("legal_hold_placed"))[0]) == {"erased": True}  # the reason went too
    assert len(await d.audit("legal_hold_released")) == 1


async def test_only_the_business_unit_or_partnership_manager_can_hold_or_erase(core, clock, dispatcher, db, capsys):
    d = await _closed(core, clock, dispatcher)
    settings = Settings(database_url=db.url)
    assert await cli_retention.erase(settings, d.case_code, "sprg_chair", "tidy up") == 2
    assert "only the Business Unit or the Partnership Manager" in capsys.readouterr().err
    assert await cli_retention.erase(settings, d.case_code, "nobody", "tidy up") == 2
    assert "not a member key" in capsys.readouterr().err
    assert await cli_retention.erase(settings, d.case_code, "bu_officer", "  ") == 2
    assert "give a reason" in capsys.readouterr().err
    assert await cli_retention.hold(settings, d.case_code, "exec_police", "investigation") == 2
    assert await cli_retention.erase(settings, "rr-2099-001", "bu_officer", "a request") == 2
    assert "there is no case rr-2099-001" in capsys.readouterr().err
    assert (await d.case()).erased_on is None and not await d.audit("case_erased")


async def test_an_open_case_cannot_be_erased(core, clock, db, capsys):
    d = Driver(core, clock).on(date(2026, 11, 2))
    await d.ok("bu_officer", 'new pseudonym="Child W" aware=2026-11-02')
    assert await cli_retention.erase(Settings(database_url=db.url), d.case_code, "bu_officer", "a request") == 2
    assert "is not closed" in capsys.readouterr().err


async def test_status_shows_what_is_due(core, clock, dispatcher, db, capsys):
    d = await _closed(core, clock, dispatcher)
    settings = Settings(database_url=db.url)
    assert await cli_retention.status(settings, now=at(CHAT_DUE)) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith(d.case_code))
    assert f"DUE (since {CHAT_DUE.isoformat()})" in line and RECORD_DUE.isoformat() in line
    assert "1 case(s) due now" in out


async def test_delivered_queue_rows_and_dedup_keys_are_purged_on_their_own_schedule(core, clock, dispatcher, db):
    d = await _closed(core, clock, dispatcher)
    async with db.transaction() as s:
        s.add(InboundReceipt(platform="fake", key="evt-1", received_at=clock.now))
    async with db.read() as s:
        delivered = (await s.execute(select(func.count()).select_from(OutboxEffect)
                                     .where(OutboxEffect.status == "delivered"))).scalar()
    assert delivered > 10
    soon = await retention.run_due(db, core.partnership, clock.now + timedelta(days=29))
    assert soon.outbox_rows < delivered  # the newest rows (closure) are kept for 30 days
    later = await retention.run_due(db, core.partnership, clock.now + timedelta(days=31))
    assert soon.outbox_rows + later.outbox_rows == delivered and soon.inbound_keys == 1
    assert (await d.case()).state == "CLOSED"


async def test_the_ticker_runs_retention_once_a_day(core, clock, dispatcher, db, calendar):
    from bot.ticker import Ticker

    d = await _closed(core, clock, dispatcher)
    ticker = Ticker(db, core.partnership, calendar, dispatcher, clock=clock)
    clock.now = at(CHAT_DUE)
    await ticker.tick()
    assert (await d.case()).chat_purged_on == CHAT_DUE
    assert ticker.retention.last_run_on == CHAT_DUE
    clock.now = at(CHAT_DUE) + timedelta(hours=3)
    await ticker.tick()  # the same day: not run again
    assert len(await d.audit("chat_deletion_requested")) == 1


async def test_export_is_owner_only_never_follows_a_symlink_and_never_overwrites_unless_forced(core, clock, dispatcher,
                                                                                                db, tmp_path, capsys):
    d = await _closed(core, clock, dispatcher)
    settings = Settings(database_url=db.url)
    out = tmp_path / "case.zip"
    old = os.umask(0o000)
    try:
        assert await cli_export.export(settings, d.case_code, out) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    files = unzip(out.read_bytes())
    assert {"case.json", "audit.jsonl", "report_versions.json", "report/v1.md", "report/v2.md", "returns.json",
            "decisions.json", "MANIFEST.json"} <= set(files)
    first = out.read_bytes()
    assert await cli_export.export(settings, d.case_code, out) == 2
    assert "exists" in capsys.readouterr().err and out.read_bytes() == first
    assert await cli_export.export(settings, d.case_code, out, force=True) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.zip"
    link.symlink_to(victim)
    for force in (False, True):
        assert await cli_export.export(settings, d.case_code, link, force=force) == 2
        assert "symbolic link" in capsys.readouterr().err
    assert victim.read_text() == "keep me" and not list(tmp_path.glob(".*.tmp"))
    assert await cli_export.export(settings, "rr-2099-001", tmp_path / "none.zip") == 2
    assert not (tmp_path / "none.zip").exists()


async def test_free_text_edited_after_writing_is_caught_by_its_digest(core, clock, dispatcher, db):
    await _closed(core, clock, dispatcher)
    async with db.transaction() as s:
        ev = (await s.execute(select(AuditEvent).where(AuditEvent.action == "case_closed"))).scalar_one()
        ev.content = {"reason": "something else"}
    report = await _verify(db)
    assert not report.ok and report.first_broken_seq == ev.seq and "free text" in report.why


def test_the_retention_block_is_validated_with_line_and_key(tmp_path):
    from bot.partnership import PartnershipFileError, load_partnership
    from bot.settings import DEFAULT_PARTNERSHIP

    text = open(DEFAULT_PARTNERSHIP).read()
    assert "no statutory" in text.lower()  # the example says so where the periods are set
    bad = text.replace("records_years_after_close: 7", "records_years_after_close: 0").replace(
        "keep_members_after_close: [business_unit, partnership_manager]", "keep_members_after_close: [everyone]")
    path = tmp_path / "p.yaml"
    path.write_text(bad)
    with pytest.raises(PartnershipFileError) as caught:
        load_partnership(path)
    problems = caught.value.problems
    assert any("retention.records_years_after_close" in p for p in problems)
    assert any("retention.keep_members_after_close.0" in p for p in problems)
    assert all(p.startswith("line ") for p in problems)


def test_the_commands_run_through_the_real_entry_point(db, tmp_path):
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "RAPIDREVIEW_DATABASE_URL": db.url}

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "server.cli", *args], cwd=root, env=env, capture_output=True,
                              text=True, timeout=120)

    status = run("retention", "status")
    assert status.returncode == 0 and "no closed cases" in status.stdout, status.stderr
    refused = run("erase", "rr-2026-001", "--reason", "a request", "--as", "sprg_chair")
    assert refused.returncode == 2 and "only the Business Unit or the Partnership Manager" in refused.stderr
    assert "Traceback" not in refused.stderr
    missing = run("export", "rr-2026-001", "--out", str(tmp_path / "x.txt"))
    assert missing.returncode == 2 and "must end in .zip" in missing.stderr
