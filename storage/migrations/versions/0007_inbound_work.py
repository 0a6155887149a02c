"""inbound work: acknowledged commands kept until they are done and answered (issue 16)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "inbound_work",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", _S(length=20), nullable=False),
        sa.Column("kind", _S(length=40), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", _S(length=20), nullable=False),
        sa.Column("received_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("claimed_by", _S(length=80), nullable=True),
        sa.Column("claimed_until", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("committed", sa.Boolean(), nullable=False),
        sa.Column("reply", sa.JSON(), nullable=True),
        sa.Column("done_at", storage.types.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_inbound_work_open", "inbound_work", ["status", "received_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_inbound_work_open", table_name="inbound_work")
    op.drop_table("inbound_work")
