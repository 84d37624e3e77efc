"""What the core needs from the outside, as protocols; adapters in ``bot/storage`` and
``bot/nlu`` implement them, and the composition root (``bot/runtime.py``) plugs them in."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from bot.core.conversation import CaseView, ConversationSnapshot, Dialogue, State
from bot.core.messages import Attachment, OutgoingMessage

Clock = Callable[[], datetime]


class NluUnavailable(Exception):
    """The intent parser gave no usable answer (not running, too slow, an error)."""


class ParsedEntity(Protocol):
    entity: str
    value: str


class ParsedIntent(Protocol):
    intent: str
    confidence: float
    entities: Sequence[ParsedEntity]


class IntentParser(Protocol):
    async def parse(self, text: str) -> ParsedIntent:
        """Intent and entities of ``text``; raises NluUnavailable."""


class MaintenanceSwitch(Protocol):
    async def notice(self) -> str | None:
        """The operator's notice while the service is under maintenance; None otherwise."""


class ConversationRecord(Protocol):
    """One conversation within one transaction (a turn, or a staff action): what it holds, and
    the changes made to it, which are stored together or not at all."""

    @property
    def snapshot(self) -> ConversationSnapshot: ...

    async def cases(self) -> list[CaseView]:
        """The conversation's cases, oldest first."""

    def record_incoming(self, text: str, attachments: Sequence[Attachment]) -> None:
        """Keep the citizen's message (``text`` already redacted) and its files."""

    def record_reply(self, reply: OutgoingMessage) -> None:
        """Keep the bot's reply (its text already redacted)."""

    def save_dialogue(self, dialogue: Dialogue) -> None: ...

    def transition(self, to_state: State, actor: str, reason: str) -> None:
        """Move the conversation, recording who and why; raises MoveNotAllowed."""

    async def open_case(
        self, kind: str, reason: str, fields: dict[str, object], consent_at: datetime | None
    ) -> str:
        """Open a case (with the conversation's files not yet in one); returns its number."""

    async def rate_case(self, number: str, rating: int) -> None:
        """The citizen's 1–5 rating of one of the conversation's cases."""
