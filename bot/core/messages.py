"""What the core sees of a conversation: platform-neutral incoming and outgoing messages."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

CASE_NUMBER = re.compile(r"\bKN-\d{4}-\d{6}\b", re.IGNORECASE)


class Action(StrEnum):
    """What a reply does, as reported by ``python -m bot ask``."""

    ANSWER = "answer"
    CLARIFY = "clarify"
    COMPLAINT = "complaint"
    HANDOFF = "handoff"
    OUT_OF_SCOPE = "out_of_scope"
    SMALLTALK = "smalltalk"
    REFUSE = "refuse"
    MAINTENANCE = "maintenance"


class Event(StrEnum):
    """What a citizen did; most platforms have more than plain messages."""

    MESSAGE = "message"  # text and/or attachments
    STICKER = "sticker"  # a sticker or GIF: nothing to read
    FOLLOW = "follow"  # started following the account, or /start
    UNFOLLOW = "unfollow"  # stopped following: nothing can be answered
    HELP = "help"  # /help
    STAFF = "staff"  # /nhanvien: asks for a person


@dataclass(frozen=True)
class Attachment:
    kind: str
    url: str
    name: str = ""


@dataclass(frozen=True)
class IncomingMessage:
    """One message from a citizen, whatever platform it came from."""

    platform: str
    chat_id: str
    user_id: str
    text: str
    message_id: str | None = None
    attachments: tuple[Attachment, ...] = ()
    event: Event = Event.MESSAGE


@dataclass(frozen=True)
class Citation:
    doc: str
    article: int
    clause: int | None = None

    def to_json(self) -> dict[str, object]:
        return {"doc": self.doc, "article": self.article, "clause": self.clause}


@dataclass(frozen=True)
class Entity:
    """Something NLU found in the text: a phone number, an amount, a case number…"""

    entity: str
    value: str


@dataclass(frozen=True)
class Intent:
    name: str
    confidence: float

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "confidence": round(self.confidence, 4)}


@dataclass(frozen=True)
class OutgoingMessage:
    """The bot's reply to one incoming message."""

    chat_id: str
    text: str
    action: Action
    citations: tuple[Citation, ...] = ()
    intent: Intent | None = None
    quick_replies: tuple[str, ...] = field(default=())
    sender: str = ""
    """The display name of the staff member who wrote it; empty for the bot."""
