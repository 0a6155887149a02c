"""Migration 0006 (retention) moves audit records written before erasable content existed (their hash covered
the whole detail, reasons included) to the second format, so they can be erased, and `audit verify` passes
before and after. A chain that was already broken is left as it was and still reported."""
from __future__ import annotations

import json
import os
import uuid
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text, update

from bot import audit
from storage.db import Database, upgrade
from storage.models import AuditEvent, AuditHead

BEFORE = "0005"  # the head before the retention migration (0006) and its shown_effect predecessor

ENTRIES = [
    audit.AuditEntry("case_opened", case_code="rr-2026-001", actor_key="bu_officer", platform="slack",
                     platform_user="U0FIC0001", detail={"kind": "child_death", "residing_partnership": "Leeds SCP"}),
    audit.AuditEntry("vote_cast", case_code="rr-2026-001", actor_key="sprg_police", platform="slack",
                     detail={"choice": "lcspr", "national": False, "reason": "Mum said the GP knew"}),
    audit.AuditEntry("case_closed", case_code="rr-2026-001", actor_key="bu_officer", platform="teams",
                     detail={"reason": "learning captured"}),
]


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def old_url(request, tmp_path):  # noqa: ANN001
    """An empty database at the revision before this change, on each backend."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
        return
    from tests import conftest

    why = conftest._pg_available()
    if why:
        pytest.skip(why)
    name = f"rr_mig_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    conftest._pg_admin(f'CREATE DATABASE "{name}"')
    yield f"postgresql+asyncpg://postgres@{conftest.PG_HOST}:{conftest.PG_PORT}/{name}"
    conftest._pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def _at_revision(url: str, revision: str) -> tuple[str, Database]:
    upgrade(url, revision)
    return url, Database(url)


async def _rows(db: Database) -> list[AuditEvent]:
    async with db.read() as s:
        return list((await s.execute(select(AuditEvent).order_by(AuditEvent.seq))).scalars())


async def test_first_format_records_verify_and_are_resealed_by_the_migration(old_url):
    url, db = await _at_revision(old_url, BEFORE)
    try:
        old_hashes = await _write_first_format_sql(db)
        upgrade(url)
        async with db.read() as s:
            assert (await audit.verify(s)).ok
        rows = await _rows(db)
        assert [r.legacy_hash for r in rows] == old_hashes
        assert all(r.content_digest for r in rows)
        assert rows[1].detail == {"choice": "lcspr", "national": False}
        assert rows[1].content == {"reason": "Mum said the GP knew"}
        assert rows[0].content == {"residing_partnership": "Leeds SCP"}
        # New records chain on from the re-sealed tip, and the old ones can now be erased.
        async with db.transaction() as s:
            await audit.append(s, audit.AuditEntry("case_exported", case_code="rr-2026-001", platform="cli"),
                               datetime(2027, 1, 1, tzinfo=timezone.utc))
            await s.execute(update(AuditEvent).where(AuditEvent.case_code == "rr-2026-001").values(content=None))
        async with db.read() as s:
            report = await audit.verify(s)
            assert report.ok and report.records == 4
    finally:
        await db.dispose()


async def test_a_chain_broken_before_the_migration_is_not_resealed(old_url):
    url, db = await _at_revision(old_url, BEFORE)
    try:
        await _write_first_format_sql(db, tamper=True)
        upgrade(url)
        rows = await _rows(db)
        assert all(r.content_digest is None and r.legacy_hash is None for r in rows)
        async with db.read() as s:
            report = await audit.verify(s)
        assert not report.ok and report.first_broken_seq == 2
    finally:
        await db.dispose()


async def _write_first_format_sql(db: Database, *, tamper: bool = False) -> list[str]:
    """Records exactly as bot/audit.py wrote them before this change (the hash covers the whole detail), in
    plain SQL: at that revision the table has none of the new columns the model now names."""
    prev, hashes = audit.GENESIS, []
    async with db.transaction() as s:
        for seq, e in enumerate(ENTRIES, start=1):
            at = datetime(2026, 9, seq, 10, 0, tzinfo=timezone.utc)
            detail = audit._jsonable(e.detail)
            digest = audit.record_hash(seq, at, audit._fields(e, detail, None), prev)
            if tamper and seq == 2:
                detail = {**detail, "reason": "edited later"}
            await s.execute(text(
                "INSERT INTO audit_event (seq, at, case_code, actor_key, platform, platform_user, action, detail, "
                "prev_hash, hash) VALUES (:seq, :at, :case_code, :actor_key, :platform, :platform_user, :action, "
                ":detail, :prev, :hash)"),
                {"seq": seq, "at": at.replace(tzinfo=None).isoformat(sep=" ") if db.sqlite else at, "case_code": e.case_code,
                 "actor_key": e.actor_key, "platform": e.platform, "platform_user": e.platform_user,
                 "action": e.action, "detail": json.dumps(detail), "prev": prev, "hash": digest})
            prev = digest
            hashes.append(digest)
        await s.execute(text("UPDATE audit_head SET seq = :n, last_hash = :h WHERE id = 1"),
                        {"n": len(ENTRIES), "h": prev})
    return hashes
