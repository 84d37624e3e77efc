"""Conversations, their messages, state transitions, cases and attachments."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import Attachment as IncomingAttachment
from bot.core.messages import ConversationSnapshot, IncomingMessage, OutgoingMessage
from bot.storage.database import Database
from bot.storage.models import Attachment, Case, Conversation, Message, StateTransition, utcnow


def case_number(case_id: int, year: int) -> str:
    return f"KN-{year}-{case_id:06d}"


class ConversationStore:
    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def record_incoming(
        self, message: IncomingMessage, stored_text: str
    ) -> tuple[ConversationSnapshot, bool]:
        """Store the citizen's message (``stored_text``: already redacted for the log) and its
        attachments; returns the conversation and False if this is a duplicate delivery."""
        async with self._sessions() as session, session.begin():
            conversation = await self._conversation(session, message)
            stored = Message(
                conversation_id=conversation.id,
                direction="in",
                platform_message_id=message.message_id,
                text=stored_text,
            )
            try:
                async with session.begin_nested():
                    session.add(stored)
            except IntegrityError:
                return _snapshot(conversation), False
            session.add_all(_attachments(conversation.id, message.attachments))
        return _snapshot(conversation), True

    async def record_outgoing(self, conversation_id: int, reply: OutgoingMessage) -> None:
        async with self._sessions() as session, session.begin():
            session.add(
                Message(
                    conversation_id=conversation_id,
                    direction="out",
                    text=reply.text,
                    action=reply.action.value,
                    intent=reply.intent.name if reply.intent else None,
                    confidence=reply.intent.confidence if reply.intent else None,
                    citations=[c.to_json() for c in reply.citations],
                )
            )

    async def save_dialogue(self, conversation_id: int, dialogue: dict[str, object]) -> None:
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Conversation)
                .where(Conversation.id == conversation_id)
                .values(dialogue=dialogue or None, updated_at=utcnow())
            )

    async def transition(self, conversation_id: int, to_state: str, actor: str, reason: str) -> str:
        """Move the conversation to ``to_state``, recording who and why; returns the old state."""
        async with self._sessions() as session, session.begin():
            conversation = await session.get(Conversation, conversation_id, with_for_update=True)
            assert conversation is not None
            from_state = conversation.state
            conversation.state = to_state
            session.add(
                StateTransition(
                    conversation_id=conversation_id,
                    from_state=from_state,
                    to_state=to_state,
                    actor=actor,
                    reason=reason,
                )
            )
        return from_state

    async def open_case(
        self,
        conversation_id: int,
        kind: str,
        reason: str,
        fields: dict[str, object],
        consent_at: datetime | None,
    ) -> str:
        """Create a case, attach the conversation's unattached files, return its number."""
        async with self._sessions() as session, session.begin():
            case = Case(
                number=f"pending-{uuid.uuid4().hex}",
                conversation_id=conversation_id,
                kind=kind,
                reason=reason,
                fields=fields,
                consent_at=consent_at,
            )
            session.add(case)
            await session.flush()
            case.number = case_number(case.id, utcnow().year)
            if consent_at is not None:
                await session.execute(
                    update(Attachment)
                    .where(Attachment.conversation_id == conversation_id)
                    .where(Attachment.case_id.is_(None))
                    .values(case_id=case.id)
                )
            return case.number

    async def find_case(self, number: str, conversation_id: int) -> Case | None:
        """A case by number, only if it belongs to this conversation (no one else's cases)."""
        async with self._sessions() as session:
            return await session.scalar(
                select(Case).where(Case.number == number, Case.conversation_id == conversation_id)
            )

    async def rate_case(self, number: str, conversation_id: int, rating: int) -> None:
        """The citizen's 1–5 rating of the help on a resolved case of their conversation."""
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Case)
                .where(Case.number == number, Case.conversation_id == conversation_id)
                .values(rating=rating)
            )

    async def cases(self, conversation_id: int) -> list[Case]:
        async with self._sessions() as session:
            result = await session.scalars(
                select(Case).where(Case.conversation_id == conversation_id).order_by(Case.id)
            )
            return list(result)

    async def case_attachments(self, case_number_: str) -> list[Attachment]:
        async with self._sessions() as session:
            result = await session.scalars(
                select(Attachment).join(Case).where(Case.number == case_number_)
            )
            return list(result)

    async def transitions(self, conversation_id: int) -> list[StateTransition]:
        async with self._sessions() as session:
            result = await session.scalars(
                select(StateTransition)
                .where(StateTransition.conversation_id == conversation_id)
                .order_by(StateTransition.id)
            )
            return list(result)

    async def transcript(self, platform: str, chat_id: str) -> list[Message]:
        async with self._sessions() as session:
            result = await session.execute(
                select(Message)
                .join(Conversation)
                .where(Conversation.platform == platform, Conversation.chat_id == chat_id)
                .order_by(Message.id)
            )
            return list(result.scalars())

    @staticmethod
    async def _conversation(session: AsyncSession, message: IncomingMessage) -> Conversation:
        found = await session.scalar(
            select(Conversation).where(
                Conversation.platform == message.platform, Conversation.chat_id == message.chat_id
            )
        )
        if found:
            return found
        conversation = Conversation(
            platform=message.platform, chat_id=message.chat_id, user_id=message.user_id
        )
        session.add(conversation)
        await session.flush()
        return conversation


def _snapshot(conversation: Conversation) -> ConversationSnapshot:
    return ConversationSnapshot(
        id=conversation.id,
        platform=conversation.platform,
        chat_id=conversation.chat_id,
        state=conversation.state,
        dialogue=dict(conversation.dialogue or {}),
    )


def _attachments(
    conversation_id: int, attachments: tuple[IncomingAttachment, ...]
) -> list[Attachment]:
    return [
        Attachment(conversation_id=conversation_id, kind=a.kind, url=a.url, name=a.name)
        for a in attachments
    ]
