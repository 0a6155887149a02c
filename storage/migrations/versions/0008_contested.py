"""the contested case: meeting held, Panel told of a delay, first notification date, LCSPR copy sent, national review information requests, SIN details, immediate safety actions

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel

import storage.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_DATES = ("rrm_held_on", "panel_told_of_delay_on", "notification_aware_on", "lcspr_copy_sent_on",
          "national_info_requested_on", "incident_on")
_TEXTS = ("panel_delay_reason", "lcspr_late_reason")


def upgrade() -> None:
    with op.batch_alter_table("review_case") as batch:
        for name in _DATES:
            batch.add_column(sa.Column(name, sa.Date(), nullable=True))
        for name in _TEXTS:
            batch.add_column(sa.Column(name, sa.String(), nullable=True))
        batch.add_column(sa.Column("abuse_category", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("children_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("partners_consulted", sa.Boolean(), nullable=True))
    op.create_table(
        "safety_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at_risk", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("owner_agency", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("done_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "number", name="uq_safety_action"),
    )
    with op.batch_alter_table("safety_action", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_safety_action_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("safety_action", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_safety_action_case_id"))
    op.drop_table("safety_action")
    with op.batch_alter_table("review_case") as batch:
        for name in ("partners_consulted", "children_count", "abuse_category", *_TEXTS, *_DATES):
            batch.drop_column(name)
