"""When the staff group was told of a case (one notice per handoff).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("staff_notified_at", sa.DateTime(timezone=True)))
    # Cases from before notices existed are not announced now.
    op.execute("UPDATE cases SET staff_notified_at = created_at")


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("staff_notified_at")
