"""Database tables."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in UTC. SQLite stores no offset and gives naive values back: they are made
    aware here, once, instead of wherever a time is compared."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return value if value is None or value.tzinfo else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    pass


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("platform", "chat_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    chat_id: Mapped[str] = mapped_column(String(128))
    user_id: Mapped[str] = mapped_column(String(128))
    state: Mapped[str] = mapped_column(String(32), default="bot")
    dialogue: Mapped[dict[str, object] | None] = mapped_column(JSON)
    """What the bot is in the middle of (an offer, the complaint form); survives restarts."""
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    """Raised by every change: a transaction that changed a conversation another one changed
    meanwhile fails (StaleDataError) instead of overwriting it."""

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class Message(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("conversation_id", "direction", "platform_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    direction: Mapped[str] = mapped_column(String(8))
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(String(32))
    intent: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float | None]
    citations: Mapped[list[dict[str, object]] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, index=True)
    author: Mapped[str | None] = mapped_column(String(80))
    """``staff:<username>`` for a staff reply; empty for the bot and the citizen."""


class StateTransition(Base):
    """Who moved a conversation between bot and staff, and when."""

    __tablename__ = "state_transitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class Case(Base):
    """A complaint or a request for staff, with what the citizen consented to record."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="open")
    reason: Mapped[str] = mapped_column(String(64))
    fields: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    consent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("staff_users.id"))
    outcome: Mapped[str | None] = mapped_column(String(32))
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    rating: Mapped[int | None]
    staff_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class Attachment(Base):
    """A photo or file a citizen sent; linked to the case it supports."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(Text)
    name: Mapped[str] = mapped_column(String(255), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class InboxItem(Base):
    """A webhook message stored before the platform gets its 200, processed from here.
    ``text`` holds the raw message until it is processed, then its redacted form."""

    __tablename__ = "inbox"
    __table_args__ = (UniqueConstraint("platform", "platform_message_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_message_id: Mapped[str] = mapped_column(String(128))
    message: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    """Why the last attempt failed; a ``dead`` item failed too often and waits for staff."""


class OutboxItem(Base):
    """One platform API call to make (a chunk of a reply), retried until sent or failed."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16), index=True)
    chat_id: Mapped[str] = mapped_column(String(128), index=True)
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"), index=True)
    inbox_id: Mapped[int | None] = mapped_column(ForeignKey("inbox.id"))
    payload: Mapped[dict[str, object]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    """The stored staff message this call delivers (its status is shown in the console)."""
    message: Mapped[Message | None] = relationship()


class PlatformToken(Base):
    """A platform's current OAuth token pair (Zalo refresh tokens are single-use)."""

    __tablename__ = "platform_tokens"

    platform: Mapped[str] = mapped_column(String(16), primary_key=True)
    access_token: Mapped[str] = mapped_column(Text)
    refresh_token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StaffUser(Base):
    """A console account: staff answer citizens, editors keep the knowledge base, admins both."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class StaffSession(Base):
    """A signed-in browser; only the hash of the cookie's token is stored."""

    __tablename__ = "staff_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), default=utcnow)
    ip: Mapped[str] = mapped_column(String(64), default="")
    user_agent: Mapped[str] = mapped_column(String(255), default="")


class LoginAttempt(Base):
    """One try to sign in, for throttling."""

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), index=True)
    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    ok: Mapped[bool] = mapped_column(Boolean)


class CaseNote(Base):
    """A private note of staff on a case; never sent to the citizen."""

    __tablename__ = "case_notes"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"))
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ConversationRead(Base):
    """The newest message a staff member has seen in a conversation; later messages from the
    citizen are unread for them."""

    __tablename__ = "conversation_reads"

    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff_users.id"), primary_key=True)
    last_message_id: Mapped[int]
    read_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)


class CannedReply(Base):
    """A ready-made staff reply; ``{ten_can_bo}`` and ``{ma_ho_so}`` are filled in."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(128))
    text: Mapped[str] = mapped_column(Text)


class AuditEntry(Base):
    """One change made by a person: who, when, what, before and after."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(String(128), index=True)
    before: Mapped[dict[str, object] | None] = mapped_column(JSON)
    after: Mapped[dict[str, object] | None] = mapped_column(JSON)


class DocumentVersion(Base):
    """A legal text an editor imported: a draft until published (then it has its version
    number), or held when the regression gate stopped its publication."""

    __tablename__ = "kb_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    source_name: Mapped[str] = mapped_column(String(255))
    meta: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    body: Mapped[str] = mapped_column(Text)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    published_by: Mapped[str | None] = mapped_column(String(80))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    gate: Mapped[dict[str, object] | None] = mapped_column(JSON)
    """The regression gate's last report on this text."""


class LegalEventRow(Base):
    """A document amended by another one, or repealed, from a given day."""

    __tablename__ = "kb_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    doc: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    on: Mapped[date] = mapped_column(Date)
    by_doc: Mapped[str] = mapped_column(String(64), default="")
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class GuidanceRevision(Base):
    """One revision of a guidance entry written in the console: draft → review → published
    (or sent back to draft, or held by the regression gate)."""

    __tablename__ = "guidance_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(128), index=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    fields: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(80))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow, onupdate=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    published_by: Mapped[str | None] = mapped_column(String(80))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    review_note: Mapped[str] = mapped_column(Text, default="")
    gate: Mapped[dict[str, object] | None] = mapped_column(JSON)


class IndexGeneration(Base):
    """One complete build of the index: which published work it holds (``manifest``: IDs of
    versions, events and guidance revisions). Exactly one is ``active``; the bot answers from
    it, and a publish switches to a new one in one transaction."""

    __tablename__ = "kb_generations"
    __table_args__ = (
        Index(
            "one_active_generation",
            "status",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="building", index=True)
    manifest: Mapped[dict[str, list[int]]] = mapped_column(JSON, default=dict)
    content_key: Mapped[str] = mapped_column(String(64), default="")
    recall_at_3: Mapped[float | None]
    reason: Mapped[str] = mapped_column(String(128), default="")
    created_by: Mapped[str] = mapped_column(String(80), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    activated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class InboxResolution(Base):
    """A group of questions the bot did not answer well, turned by an editor into a guidance
    entry (new, or new phrasings of an existing one)."""

    __tablename__ = "inbox_resolutions"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[str] = mapped_column(String(128), index=True)
    revision_id: Mapped[int | None] = mapped_column(ForeignKey("guidance_revisions.id"))
    examples: Mapped[list[str]] = mapped_column(JSON, default=list)
    message_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    actor: Mapped[str] = mapped_column(String(80))
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)


class ServiceSetting(Base):
    """A switch every process reads (the maintenance notice), or when a shared job last ran."""

    __tablename__ = "service_settings"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(80), default="")


class SendRate(Base):
    """A platform rate limit shared by every process: for one key (a platform, or one chat of
    it) the earliest time, in seconds since the epoch, at which the next call may be made
    without exceeding the limit (the generic cell rate algorithm's theoretical arrival time)."""

    __tablename__ = "send_rate"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    next_at: Mapped[float]
