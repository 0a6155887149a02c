"""the contested case: meeting held, Panel told of a delay, first notification date, LCSPR copy sent, national review information requests, SIN details

Revision ID: 0004_contested
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_contested"
down_revision = "0004"
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


def downgrade() -> None:
    with op.batch_alter_table("review_case") as batch:
        for name in ("partners_consulted", "children_count", "abuse_category", *_TEXTS, *_DATES):
            batch.drop_column(name)
