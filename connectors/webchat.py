"""The web chat on our own page: JSON in, JSON out.

The page gets the bot's answer in the response to its POST. Messages that come later (from staff)
wait in the outbox, which is the page's mailbox: sending one only makes it available, and the
page fetches what is new from ``/api/chat/updates``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pydantic import BaseModel, Field, ValidationError

from bot.core.messages import IncomingMessage, OutgoingMessage
from connectors.base import BadPayload, Payload, ReplyWindow

PLATFORM = "web"


class WebChatMessage(BaseModel):
    """What the chat page posts. Oversized text is accepted here and cut by the pipeline."""

    session: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    text: str = Field(max_length=20_000)
    message_id: str | None = Field(default=None, max_length=64)


class WebChatConnector:
    platform = PLATFORM
    max_text_chars = 20_000
    reply_window: ReplyWindow | None = None
    per_chat_per_second = 100.0
    overall_per_second = 1000.0

    def verify(self, body: bytes, headers: Mapping[str, str]) -> None:
        """The page is ours and anonymous: the session ID is the chat."""

    async def parse(self, body: bytes) -> list[IncomingMessage]:
        try:
            payload = WebChatMessage.model_validate(json.loads(body))
        except (ValueError, ValidationError) as error:
            raise BadPayload(str(error)) from error
        message = IncomingMessage(
            platform=PLATFORM,
            chat_id=payload.session,
            user_id=payload.session,
            text=payload.text,
            message_id=payload.message_id,
        )
        return [message]

    def render(self, message: OutgoingMessage) -> list[Payload]:
        return [
            {
                "text": message.text,
                "action": message.action.value,
                "citations": [c.to_json() for c in message.citations],
                "quick_replies": list(message.quick_replies),
            }
        ]

    async def send(self, chat_id: str, payload: Payload) -> str | None:
        return None

    async def aclose(self) -> None:
        """Nothing to release."""
