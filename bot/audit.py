"""The audit trail: append-only, each record carrying the hash of the previous one.

A record's free text (reasons, references: CONTENT_KEYS) is kept apart from its structured detail, in
`content`, and the hash covers the content's SHA-256 digest rather than the text. Erasing a case (bot/retention.py)
sets the content to NULL and keeps the digest, so the chain still verifies end to end while the words are gone;
while the content is there, verify checks it still matches its digest.

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


# Detail keys whose values are free text a person typed: they may identify someone, so they are erasable.
CONTENT_KEYS = frozenset({"reason", "ref", "text", "evidence", "rationale", "names", "note", "residing_partnership",
                          "lead_partnership"})


def _canonical(body: Any) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_digest(content: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(content)).hexdigest()


def split_detail(detail: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(structured detail kept for ever, erasable free-text content)."""
    return ({k: v for k, v in detail.items() if k not in CONTENT_KEYS},
            {k: v for k, v in detail.items() if k in CONTENT_KEYS})


def record_hash(seq: int, at: datetime, entry_fields: dict[str, Any], prev_hash: str) -> str:
    body = {"seq": seq, "at": at.isoformat(), "prev": prev_hash, **entry_fields}
    return hashlib.sha256(_canonical(body)).hexdigest()


def _fields(e: AuditEvent | AuditEntry, detail: dict[str, Any], digest: str | None) -> dict[str, Any]:
    fields = {"case_code": e.case_code, "actor_key": e.actor_key, "platform": e.platform,
              "platform_user": e.platform_user, "action": e.action, "detail": detail}
    if digest is not None:  # the second format; records of the first (digest NULL) hash their whole detail
        fields["content_digest"] = digest
    return fields


async def append(session: AsyncSession, entry: AuditEntry, at: datetime) -> AuditEvent:
    """Write one record at the tip of the chain, inside the caller's transaction."""
    head = (await session.execute(
        update(AuditHead).where(AuditHead.id == 1).values(seq=AuditHead.seq + 1)
        .returning(AuditHead.seq, AuditHead.last_hash)
    )).one_or_none()
    if head is None:
        raise RuntimeError("audit_head row missing: run `rapidreview db upgrade`")
    seq, prev = head
    detail, content = split_detail(_jsonable(entry.detail or {}))
    at = at.replace(microsecond=(at.microsecond // 1000) * 1000)  # both backends keep ms exactly
    cdigest = content_digest(content)
    digest = record_hash(seq, at, _fields(entry, detail, cdigest), prev)
    event = AuditEvent(seq=seq, at=at, case_code=entry.case_code, actor_key=entry.actor_key,
                       platform=entry.platform, platform_user=entry.platform_user, action=entry.action,
                       detail=detail, content=content, content_digest=cdigest, prev_hash=prev, hash=digest)
    session.add(event)
    await session.execute(update(AuditHead).where(AuditHead.id == 1).values(last_hash=digest))
    return event


def full_detail(ev: AuditEvent) -> dict[str, Any]:
    """The record's detail with its free text, or marked erased."""
    if ev.content_digest is not None and ev.content is None:
        return {**ev.detail, "erased": True}
    return {**ev.detail, **(ev.content or {})}


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
            if record_hash(ev.seq, ev.at, _fields(ev, ev.detail, ev.content_digest), ev.prev_hash) != ev.hash:
                return ChainReport(count, ev.seq, "its content does not match its hash (edited after writing)")
            if ev.content_digest is not None and ev.content is not None and content_digest(ev.content) != ev.content_digest:
                return ChainReport(count, ev.seq, "its free text does not match its digest (edited after writing)")
            prev = ev.hash
            expected_seq += 1
            last_seq = ev.seq
    head = (await session.execute(select(AuditHead).where(AuditHead.id == 1))).scalar_one_or_none()
    if head is not None and head.last_hash != prev and count:
        return ChainReport(count, last_seq, "records after this one were deleted (the chain's tip is elsewhere)")
    return ChainReport(count, None, None)
