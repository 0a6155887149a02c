"""report sections, criteria answers, submission documents; action evidence; LCSPR tracking

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "report_section",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", _S(length=40), nullable=False),
        sa.Column("text", _S(), nullable=False),
        sa.Column("updated_by", _S(length=40), nullable=False),
        sa.Column("updated_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "key", name="uq_report_section"),
    )
    op.create_table(
        "report_criterion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("key", _S(length=20), nullable=False),
        sa.Column("answer", _S(length=20), nullable=False),
        sa.Column("rationale", _S(), nullable=False),
        sa.Column("answered_by", _S(length=40), nullable=False),
        sa.Column("answered_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "key", name="uq_report_criterion"),
    )
    op.create_table(
        "report_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("kind", _S(length=30), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("report_version", sa.Integer(), nullable=True),
        sa.Column("content", _S(), nullable=False),
        sa.Column("content_hash", _S(length=64), nullable=False),
        sa.Column("created_by", _S(length=40), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "kind", "number", name="uq_report_document"),
    )
    for table in ("report_section", "report_criterion", "report_document"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.create_index(batch_op.f(f"ix_{table}_case_id"), ["case_id"], unique=False)
    with op.batch_alter_table("review_case", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lcspr_reviewer_appointed_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("lcspr_publish_decision", _S(length=20), nullable=True))
        batch_op.add_column(sa.Column("lcspr_publish_decided_on", sa.Date(), nullable=True))
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.add_column(sa.Column("done_by", _S(length=40), nullable=True))
        batch_op.add_column(sa.Column("evidence", _S(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("action_item", schema=None) as batch_op:
        batch_op.drop_column("evidence")
        batch_op.drop_column("done_by")
    with op.batch_alter_table("review_case", schema=None) as batch_op:
        batch_op.drop_column("lcspr_publish_decided_on")
        batch_op.drop_column("lcspr_publish_decision")
        batch_op.drop_column("lcspr_reviewer_appointed_on")
    for table in ("report_document", "report_criterion", "report_section"):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f"ix_{table}_case_id"))
        op.drop_table(table)
