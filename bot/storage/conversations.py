"""Conversations and their messages, as the turn pipeline records them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import IncomingMessage, OutgoingMessage
from bot.storage.database import Database
from bot.storage.models import Conversation, Message


class ConversationStore:
    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def record_incoming(self, message: IncomingMessage) -> tuple[int, bool]:
        """Store the citizen's message; returns (conversation ID, False if a duplicate delivery)."""
        async with self._sessions() as session, session.begin():
            conversation = await self._conversation(session, message)
            stored = Message(
                conversation_id=conversation.id,
                direction="in",
                platform_message_id=message.message_id,
                text=message.text,
            )
            try:
                async with session.begin_nested():
                    session.add(stored)
            except IntegrityError:
                return conversation.id, False
        return conversation.id, True

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
