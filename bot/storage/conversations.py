"""Conversations in the database: each turn, and each staff action, works on one conversation in
one transaction (``StoredConversation``, the core's ``ConversationRecord``)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.conversation import (
    CaseView,
    ConversationSnapshot,
    Dialogue,
    State,
    check_move,
)
from bot.core.messages import Attachment as IncomingAttachment
from bot.core.messages import IncomingMessage, OutgoingMessage
from bot.storage.database import Database
from bot.storage.models import Attachment, Case, Conversation, Message, StateTransition, utcnow

PLACEHOLDER_HEX_CHARS = 20
"""A new case's number until its ID makes the real one: unique, within the column's 32
characters (PostgreSQL enforces the length; SQLite does not)."""


def case_number(case_id: int, year: int) -> str:
    return f"KN-{year}-{case_id:06d}"


class ConversationNotFound(Exception):
    pass


class StoredConversation:
    """One conversation, locked for one transaction (``SELECT … FOR UPDATE`` on PostgreSQL;
    SQLite has one writer at a time). Changes are written when the transaction commits, so a
    SQLite write lock is held only that long."""

    def __init__(
        self, session: AsyncSession, row: Conversation, message: IncomingMessage | None = None
    ) -> None:
        self.session = session
        self.row = row
        self._message = message
        self._snapshot = ConversationSnapshot(
            row.platform, row.chat_id, State(row.state), Dialogue.from_json(row.dialogue)
        )

    @property
    def snapshot(self) -> ConversationSnapshot:
        return self._snapshot

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def state(self) -> State:
        return State(self.row.state)

    async def cases(self) -> list[CaseView]:
        return [_case_view(case) for case in await self.case_rows()]

    async def case_rows(self) -> list[Case]:
        return list(
            await self.session.scalars(
                select(Case).where(Case.conversation_id == self.row.id).order_by(Case.id)
            )
        )

    async def newest_case(self) -> Case | None:
        cases = await self.case_rows()
        return cases[-1] if cases else None

    def record_incoming(self, text: str, attachments: Sequence[IncomingAttachment]) -> None:
        message_id = self._message.message_id if self._message else None
        self.session.add(
            Message(
                conversation_id=self.row.id,
                direction="in",
                platform_message_id=message_id,
                text=text,
            )
        )
        self.session.add_all(
            Attachment(conversation_id=self.row.id, kind=a.kind, url=a.url, name=a.name)
            for a in attachments
        )

    def record_reply(self, reply: OutgoingMessage) -> None:
        self.session.add(
            Message(
                conversation_id=self.row.id,
                direction="out",
                text=reply.text,
                action=reply.action.value,
                intent=reply.intent.name if reply.intent else None,
                confidence=reply.intent.confidence if reply.intent else None,
                citations=[c.to_json() for c in reply.citations],
            )
        )

    def record_staff_message(self, text: str, author: str, action: str) -> Message:
        """A message staff (or the system, for them) sent to the citizen (``text`` redacted)."""
        message = Message(
            conversation_id=self.row.id, direction="out", text=text, action=action, author=author
        )
        self.session.add(message)
        return message

    def save_dialogue(self, dialogue: Dialogue) -> None:
        self.row.dialogue = dialogue.to_json()
        self.row.updated_at = utcnow()

    def transition(self, to_state: State, actor: str, reason: str) -> None:
        from_state = State(self.row.state)
        check_move(from_state, to_state)
        self.row.state = to_state.value
        self.session.add(
            StateTransition(
                conversation_id=self.row.id,
                from_state=from_state.value,
                to_state=to_state.value,
                actor=actor,
                reason=reason,
            )
        )

    async def open_case(
        self, kind: str, reason: str, fields: dict[str, object], consent_at: datetime | None
    ) -> str:
        """Create a case; with consent, the conversation's files not yet in a case join it."""
        case = Case(
            number=f"pending-{uuid.uuid4().hex[:PLACEHOLDER_HEX_CHARS]}",
            conversation_id=self.row.id,
            kind=kind,
            reason=reason,
            fields=fields,
            consent_at=consent_at,
        )
        self.session.add(case)
        await self.session.flush()  # the case's ID makes its number
        case.number = case_number(case.id, utcnow().year)
        if consent_at is not None:
            await self.session.execute(
                update(Attachment)
                .where(Attachment.conversation_id == self.row.id)
                .where(Attachment.case_id.is_(None))
                .values(case_id=case.id)
            )
        return case.number

    async def rate_case(self, number: str, rating: int) -> None:
        await self.session.execute(
            update(Case)
            .where(Case.number == number, Case.conversation_id == self.row.id)
            .values(rating=rating)
        )


class ConversationRecords:
    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    @asynccontextmanager
    async def for_message(self, message: IncomingMessage) -> AsyncIterator[StoredConversation]:
        """The conversation a message belongs to (a new one for a new chat), in a transaction
        that commits when the block ends without an error."""
        the_chat = select(Conversation).where(
            Conversation.platform == message.platform, Conversation.chat_id == message.chat_id
        )
        for _ in range(2):  # a new chat: its conversation is created, then the turn begins
            async with self._sessions() as session, session.begin():
                session.autoflush = False
                row = await session.scalar(the_chat.with_for_update())
                if row is not None:
                    yield StoredConversation(session, row, message)
                    return
            await self._create(message)
        raise ConversationNotFound(message.chat_id)

    async def _create(self, message: IncomingMessage) -> None:
        """A new chat's conversation, in a transaction of its own before the turn's: the turn's
        transaction then writes nothing before it commits, so on SQLite it holds the write lock
        for the commit only, not through the NLU call and the search; and no turn ever waits
        for a second connection while holding one."""
        with suppress(IntegrityError):  # another process created it at the same moment
            async with self._sessions() as session, session.begin():
                session.add(
                    Conversation(
                        platform=message.platform,
                        chat_id=message.chat_id,
                        user_id=message.user_id,
                        state=State.BOT.value,
                    )
                )

    @asynccontextmanager
    async def by_id(self, conversation_id: int) -> AsyncIterator[StoredConversation]:
        """A conversation by its ID (for staff), in a transaction like ``for_message``."""
        async with self._sessions() as session, session.begin():
            session.autoflush = False
            row = await session.get(Conversation, conversation_id, with_for_update=True)
            if row is None:
                raise ConversationNotFound(conversation_id)
            yield StoredConversation(session, row)

    async def cases(self, conversation_id: int) -> list[Case]:
        async with self._sessions() as session:
            return list(
                await session.scalars(
                    select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id)
                )
            )

    async def attachment(self, attachment_id: int) -> Attachment | None:
        async with self._sessions() as session:
            return await session.get(Attachment, attachment_id)

    async def case_attachments(self, number: str) -> list[Attachment]:
        async with self._sessions() as session:
            return list(
                await session.scalars(select(Attachment).join(Case).where(Case.number == number))
            )

    async def transitions(self, conversation_id: int) -> list[StateTransition]:
        async with self._sessions() as session:
            return list(
                await session.scalars(
                    select(StateTransition)
                    .where(StateTransition.conversation_id == conversation_id)
                    .order_by(StateTransition.id)
                )
            )

    async def transcript(self, platform: str, chat_id: str) -> list[Message]:
        async with self._sessions() as session:
            return list(
                await session.scalars(
                    select(Message)
                    .join(Conversation)
                    .where(Conversation.platform == platform, Conversation.chat_id == chat_id)
                    .order_by(Message.id)
                )
            )


def _case_view(case: Case) -> CaseView:
    return CaseView(case.number, case.kind, case.status, case.outcome, case.created_at)
