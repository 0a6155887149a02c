"""The audit trail: append-only, each record carrying the hash of the previous one.

Appending first bumps the single `audit_head` row (UPDATE … RETURNING), which takes a row lock on
PostgreSQL and the write lock on SQLite: concurrent commands on any replica queue there, so the
chain never forks.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEvent, AuditHead

GENESIS = "0" * 64


@dataclass(frozen=True)
class AuditEntry:
    """An audit record not yet written: who did what, to which case, with what details."""

    action: str
    case_code: str | None = None
    actor_key: str | None = None
    platform: str | None = None
    platform_user: str | None = None
    detail: dict[str, Any] | None = None


def _jsonable(value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items) if isinstance(value, (set, frozenset)) else items
    return value


def record_hash(seq: int, at: datetime, entry_fields: dict[str, Any], prev_hash: str) -> str:
    body = {"seq": seq, "at": at.isoformat(), "prev": prev_hash, **entry_fields}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _fields(e: AuditEvent | AuditEntry, detail: dict[str, Any]) -> dict[str, Any]:
    return {"case_code": e.case_code, "actor_key": e.actor_key, "platform": e.platform,
            "platform_user": e.platform_user, "action": e.action, "detail": detail}


async def append(session: AsyncSession, entry: AuditEntry, at: datetime) -> AuditEvent:
    """Write one record at the tip of the chain, inside the caller's transaction."""
    head = (await session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
    )).one_or_none()
    if head is None:
        raise RuntimeError("audit_head row missing: run `rapidreview db upgrade`")
    seq, prev = head
    detail = _jsonable(entry.detail or {})
    at = at.replace(microsecond=(at.microsecond // 1000) * 1000)  # both backends keep ms exactly
    digest = record_hash(seq, at, _fields(entry, detail), prev)
    event = AuditEvent(seq=seq, at=at, case_code=entry.case_code, actor_key=entry.actor_key,
                       platform=entry.platform, platform_user=entry.platform_user, action=entry.action,
                       detail=detail, prev_hash=prev, hash=digest)
    session.add(event)
    await session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    return event


@dataclass(frozen=True)
class ChainReport:
    records: int
    first_broken_seq: int | None
    why: str | None

    @property
    def ok(self) -> bool:
        return self.first_broken_seq is None


async def verify(session: AsyncSession, batch: int = 5000) -> ChainReport:
    """Walk the chain in order; report the first record whose link or content hash is wrong."""
    prev = GENESIS
    expected_seq = 1
    count = 0
    last_seq = 0
    while True:
        rows = (await session.execute(
            select(AuditEvent).where(AuditEvent.seq > last_seq).order_by(AuditEvent.seq).limit(batch)
        )).scalars().all()
        if not rows:
            break
        for ev in rows:
            count += 1
            if ev.seq != expected_seq:
                return ChainReport(count, ev.seq, f"record {expected_seq} is missing (next is {ev.seq})")
            if ev.prev_hash != prev:
                return ChainReport(count, ev.seq, "its previous-hash does not match the record before it")
            if record_hash(ev.seq, ev.at, _fields(ev, ev.detail), ev.prev_hash) != ev.hash:
                return ChainReport(count, ev.seq, "its content does not match its hash (edited after writing)")
            prev = ev.hash
            expected_seq += 1
            last_seq = ev.seq
    head = (await session.execute(select(AuditHead).where(AuditHead.id == 1))).scalar_one_or_none()
    if head is not None and head.last_hash != prev and count:
        return ChainReport(count, last_seq, "records after this one were deleted (the chain's tip is elsewhere)")
    return ChainReport(count, None, None)
