"""The web chat on our own page: JSON in, JSON out."""

from __future__ import annotations

from pydantic import BaseModel, Field

from bot.core.messages import IncomingMessage, OutgoingMessage

PLATFORM = "web"


class WebChatMessage(BaseModel):
    """What the chat page posts. Oversized text is accepted here and cut by the pipeline."""

    session: str = Field(pattern=r"^[A-Za-z0-9_-]{8,64}$")
    text: str = Field(max_length=20_000)
    message_id: str | None = Field(default=None, max_length=64)


def to_incoming(payload: WebChatMessage) -> IncomingMessage:
    return IncomingMessage(
        platform=PLATFORM,
        chat_id=payload.session,
        user_id=payload.session,
        text=payload.text,
        message_id=payload.message_id,
    )


def to_json(reply: OutgoingMessage) -> dict[str, object]:
    return {
        "text": reply.text,
        "action": reply.action.value,
        "citations": [c.to_json() for c in reply.citations],
        "quick_replies": list(reply.quick_replies),
    }
