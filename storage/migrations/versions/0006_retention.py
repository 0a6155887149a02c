"""retention and erasure: legal hold and retention dates on a case; erasable audit content chained by digest

Revision ID: 0006
Revises: 0005

Existing audit records are moved to the second format: free text in `detail` (reasons, references) goes to
`content`, chained by its SHA-256 digest, and the chain is re-sealed from the first record, each record's
old hash kept in `legacy_hash`. That only happens when the old chain verifies: a broken chain is left as it
is (still reported by `rapidreview audit verify`), never re-sealed over the break. The hashing is written
out here, not imported, so this migration keeps meaning what it meant when bot/audit.py changes.
"""
from __future__ import annotations

import hashlib
import json
import logging

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")
_S = sqlmodel.sql.sqltypes.AutoString
GENESIS = "0" * 64
# Must equal bot.audit.CONTENT_KEYS at the time of writing.
CONTENT_KEYS = ("reason", "ref", "text", "evidence", "rationale", "names", "note", "residing_partnership",
                "lead_partnership")


def _canonical(body: dict) -> bytes:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


_AUDIT = sa.table("audit_event", sa.column("seq", sa.Integer()), sa.column("at", storage.types.UtcDateTime()),
                  sa.column("case_code", _S()), sa.column("actor_key", _S()), sa.column("platform", _S()),
                  sa.column("platform_user", _S()), sa.column("action", _S()), sa.column("detail", sa.JSON()),
                  sa.column("content", sa.JSON()), sa.column("content_digest", _S()), sa.column("legacy_hash", _S()),
                  sa.column("prev_hash", _S()), sa.column("hash", _S()))


def upgrade() -> None:
    with op.batch_alter_table("review_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("legal_hold", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column("chat_purged_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("erased_on", sa.Date(), nullable=True))
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("content", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("content_digest", _S(length=64), nullable=True))
        batch_op.add_column(sa.Column("legacy_hash", _S(length=64), nullable=True))
    _reseal()
    with op.batch_alter_table("review_case", schema=None) as batch_op:
        batch_op.alter_column("legal_hold", server_default=None)


def _reseal() -> None:
    conn = op.get_bind()
    t = _AUDIT.c
    rows = conn.execute(sa.select(t.seq, t.at, t.case_code, t.actor_key, t.platform, t.platform_user, t.action,
                                  t.detail, t.prev_hash, t.hash).order_by(t.seq)).mappings().all()
    if not rows:
        return

    def body(r, prev: str, detail: dict) -> dict:  # noqa: ANN001
        return {"seq": r["seq"], "at": r["at"].isoformat(), "prev": prev, "case_code": r["case_code"],
                "actor_key": r["actor_key"], "platform": r["platform"], "platform_user": r["platform_user"],
                "action": r["action"], "detail": detail}

    prev = GENESIS
    for expected, r in enumerate(rows, start=1):
        if r["seq"] != expected or r["prev_hash"] != prev or \
                hashlib.sha256(_canonical(body(r, prev, r["detail"] or {}))).hexdigest() != r["hash"]:
            log.warning("audit trail broken at record %s: left in its first format, not re-sealed", r["seq"])
            return
        prev = r["hash"]
    prev = GENESIS
    for r in rows:
        detail = r["detail"] or {}
        content = {k: v for k, v in detail.items() if k in CONTENT_KEYS}
        kept = {k: v for k, v in detail.items() if k not in CONTENT_KEYS}
        digest = hashlib.sha256(_canonical(content)).hexdigest()
        new = hashlib.sha256(_canonical({**body(r, prev, kept), "content_digest": digest})).hexdigest()
        conn.execute(sa.update(_AUDIT).where(t.seq == r["seq"]).values(
            detail=kept, content=content, content_digest=digest, legacy_hash=r["hash"], prev_hash=prev, hash=new))
        prev = new
    conn.execute(sa.text("UPDATE audit_head SET last_hash = :h WHERE id = 1"), {"h": prev})


def downgrade() -> None:
    # Re-sealed records cannot return to the first format (erased content is gone): the columns stay readable
    # only through this version of the code.
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_column("legacy_hash")
        batch_op.drop_column("content_digest")
        batch_op.drop_column("content")
    with op.batch_alter_table("review_case", schema=None) as batch_op:
        batch_op.drop_column("erased_on")
        batch_op.drop_column("chat_purged_on")
        batch_op.drop_column("legal_hold")
