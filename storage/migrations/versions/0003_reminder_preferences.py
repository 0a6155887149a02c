"""reminder preferences (Done / Not mine on reminder cards)

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa
import sqlmodel
import storage.types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reminder_preference",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("member_key", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("family", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("subject", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("created_at", storage.types.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["review_case.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("case_id", "member_key", "family", "subject", name="uq_reminder_preference"),
    )
    with op.batch_alter_table("reminder_preference", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_preference_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("reminder_preference", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_preference_case_id"))
    op.drop_table("reminder_preference")
