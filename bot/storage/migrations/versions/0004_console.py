"""Staff console: accounts, sessions, login attempts, case notes, canned replies; who holds a
case and how it ended; who wrote a message; which message an outbox call delivers.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

CANNED = [
    (
        "Chào hỏi",
        "Xin chào, tôi là {ten_can_bo}, cán bộ hỗ trợ người tiêu dùng. Tôi đã xem hồ sơ "
        "{ma_ho_so} của bạn và sẽ hỗ trợ bạn ngay bây giờ.",
    ),
    (
        "Xin thêm thông tin",
        "Để xử lý hồ sơ {ma_ho_so}, bạn vui lòng gửi thêm hóa đơn hoặc ảnh chụp sản phẩm và "
        "cho biết bạn đã liên hệ với bên bán hàng chưa. Cảm ơn bạn.",
    ),
    (
        "Chuyển cơ quan chức năng",
        "Hồ sơ {ma_ho_so} đã được chuyển đến cơ quan có thẩm quyền. Bạn sẽ được liên hệ trong "
        "thời gian sớm nhất. Cán bộ phụ trách: {ten_can_bo}.",
    ),
]


def _at(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(128), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        _at("created_at"),
    )
    op.create_table(
        "staff_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        _at("expires_at"),
    )
    op.create_index("ix_staff_sessions_user_id", "staff_sessions", ["user_id"])
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("ip", sa.String(64), nullable=False),
        _at("at"),
        sa.Column("ok", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_login_attempts_username", "login_attempts", ["username"])
    op.create_table(
        "case_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("case_id", sa.Integer(), sa.ForeignKey("cases.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("staff_users.id"), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _at("created_at"),
    )
    op.create_index("ix_case_notes_case_id", "case_notes", ["case_id"])
    canned = op.create_table(
        "canned_replies",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("title", sa.String(128), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
    )
    op.bulk_insert(canned, [{"title": title, "text": text} for title, text in CANNED])
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("assigned_to", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("outcome", sa.String(32), nullable=True))
        batch.add_column(_at("resolved_at", nullable=True))
        batch.add_column(sa.Column("rating", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_cases_assigned_to", "staff_users", ["assigned_to"], ["id"])
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("author", sa.String(80), nullable=True))
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("message_id", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_outbox_message_id", "messages", ["message_id"], ["id"])
        batch.create_index("ix_outbox_message_id", ["message_id"])


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_index("ix_outbox_message_id")
        batch.drop_constraint("fk_outbox_message_id", type_="foreignkey")
        batch.drop_column("message_id")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("author")
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("fk_cases_assigned_to", type_="foreignkey")
        for column in ("rating", "resolved_at", "outcome", "assigned_to"):
            batch.drop_column(column)
    for table in ("canned_replies", "case_notes", "login_attempts", "staff_sessions"):
        op.drop_table(table)
    op.drop_table("staff_users")
