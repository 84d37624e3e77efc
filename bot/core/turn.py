"""One citizen message on its way through the stages of ``TurnPipeline``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from bot.core import catalogue
from bot.core.conversation import ConversationSnapshot, Dialogue
from bot.core.messages import Action, Entity, IncomingMessage, Intent, OutgoingMessage
from bot.core.normalise import NormalisedText
from bot.core.ports import ConversationRecord
from bot.core.safety import Risk

UNKNOWN_INTENT = Intent("", 0.0)
NOTHING_READ = NormalisedText("", truncated=False)


@dataclass
class Turn:
    """What the stages found out about one message, and the reply once one of them has it.

    ``dialogue`` is a working copy: the pipeline stores it after the turn if a stage changed it.
    """

    message: IncomingMessage
    record: ConversationRecord
    dialogue: Dialogue
    text: NormalisedText = NOTHING_READ
    """What the bot reads: cleaned and cut at ``MAX_MESSAGE_CHARS``."""
    stored_text: str = ""
    """The whole message as kept in the log: cleaned, personal data redacted."""
    redacted: str = ""
    """``text`` with personal data redacted: what NLU sees."""
    risk: Risk = Risk.NONE
    intent: Intent = UNKNOWN_INTENT
    entities: tuple[Entity, ...] = ()
    reply: OutgoingMessage | None = None
    finished: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds each stage took."""

    @property
    def conversation(self) -> ConversationSnapshot:
        return self.record.snapshot

    def say(self, text: str, action: Action, **fields: object) -> OutgoingMessage:
        """A reply to this message (with the notice that a long message was read in part)."""
        prefix = catalogue.TRUNCATED if self.text.truncated else ""
        return OutgoingMessage(
            chat_id=self.message.chat_id,
            text=prefix + text,
            action=action,
            intent=self.intent,
            **fields,  # type: ignore[arg-type]
        )

    def finish(self, reply: OutgoingMessage | None) -> None:
        """End the turn here with ``reply`` (None: the bot stays silent)."""
        self.reply = reply
        self.finished = True


class Stage(Protocol):
    """One step of a turn. It may set ``turn.reply``, or end the turn with ``turn.finish``."""

    async def __call__(self, turn: Turn) -> None: ...


class Handler(Protocol):
    """The answer to one kind of request."""

    async def __call__(self, turn: Turn) -> OutgoingMessage: ...
