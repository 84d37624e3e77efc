"""A conversation as staff read it: messages, attachments and the delivery of staff messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from bot.storage.database import Database
from bot.storage.models import (
    Attachment,
    Case,
    CaseNote,
    Conversation,
    ConversationRead,
    Message,
    OutboxItem,
    StaffUser,
    StateTransition,
)

IMAGE_KINDS = {"photo", "image"}


@dataclass
class Entry:
    at: datetime
    who: str  # "citizen", "bot" or "staff:<username>"
    text: str = ""
    citations: list[dict[str, object]] = field(default_factory=list)
    attachment: Attachment | None = None
    delivery: str = ""  # pending | sent | failed, for messages staff sent
    error: str = ""

    @property
    def is_image(self) -> bool:
        return bool(self.attachment and self.attachment.kind in IMAGE_KINDS)


async def transcript(database: Database, conversation_id: int) -> list[Entry]:
    async with database.sessions() as session:
        messages = list(
            await session.scalars(select(Message).where(Message.conversation_id == conversation_id))
        )
        attachments = list(
            await session.scalars(
                select(Attachment).where(Attachment.conversation_id == conversation_id)
            )
        )
        calls = list(
            await session.scalars(
                select(OutboxItem).where(OutboxItem.message_id.in_([m.id for m in messages]))
            )
        )
    by_message: dict[int, list[OutboxItem]] = {}
    for call in calls:
        by_message.setdefault(call.message_id or 0, []).append(call)
    entries = [_entry(m, by_message.get(m.id, [])) for m in messages]
    entries += [Entry(a.created_at, "citizen", attachment=a) for a in attachments]
    entries.sort(key=lambda e: e.at)
    return entries


def _entry(message: Message, calls: list[OutboxItem]) -> Entry:
    who = "citizen" if message.direction == "in" else (message.author or "bot")
    entry = Entry(message.created_at, who, message.text, list(message.citations or []))
    statuses = {c.status for c in calls}
    if "failed" in statuses:
        entry.delivery = "failed"
        entry.error = next((c.last_error or "" for c in calls if c.status == "failed"), "")
    elif "pending" in statuses:
        entry.delivery = "pending"
    elif statuses:
        entry.delivery = "sent"
    return entry


@dataclass(frozen=True)
class FailedDelivery:
    at: datetime
    text: str
    error: str

    @property
    def outside_reply_window(self) -> bool:
        return self.error.startswith("outside_reply_window")


async def failed_deliveries(
    database: Database, platform: str, chat_id: str
) -> list[FailedDelivery]:
    """Calls to this citizen the outbox gave up on (bot answers and notices included), e.g.
    outside Zalo's free-reply window or after a user blocked the account."""
    async with database.sessions() as session:
        items = await session.scalars(
            select(OutboxItem)
            .where(OutboxItem.platform == platform, OutboxItem.chat_id == chat_id)
            .where(OutboxItem.status == "failed")
            .order_by(OutboxItem.id)
        )
        return [
            FailedDelivery(i.created_at, _payload_text(i.payload), i.last_error or "")
            for i in items
        ]


def _payload_text(payload: dict[str, object]) -> str:
    """The text of a platform call (Telegram: ``text``; Zalo: ``message.text``)."""
    message = payload.get("message")
    text = message.get("text") if isinstance(message, dict) else payload.get("text")
    return str(text or "")


@dataclass(frozen=True)
class EarlierCase:
    """A case the same citizen (the same account on the same platform) had before."""

    case: Case
    notes: list[tuple[CaseNote, str]]


@dataclass(frozen=True)
class ConversationView:
    """A conversation's page: the conversation, its newest case, the case's notes (with their
    authors' names), the state history and the citizen's earlier cases."""

    conversation: Conversation
    case: Case | None
    notes: list[tuple[CaseNote, str]]
    transitions: list[StateTransition]
    earlier: list[EarlierCase]


async def conversation_view(database: Database, conversation_id: int) -> ConversationView:
    async with database.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        assert conversation is not None, "checked visible by the caller"
        same_citizen = select(Conversation.id).where(
            Conversation.platform == conversation.platform,
            Conversation.user_id == conversation.user_id,
        )
        cases = list(
            await session.scalars(
                select(Case)
                .where(Case.conversation_id.in_(same_citizen))
                .order_by(Case.created_at.desc(), Case.id.desc())
            )
        )
        mine = [c for c in cases if c.conversation_id == conversation_id]
        case = mine[0] if mine else None
        notes: dict[int, list[tuple[CaseNote, str]]] = {}
        for note, name in await session.execute(
            select(CaseNote, StaffUser.display_name)
            .join(StaffUser, StaffUser.id == CaseNote.author_id)
            .where(CaseNote.case_id.in_([c.id for c in cases]))
            .order_by(CaseNote.id)
        ):
            notes.setdefault(note.case_id, []).append((note, name))
        transitions = await session.scalars(
            select(StateTransition)
            .where(StateTransition.conversation_id == conversation_id)
            .order_by(StateTransition.id)
        )
        return ConversationView(
            conversation,
            case,
            notes.get(case.id, []) if case else [],
            list(transitions),
            [EarlierCase(c, notes.get(c.id, [])) for c in cases if c is not case],
        )


async def mark_read(database: Database, conversation_id: int, staff_id: int) -> None:
    """Everything in the conversation so far has been seen by this staff member (written only
    when something new was: open pages call this every second)."""
    async with database.sessions() as session:
        newest = await session.scalar(
            select(func.max(Message.id)).where(Message.conversation_id == conversation_id)
        )
        known = await session.get(ConversationRead, (conversation_id, staff_id))
    if newest is None or (known is not None and known.last_message_id >= newest):
        return
    try:
        async with database.sessions() as session, session.begin():
            if known is None:
                session.add(
                    ConversationRead(
                        conversation_id=conversation_id, staff_id=staff_id, last_message_id=newest
                    )
                )
            else:
                await session.execute(
                    update(ConversationRead)
                    .where(ConversationRead.conversation_id == conversation_id)
                    .where(ConversationRead.staff_id == staff_id)
                    .where(ConversationRead.last_message_id < newest)
                    .values(last_message_id=newest)
                )
    except IntegrityError:
        pass  # another page of the same staff member added the row at that moment: it is right
