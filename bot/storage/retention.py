"""Retention: conversations are kept for ``CONVERSATION_RETENTION_DAYS`` after their last
message, and those with a case (with the case file) for ``CASE_RETENTION_DAYS`` after the case
was opened. Past that their texts are anonymised (the message rows stay for the reports, their
text replaced, files and case-file fields removed, the platform chat forgotten) or deleted.
Delivery records and sign-in attempts older than the conversation period go too. Every run
leaves an audit entry with what it did."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import Select, and_, delete, exists, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core import catalogue
from bot.storage.database import Database
from bot.storage.models import (
    Attachment,
    AuditEntry,
    Case,
    CaseNote,
    Conversation,
    InboxItem,
    LoginAttempt,
    Message,
    OutboxItem,
    SendRate,
    StateTransition,
    utcnow,
)

ACTOR = "system:retention"
BATCH = 500
"""Conversations changed per statement (bounded parameter lists and transactions)."""
SEND_RATE_KEPT_S = 3600.0
"""Rate-limit rows of chats quiet for longer than this are dropped."""


class RetentionMode(StrEnum):
    ANONYMISE = "anonymise"
    DELETE = "delete"


@dataclass(frozen=True)
class RetentionPolicy:
    conversation_days: int
    case_days: int
    mode: RetentionMode


@dataclass
class RetentionReport:
    conversations: int = 0
    messages: int = 0
    cases: int = 0
    attachments: int = 0
    delivery_records: int = 0
    login_attempts: int = 0


def _last_activity() -> Select[tuple[int, datetime]]:
    return select(Message.conversation_id, func.max(Message.created_at).label("last")).group_by(
        Message.conversation_id
    )


async def expired_conversations(
    session: AsyncSession, policy: RetentionPolicy, now: datetime
) -> list[int]:
    """Conversations whose last message is older than the conversation period and whose cases
    (if any) are older than the case period; anonymised ones are not picked again."""
    last = _last_activity().subquery()
    conversation_cutoff = now - timedelta(days=policy.conversation_days)
    case_cutoff = now - timedelta(days=policy.case_days)
    recent_case = exists().where(
        Case.conversation_id == Conversation.id, Case.created_at >= case_cutoff
    )
    rows = await session.scalars(
        select(Conversation.id)
        .outerjoin(last, last.c.conversation_id == Conversation.id)
        .where(
            or_(
                last.c.last < conversation_cutoff,
                and_(last.c.last.is_(None), Conversation.created_at < conversation_cutoff),
            )
        )
        .where(~recent_case)
        .where(~Conversation.chat_id.startswith(_FORGOTTEN_PREFIX))
        .order_by(Conversation.id)
    )
    return list(rows)


_FORGOTTEN_PREFIX = "retained-"


async def apply_retention(
    database: Database, policy: RetentionPolicy, now: datetime | None = None
) -> RetentionReport:
    """Anonymise or delete what is past its period; one audit entry records the run."""
    now = now or utcnow()
    report = RetentionReport()
    async with database.sessions() as session:
        expired = await expired_conversations(session, policy, now)
    for start in range(0, len(expired), BATCH):
        batch = expired[start : start + BATCH]
        async with database.sessions() as session, session.begin():
            if policy.mode is RetentionMode.DELETE:
                await _delete(session, batch, report)
            else:
                await _anonymise(session, batch, report)
        report.conversations += len(batch)
    async with database.sessions() as session, session.begin():
        await _old_records(session, now - timedelta(days=policy.conversation_days), report)
        await session.execute(
            delete(SendRate).where(SendRate.next_at < now.timestamp() - SEND_RATE_KEPT_S)
        )
        session.add(
            AuditEntry(
                actor=ACTOR,
                action=f"retention_{policy.mode.value}",
                target="conversations",
                before={
                    "conversation_days": policy.conversation_days,
                    "case_days": policy.case_days,
                },
                after=asdict(report),
            )
        )
    return report


async def _anonymise(session: AsyncSession, ids: Sequence[int], report: RetentionReport) -> None:
    report.messages += _count(
        await session.execute(
            update(Message)
            .where(Message.conversation_id.in_(ids))
            .values(text=catalogue.RETAINED_TEXT, platform_message_id=None)
        )
    )
    report.attachments += _count(
        await session.execute(delete(Attachment).where(Attachment.conversation_id.in_(ids)))
    )
    case_ids = select(Case.id).where(Case.conversation_id.in_(ids))
    await session.execute(
        update(CaseNote).where(CaseNote.case_id.in_(case_ids)).values(text=catalogue.RETAINED_TEXT)
    )
    report.cases += _count(
        await session.execute(
            update(Case).where(Case.conversation_id.in_(ids)).values(fields={}, consent_at=None)
        )
    )
    await session.execute(
        update(OutboxItem)
        .where(OutboxItem.conversation_id.in_(ids))
        .values(payload={}, chat_id=_FORGOTTEN_PREFIX)
    )
    for conversation_id in ids:  # each its own placeholder: (platform, chat_id) is unique
        forgotten = f"{_FORGOTTEN_PREFIX}{conversation_id}"
        await session.execute(
            update(Conversation)
            .where(Conversation.id == conversation_id)
            .values(chat_id=forgotten, user_id=forgotten, dialogue=None)
        )


async def _delete(session: AsyncSession, ids: Sequence[int], report: RetentionReport) -> None:
    case_ids = select(Case.id).where(Case.conversation_id.in_(ids))
    message_ids = select(Message.id).where(Message.conversation_id.in_(ids))
    await session.execute(
        delete(OutboxItem).where(
            or_(OutboxItem.conversation_id.in_(ids), OutboxItem.message_id.in_(message_ids))
        )
    )
    report.attachments += _count(
        await session.execute(delete(Attachment).where(Attachment.conversation_id.in_(ids)))
    )
    await session.execute(delete(CaseNote).where(CaseNote.case_id.in_(case_ids)))
    report.cases += _count(await session.execute(delete(Case).where(Case.conversation_id.in_(ids))))
    report.messages += _count(
        await session.execute(delete(Message).where(Message.conversation_id.in_(ids)))
    )
    await session.execute(delete(StateTransition).where(StateTransition.conversation_id.in_(ids)))
    await session.execute(delete(Conversation).where(Conversation.id.in_(ids)))


async def _old_records(session: AsyncSession, cutoff: datetime, report: RetentionReport) -> None:
    """Delivery records and sign-in attempts older than the conversation period. Pending work
    is never touched."""
    old_inbox = select(InboxItem.id).where(
        InboxItem.received_at < cutoff, InboxItem.status != "pending"
    )
    outbox = await session.execute(
        delete(OutboxItem).where(
            OutboxItem.status != "pending",
            or_(OutboxItem.created_at < cutoff, OutboxItem.inbox_id.in_(old_inbox)),
        )
    )
    still_referred = exists().where(OutboxItem.inbox_id == InboxItem.id)
    inbox = await session.execute(
        delete(InboxItem).where(InboxItem.id.in_(old_inbox), ~still_referred)
    )
    report.delivery_records += _count(outbox) + _count(inbox)
    report.login_attempts += _count(
        await session.execute(delete(LoginAttempt).where(LoginAttempt.at < cutoff))
    )


def _count(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)
