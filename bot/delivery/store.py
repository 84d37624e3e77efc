"""Delivery records: the inbox (each platform message stored once, before the webhook answers)
and the outbox (each platform API call, retried until sent or failed).

Claims lease rows with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several bot processes
never take the same row; SQLite (one writer at a time) gets the same result from its write lock.
A leased row whose worker died becomes claimable again when the lease runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from bot.core.messages import Attachment, Event, IncomingMessage
from bot.core.safety import redact
from bot.storage.database import Database
from bot.storage.models import Case, InboxItem, OutboxItem, utcnow

LEASE = timedelta(minutes=2)


def message_to_json(message: IncomingMessage) -> dict[str, Any]:
    return asdict(message)


def message_from_json(data: dict[str, Any]) -> IncomingMessage:
    attachments = tuple(Attachment(**a) for a in data.get("attachments", ()))
    event = Event(data.get("event", Event.MESSAGE))
    return IncomingMessage(**(data | {"attachments": attachments, "event": event}))


class DeliveryStore:
    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def accept(self, message: IncomingMessage) -> bool:
        """Store a platform message; False when the platform delivered it before."""
        assert message.message_id, "platform messages carry their platform message ID"
        try:
            async with self._sessions() as session, session.begin():
                session.add(
                    InboxItem(
                        platform=message.platform,
                        platform_message_id=message.message_id,
                        message=message_to_json(message),
                    )
                )
        except IntegrityError:
            return False
        return True

    async def claim_inbound(self, limit: int = 20) -> list[tuple[int, IncomingMessage]]:
        """Pending messages, oldest first, leased to the caller."""
        now = utcnow()
        async with self._sessions() as session, session.begin():
            items = list(
                await session.scalars(
                    select(InboxItem)
                    .where(InboxItem.status == "pending")
                    .where(or_(InboxItem.locked_until.is_(None), InboxItem.locked_until < now))
                    .order_by(InboxItem.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            for item in items:
                item.locked_until = now + LEASE
                item.attempts += 1
        return [(item.id, message_from_json(item.message)) for item in items]

    async def complete_inbound(
        self, item_id: int, message: IncomingMessage, payloads: Sequence[dict[str, Any]]
    ) -> None:
        """Mark the message processed (keeping only its redacted text) and queue its reply's
        API calls, in one transaction: a reply is queued exactly once."""
        now = utcnow()
        kept = message_to_json(message) | {"text": redact(message.text)}
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(InboxItem)
                .where(InboxItem.id == item_id)
                .values(status="done", processed_at=now, locked_until=None, message=kept)
            )
            session.add_all(
                OutboxItem(
                    platform=message.platform,
                    chat_id=message.chat_id,
                    inbox_id=item_id,
                    payload=payload,
                    next_attempt_at=now,
                )
                for payload in payloads
            )

    async def enqueue(
        self,
        platform: str,
        chat_id: str,
        payloads: Sequence[dict[str, Any]],
        message_id: int | None = None,
    ) -> None:
        """Queue API calls that answer no particular message (staff replies, notices);
        ``message_id``: the stored message they deliver."""
        async with self._sessions() as session, session.begin():
            session.add_all(
                OutboxItem(
                    platform=platform, chat_id=chat_id, payload=payload, message_id=message_id
                )
                for payload in payloads
            )

    async def claim_outbound(self, platform: str, limit: int = 50) -> list[OutboxItem]:
        """Due calls of one platform, oldest first, leased to the caller. Only the first waiting
        call of each chat is taken, so the chunks of a long answer arrive in order."""
        now = utcnow()
        earlier = aliased(OutboxItem)
        waiting_before = (
            select(earlier.id)
            .where(earlier.platform == OutboxItem.platform, earlier.chat_id == OutboxItem.chat_id)
            .where(earlier.status == "pending", earlier.id < OutboxItem.id)
        )
        async with self._sessions() as session, session.begin():
            items = list(
                await session.scalars(
                    select(OutboxItem)
                    .where(OutboxItem.platform == platform, OutboxItem.status == "pending")
                    .where(OutboxItem.next_attempt_at <= now, ~waiting_before.exists())
                    .order_by(OutboxItem.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            for item in items:
                item.next_attempt_at = now + LEASE
                item.attempts += 1
        return items

    async def sent(self, item_id: int, platform_message_id: str | None) -> None:
        await self._set(
            item_id, status="sent", sent_at=utcnow(), platform_message_id=platform_message_id
        )

    async def retry(self, item_id: int, error: str, delay: timedelta) -> None:
        await self._set(item_id, last_error=error, next_attempt_at=utcnow() + delay)

    async def failed(self, item_id: int, error: str) -> None:
        """Give up on a call; staff see failed deliveries."""
        await self._set(item_id, status="failed", last_error=error)

    async def reply_window(self, platform: str, chat_id: str) -> tuple[datetime | None, int]:
        """(when the citizen last wrote, how many calls were sent to them since)."""
        async with self._sessions() as session:
            last_in = await session.scalar(
                select(func.max(InboxItem.received_at)).where(
                    InboxItem.platform == platform,
                    InboxItem.message["chat_id"].as_string() == chat_id,
                )
            )
            if last_in is None:
                return None, 0
            sent = await session.scalar(
                select(func.count(OutboxItem.id)).where(
                    OutboxItem.platform == platform,
                    OutboxItem.chat_id == chat_id,
                    OutboxItem.status == "sent",
                    OutboxItem.sent_at >= last_in,
                )
            )
            return last_in, int(sent or 0)

    async def counts(self) -> dict[str, int]:
        """Outbox calls by status, and inbox messages still pending."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(OutboxItem.status, func.count()).group_by(OutboxItem.status)
            )
            counts = {f"outbox_{status}": n for status, n in rows}
            pending = await session.scalar(
                select(func.count(InboxItem.id)).where(InboxItem.status == "pending")
            )
            return counts | {"inbox_pending": int(pending or 0)}

    async def queue_staff_notices(
        self, platform: str, chat_id: str, render: Callable[[Case], list[dict[str, Any]]]
    ) -> int:
        """Queue one notice per case not yet announced to the staff group; returns how many.
        Claimed with SKIP LOCKED and marked in the same transaction: never announced twice."""
        async with self._sessions() as session, session.begin():
            cases = list(
                await session.scalars(
                    select(Case)
                    .where(Case.staff_notified_at.is_(None))
                    .order_by(Case.id)
                    .limit(20)
                    .with_for_update(skip_locked=True)
                )
            )
            for case in cases:
                case.staff_notified_at = utcnow()
                session.add_all(
                    OutboxItem(platform=platform, chat_id=chat_id, payload=payload)
                    for payload in render(case)
                )
        return len(cases)

    async def mailbox(self, platform: str, chat_id: str, after_id: int) -> list[OutboxItem]:
        """A pull platform's messages for one chat after ``after_id`` (the web chat page)."""
        async with self._sessions() as session:
            result = await session.scalars(
                select(OutboxItem)
                .where(OutboxItem.platform == platform, OutboxItem.chat_id == chat_id)
                .where(OutboxItem.id > after_id, OutboxItem.status != "failed")
                .order_by(OutboxItem.id)
            )
            return list(result)

    async def sent_per_chat(self, platform: str) -> dict[str, int]:
        """How many calls were queued for each chat of a platform (for delivery audits)."""
        async with self._sessions() as session:
            rows = await session.execute(
                select(OutboxItem.chat_id, func.count())
                .where(OutboxItem.platform == platform)
                .group_by(OutboxItem.chat_id)
            )
            return {chat: n for chat, n in rows}

    async def _set(self, item_id: int, **values: Any) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(OutboxItem).where(OutboxItem.id == item_id).values(**values)
            )
