"""Editors: imported legal texts and their versions, legal events, guidance revisions with their
review state, index generations, and the unanswered-questions inbox's resolutions.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kb_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("doc", sa.String(64), nullable=False, index=True),
        sa.Column("version", sa.Integer()),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("source_name", sa.String(255), nullable=False),
        sa.Column("meta", sa.JSON(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.String(80)),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("gate", sa.JSON()),
    )
    op.create_table(
        "kb_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("doc", sa.String(64), nullable=False, index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("by_doc", sa.String(64), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "guidance_revisions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.String(128), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True)),
        sa.Column("published_by", sa.String(80)),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("gate", sa.JSON()),
    )
    op.create_table(
        "kb_generations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("manifest", sa.JSON(), nullable=False),
        sa.Column("content_key", sa.String(64), nullable=False),
        sa.Column("recall_at_3", sa.Float()),
        sa.Column("reason", sa.String(128), nullable=False),
        sa.Column("created_by", sa.String(80), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("activated_at", sa.DateTime(timezone=True)),
    )
    # At most one active generation, even when two processes switch at the same moment.
    op.create_index(
        "one_active_generation",
        "kb_generations",
        ["status"],
        unique=True,
        sqlite_where=sa.text("status = 'active'"),
        postgresql_where=sa.text("status = 'active'"),
    )
    op.create_table(
        "inbox_resolutions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("entry_id", sa.String(128), nullable=False, index=True),
        sa.Column("revision_id", sa.Integer(), sa.ForeignKey("guidance_revisions.id")),
        sa.Column("examples", sa.JSON(), nullable=False),
        sa.Column("message_ids", sa.JSON(), nullable=False),
        sa.Column("actor", sa.String(80), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    for table in (
        "inbox_resolutions",
        "kb_generations",
        "guidance_revisions",
        "kb_events",
        "kb_versions",
    ):
        op.drop_table(table)
