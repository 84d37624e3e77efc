"""The web chat on our own page: JSON in, JSON out.

The page is anonymous; its session is issued by the server (``bot/web/sessions.py``), never
chosen by the page, and is the chat's ID. The page gets the bot's answer in the response to its
POST. Messages that come later (from staff) wait in the outbox, which is the page's mailbox:
sending one only makes it available, and the page fetches what is new from
``/api/chat/updates``.
"""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, Field

from bot.core.messages import IncomingMessage, OutgoingMessage
from connectors.base import BadPayload, Payload, ReplyWindow, read_json, validated

PLATFORM = "web"
MAX_TEXT_CHARS = 4000
"""What the page lets a citizen type; longer posts are refused with a polite message."""


class TooLong(BadPayload):
    """The text is longer than the page allows."""


class WebChatMessage(BaseModel):
    """What the chat page posts."""

    model_config = ConfigDict(strict=True)

    text: str
    message_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")


class WebChatConnector:
    platform = PLATFORM
    push = False
    max_text_chars = 20_000
    reply_window: ReplyWindow | None = None
    per_chat_per_second = 100.0
    overall_per_second = 1000.0
    ready = True
    problem = ""

    @staticmethod
    def message(session: str, body: bytes) -> IncomingMessage:
        """The citizen's message in a POST of the page with session ``session``; BadPayload
        (TooLong for an oversized text) when it cannot be read."""
        posted = validated(WebChatMessage, read_json(body))
        if len(posted.text) > MAX_TEXT_CHARS:
            raise TooLong(f"{len(posted.text)} characters")
        return IncomingMessage(
            platform=PLATFORM,
            chat_id=session,
            user_id=session,
            text=posted.text,
            # The page sends an ID so that a retried POST is recognised; other clients get one.
            message_id=posted.message_id or uuid.uuid4().hex,
        )

    def render(self, message: OutgoingMessage) -> list[Payload]:
        return [
            {
                "text": message.text,
                "action": message.action.value,
                "citations": [c.to_json() for c in message.citations],
                "quick_replies": list(message.quick_replies),
                "sender": message.sender,
            }
        ]

    async def send(self, chat_id: str, payload: Payload) -> str | None:
        return None

    async def start(self) -> bool:
        return True

    async def aclose(self) -> None:
        """Nothing to release."""
