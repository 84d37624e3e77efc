"""Durable delivery: inbox, outbox, platform tokens.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("platform_message_id", sa.String(128), nullable=False),
        sa.Column("message", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("locked_until", nullable=True),
        _at("received_at"),
        _at("processed_at", nullable=True),
        sa.UniqueConstraint("platform", "platform_message_id"),
    )
    op.create_index("ix_inbox_status", "inbox", ["status"])
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("platform", sa.String(16), nullable=False),
        sa.Column("chat_id", sa.String(128), nullable=False),
        sa.Column("conversation_id", sa.Integer(), sa.ForeignKey("conversations.id")),
        sa.Column("inbox_id", sa.Integer(), sa.ForeignKey("inbox.id")),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _at("next_attempt_at"),
        sa.Column("last_error", sa.Text()),
        sa.Column("platform_message_id", sa.String(128)),
        _at("created_at"),
        _at("sent_at", nullable=True),
    )
    for column in ("platform", "chat_id", "conversation_id", "status"):
        op.create_index(f"ix_outbox_{column}", "outbox", [column])
    op.create_table(
        "platform_tokens",
        sa.Column("platform", sa.String(16), primary_key=True),
        sa.Column("access_token", sa.Text(), nullable=False),
        sa.Column("refresh_token", sa.Text(), nullable=False),
        _at("expires_at", nullable=True),
        _at("updated_at"),
    )


def downgrade() -> None:
    op.drop_table("platform_tokens")
    op.drop_table("outbox")
    op.drop_table("inbox")
