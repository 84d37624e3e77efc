"""How far each staff member has read each conversation (the queue's unread counts).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "conversation_reads",
        sa.Column(
            "conversation_id", sa.Integer(), sa.ForeignKey("conversations.id"), primary_key=True
        ),
        sa.Column("staff_id", sa.Integer(), sa.ForeignKey("staff_users.id"), primary_key=True),
        sa.Column("last_message_id", sa.Integer(), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("conversation_reads")
