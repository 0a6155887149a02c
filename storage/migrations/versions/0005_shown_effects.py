"""shown effects: what each platform shows, kept apart from the outbox so delivered rows can be purged

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "shown_effect",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("case_code", _S(length=40), nullable=True),
        sa.Column("platform", _S(length=20), nullable=False),
        sa.Column("kind", _S(length=40), nullable=False),
        sa.Column("card", _S(length=40), nullable=True),
        sa.Column("member_key", _S(length=40), nullable=True),
        sa.Column("slot", _S(length=40), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("shown_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "platform", "slot", name="uq_shown_effect_slot"),
    )
    op.create_index("ix_shown_effect_case_card", "shown_effect", ["case_code", "card"])
    op.create_index(op.f("ix_shown_effect_case_id"), "shown_effect", ["case_id"])
    op.create_index(op.f("ix_shown_effect_outbox_id"), "shown_effect", ["outbox_id"])
    # Existing cases: what was delivered so far, compacted as the dispatcher shows it (a slot card once, newest).
    when = storage.types.UtcDateTime(timezone=True)
    outbox = sa.table("outbox", sa.column("id", sa.Integer()), sa.column("case_id", sa.Integer()),
                      sa.column("case_code", sa.String()), sa.column("platform", sa.String()),
                      sa.column("kind", sa.String()), sa.column("payload", sa.JSON()), sa.column("status", sa.String()),
                      sa.column("created_at", when), sa.column("delivered_at", when))
    shown = sa.table("shown_effect", *(sa.column(c, sa.String()) for c in (
        "case_code", "platform", "kind", "card", "member_key", "slot")),
        sa.column("case_id", sa.Integer()), sa.column("outbox_id", sa.Integer()), sa.column("payload", sa.JSON()),
        sa.column("created_at", when), sa.column("updated_at", when), sa.column("shown_at", when))
    by_slot: dict = {}
    out: list[dict] = []
    for r in op.get_bind().execute(sa.select(outbox).order_by(outbox.c.id)).mappings():
        payload = r["payload"] or {}
        slot = "status" if r["kind"] == "update_status" else payload.get("slot") if r["kind"] == "post_card" else None
        slot = slot if r["case_id"] is not None else None
        at = r["delivered_at"] if r["status"] == "delivered" else None
        key = (r["case_id"], r["platform"], slot)
        if slot and key in by_slot:
            rec = by_slot[key]
            rec.update(payload=payload, outbox_id=r["id"], updated_at=r["created_at"], card=payload.get("card"))
            rec["shown_at"] = rec["shown_at"] or at
            continue
        rec = dict(case_id=r["case_id"], case_code=r["case_code"], platform=r["platform"], kind=r["kind"],
                   card=payload.get("card"), member_key=payload.get("member") if r["kind"] == "direct_message" else None,
                   slot=slot, payload=payload, outbox_id=r["id"], created_at=r["created_at"],
                   updated_at=r["created_at"], shown_at=at)
        if slot:
            by_slot[key] = rec
        out.append(rec)
    if out:
        op.bulk_insert(shown, out)


def downgrade() -> None:
    op.drop_index(op.f("ix_shown_effect_outbox_id"), table_name="shown_effect")
    op.drop_index(op.f("ix_shown_effect_case_id"), table_name="shown_effect")
    op.drop_index("ix_shown_effect_case_card", table_name="shown_effect")
    op.drop_table("shown_effect")
