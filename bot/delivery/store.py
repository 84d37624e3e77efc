"""Delivery records: the inbox (each platform message stored once, before the webhook answers)
and the outbox (each platform API call, retried until sent or failed).

Claims lease rows with ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several bot processes
never take the same row; SQLite (one writer at a time) gets the same result from its write lock.
A leased row whose worker died becomes claimable again when the lease runs out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Select, bindparam, exists, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core.messages import IncomingMessage
from bot.core.safety import redact
from bot.storage.database import Database
from bot.storage.models import Case, InboxItem, Message, OutboxItem, utcnow
from connectors.base import Payload

INBOX_LEASE = timedelta(seconds=30)
"""A message being answered is left alone this long; then any process answers it (a turn that
outlives its lease cannot answer twice: its completion finds the message answered)."""
OUTBOX_LEASE = timedelta(minutes=2)
"""A call being made (waiting for its turn within the rate limits, then sent) is left alone
this long: longer than any wait plus the platform's timeout, since a call cannot be unsent."""
OUTBOUND_BATCH = 50
_UNREADABLE_TRACE_CHARS = 500
_STORED_MESSAGE = TypeAdapter(IncomingMessage)


def message_to_json(message: IncomingMessage) -> dict[str, Any]:
    return asdict(message)


def message_from_json(data: object) -> IncomingMessage | None:
    """The stored message; None when what is stored is not one (a poison item)."""
    try:
        return _STORED_MESSAGE.validate_python(data)
    except ValidationError:
        return None


def redacted_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """An API call's payload with personal data redacted in the text it carries (Telegram and
    the web chat: ``text``; Zalo: ``message.text``)."""
    kept = dict(payload)
    if isinstance(kept.get("text"), str):
        kept["text"] = redact(kept["text"])
    message = kept.get("message")
    if isinstance(message, dict) and isinstance(message.get("text"), str):
        kept["message"] = message | {"text": redact(message["text"])}
    return kept


def _due_calls() -> Select[tuple[OutboxItem]]:
    """Built once: the statement the outbound workers run several times a second."""
    earlier = aliased(OutboxItem)
    waiting_before = (
        select(earlier.id)
        .where(earlier.platform == OutboxItem.platform, earlier.chat_id == OutboxItem.chat_id)
        .where(earlier.status == "pending", earlier.id < OutboxItem.id)
    )
    return (
        select(OutboxItem)
        .where(OutboxItem.platform == bindparam("platform"), OutboxItem.status == "pending")
        .where(OutboxItem.next_attempt_at <= bindparam("now"), ~waiting_before.exists())
        .order_by(OutboxItem.id)
        .limit(OUTBOUND_BATCH)
        .with_for_update(skip_locked=True)
    )


_DUE_CALLS = _due_calls()


@dataclass(frozen=True)
class Reply:
    """A turn's reply as its platform's API calls."""

    conversation_id: int
    payloads: Sequence[Payload]
    delivered: bool = False
    """Already handed to the citizen (in the web chat's HTTP response): stored as sent."""
    send_at_once: bool = False
    """The caller sends the calls itself right after the commit, so they may be leased to it."""


@dataclass(frozen=True)
class ClaimedMessage:
    """A leased inbox item: ``message`` is None when the stored payload cannot be read."""

    id: int
    attempts: int
    message: IncomingMessage | None


class AlreadyAnswered(Exception):
    """Another turn answered this message first (its lease had run out): this turn's changes
    are rolled back."""


class DeliveryStore:
    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def accept(self, message: IncomingMessage) -> bool:
        """Store a platform message; False when the platform delivered it before."""
        return await self.store(message) is not None

    async def store(self, message: IncomingMessage, leased: bool = False) -> int | None:
        """Store a message in the inbox: its item ID, or None when it was stored before.
        ``leased``: the caller answers it now (the workers leave it alone meanwhile)."""
        assert message.message_id, "stored messages carry their platform message ID"
        now = utcnow()
        try:
            async with self._sessions() as session, session.begin():
                return await session.scalar(
                    insert(InboxItem)
                    .values(
                        platform=message.platform,
                        platform_message_id=message.message_id,
                        message=message_to_json(message),
                        locked_until=now + INBOX_LEASE if leased else None,
                        attempts=1 if leased else 0,
                    )
                    .returning(InboxItem.id)
                )
        except IntegrityError:
            return None

    async def answered_with(self, message: IncomingMessage) -> list[Payload] | None:
        """What was queued in answer to a message stored before (as kept: redacted); None
        while it is still being answered."""
        async with self._sessions() as session:
            item = await session.scalar(
                select(InboxItem).where(
                    InboxItem.platform == message.platform,
                    InboxItem.platform_message_id == message.message_id,
                )
            )
            if item is None or item.status != "done":
                return None
            calls = await session.scalars(
                select(OutboxItem).where(OutboxItem.inbox_id == item.id).order_by(OutboxItem.id)
            )
            return [call.payload for call in calls]

    async def claim_inbound(self, limit: int = 20) -> list[ClaimedMessage]:
        """Pending messages, oldest first, leased to the caller."""
        now = utcnow()
        async with self._sessions() as session, session.begin():
            ids = list(
                await session.scalars(
                    select(InboxItem.id)
                    .where(InboxItem.status == "pending")
                    .where(or_(InboxItem.locked_until.is_(None), InboxItem.locked_until < now))
                    .order_by(InboxItem.id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)
                )
            )
            if not ids:
                return []
            leased = await session.execute(
                update(InboxItem)
                .where(InboxItem.id.in_(ids))
                .values(locked_until=now + INBOX_LEASE, attempts=InboxItem.attempts + 1)
                .returning(InboxItem.id, InboxItem.attempts, InboxItem.message)
            )
            rows = sorted(leased, key=lambda row: row.id)
        return [
            ClaimedMessage(row.id, row.attempts, message_from_json(row.message)) for row in rows
        ]

    async def release_inbound(self, item_id: int, error: str, delay: timedelta) -> None:
        """A failed attempt: try the item again after ``delay``."""
        await self._set_inbox(item_id, locked_until=utcnow() + delay, last_error=error)

    async def dead_letter(self, item_id: int, error: str) -> None:
        """Set an item aside for staff (it failed too often, or cannot be read): it never
        blocks other messages. Only a redacted trace of it is kept."""
        async with self._sessions() as session, session.begin():
            item = await session.get(InboxItem, item_id, with_for_update=True)
            if item is None:
                return
            message = message_from_json(item.message)
            kept = (
                message_to_json(message) | {"text": redact(message.text)}
                if message
                else {"unreadable": redact(str(item.message))[:_UNREADABLE_TRACE_CHARS]}
            )
            item.status, item.last_error, item.message = "dead", error, kept
            item.locked_until = None

    async def dead_letters(self) -> list[InboxItem]:
        async with self._sessions() as session:
            return list(
                await session.scalars(
                    select(InboxItem).where(InboxItem.status == "dead").order_by(InboxItem.id)
                )
            )

    async def retry_dead_letter(self, item_id: int) -> bool:
        """Put a dead letter back in the queue (after the cause was fixed)."""
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(InboxItem)
                .where(InboxItem.id == item_id, InboxItem.status == "dead")
                .values(status="pending", attempts=0, locked_until=None)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def _set_inbox(self, item_id: int, **values: Any) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(update(InboxItem).where(InboxItem.id == item_id).values(**values))

    @staticmethod
    async def complete_inbound(
        session: AsyncSession,
        item_id: int,
        message: IncomingMessage,
        stored_text: str,
        reply: Reply,
    ) -> list[OutboxItem]:
        """In the turn's own transaction: mark the message processed (keeping only
        ``stored_text``, its redacted form) and queue the reply's API calls. Committed with
        the turn or not at all, so a reply is queued exactly once.

        When the caller sends at once and nothing else waits to be sent to the chat, the calls
        are leased to this process and returned: it sends them without waiting for a claim (if
        it dies first, the lease runs out and any process sends them)."""
        now = utcnow()
        completed = await session.execute(
            update(InboxItem)
            .where(InboxItem.id == item_id, InboxItem.status == "pending")
            .values(
                status="done",
                processed_at=now,
                locked_until=None,
                message=message_to_json(message) | {"text": stored_text},
            )
        )
        if not completed.rowcount:  # type: ignore[attr-defined]
            raise AlreadyAnswered(item_id)
        direct = reply.send_at_once and bool(reply.payloads) and not reply.delivered
        if direct:
            direct = not await session.scalar(
                select(
                    exists().where(
                        OutboxItem.platform == message.platform,
                        OutboxItem.chat_id == message.chat_id,
                        OutboxItem.status == "pending",
                    )
                )
            )
        calls = [
            OutboxItem(
                platform=message.platform,
                chat_id=message.chat_id,
                conversation_id=reply.conversation_id,
                inbox_id=item_id,
                payload=redacted_payload(payload) if reply.delivered else payload,
                status="sent" if reply.delivered else "pending",
                sent_at=now if reply.delivered else None,
                next_attempt_at=now + OUTBOX_LEASE if direct else now,
                attempts=1 if direct else 0,
                created_at=now,
            )
            for payload in reply.payloads
        ]
        session.add_all(calls)
        return calls if direct else []

    async def enqueue(self, platform: str, chat_id: str, payloads: Sequence[Payload]) -> None:
        """Queue API calls that answer no particular message (notices)."""
        async with self._sessions() as session, session.begin():
            self.queue(session, platform, chat_id, payloads)

    @staticmethod
    def queue(
        session: AsyncSession,
        platform: str,
        chat_id: str,
        payloads: Sequence[Payload],
        message: Message | None = None,
        conversation_id: int | None = None,
    ) -> None:
        """In the caller's transaction: queue the API calls that deliver ``message`` (a stored
        staff message, whose delivery status the console shows)."""
        session.add_all(
            OutboxItem(
                platform=platform,
                chat_id=chat_id,
                payload=payload,
                message=message,
                conversation_id=conversation_id,
            )
            for payload in payloads
        )

    async def claim_outbound(self, platform: str) -> list[OutboxItem]:
        """Due calls of one platform, oldest first, leased to the caller. Only the first waiting
        call of each chat is taken, so the chunks of a long answer arrive in order."""
        now = utcnow()
        async with self._sessions() as session, session.begin():
            items = list(await session.scalars(_DUE_CALLS, {"platform": platform, "now": now}))
            if items:
                await session.execute(
                    update(OutboxItem)
                    .where(OutboxItem.id.in_([item.id for item in items]))
                    .values(next_attempt_at=now + OUTBOX_LEASE, attempts=OutboxItem.attempts + 1)
                )
        for item in items:  # as stored (the objects are no longer in a session)
            item.next_attempt_at, item.attempts = now + OUTBOX_LEASE, item.attempts + 1
        return items

    async def sent(self, item: OutboxItem, platform_message_id: str | None) -> None:
        """The call went through: only a redacted copy of what it carried is kept."""
        await self._set(
            item.id,
            status="sent",
            sent_at=utcnow(),
            platform_message_id=platform_message_id,
            payload=redacted_payload(item.payload),
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
            inbox = await session.execute(
                select(InboxItem.status, func.count())
                .where(InboxItem.status != "done")
                .group_by(InboxItem.status)
            )
            return (
                counts
                | {"inbox_pending": 0, "inbox_dead": 0}
                | {f"inbox_{status}": n for status, n in inbox}
            )

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
        """A pull platform's undelivered messages for one chat after ``after_id`` (the web chat
        page). The page asking for what came after ``after_id`` confirms it has everything up
        to it: those are marked sent, keeping only a redacted copy."""
        async with self._sessions() as session, session.begin():
            fetched = list(
                await session.scalars(
                    select(OutboxItem)
                    .where(OutboxItem.platform == platform, OutboxItem.chat_id == chat_id)
                    .where(OutboxItem.id <= after_id, OutboxItem.status == "pending")
                    .with_for_update()
                )
            )
            for item in fetched:
                item.status, item.sent_at = "sent", utcnow()
                item.payload = redacted_payload(item.payload)
            result = await session.scalars(
                select(OutboxItem)
                .where(OutboxItem.platform == platform, OutboxItem.chat_id == chat_id)
                .where(OutboxItem.id > after_id, OutboxItem.status == "pending")
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
