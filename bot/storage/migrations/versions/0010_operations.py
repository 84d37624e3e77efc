"""Operations: the maintenance switch and job runs shared by every process, platform rate
limits shared by every process, and an index for the retention job.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "service_settings",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(80), nullable=False),
    )
    op.create_table(
        "send_rate",
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("next_at", sa.Float(), nullable=False),
    )
    op.create_index("ix_messages_created_at", "messages", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_messages_created_at", "messages")
    op.drop_table("send_rate")
    op.drop_table("service_settings")
