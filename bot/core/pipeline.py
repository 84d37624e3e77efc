"""One turn: a literal list of stages (``bot/core/stages/``, assembled in ``bot/runtime.py``) run
over one ``Turn``. Any stage may end the turn with a reply; the runner then keeps the reply and
the dialogue in the conversation's record, and notes each stage's time."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.core import catalogue
from bot.core.messages import Action, IncomingMessage, OutgoingMessage
from bot.core.ports import ConversationRecord
from bot.core.safety import redact
from bot.core.turn import Stage, Turn

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnResult:
    reply: OutgoingMessage | None
    """None while staff hold the conversation, or for an event that needs no answer."""
    stored_text: str
    """The message as the log keeps it (personal data redacted)."""
    timings: dict[str, float]
    """Seconds each stage took, by stage name."""


class TurnPipeline:
    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = tuple(stages)

    async def handle(self, message: IncomingMessage, record: ConversationRecord) -> TurnResult:
        """Run the stages; every change they make goes through ``record``, which the caller
        commits (with the reply's delivery) in one transaction."""
        turn = Turn(message, record, record.snapshot.dialogue.copy())
        try:
            await self._run(turn)
        except Exception:
            log.exception("turn failed in %s chat %s", message.platform, message.chat_id)
            turn.finish(OutgoingMessage(message.chat_id, catalogue.SYSTEM_ERROR, Action.REFUSE))
        if turn.dialogue != record.snapshot.dialogue:
            record.save_dialogue(turn.dialogue)
        if turn.reply is not None:
            # The log keeps replies redacted: a complaint summary repeats the phone number.
            record.record_reply(replace(turn.reply, text=redact(turn.reply.text)))
        return TurnResult(turn.reply, turn.stored_text, turn.timings)

    async def _run(self, turn: Turn) -> None:
        for stage in self.stages:
            started = time.perf_counter()
            await stage(turn)
            turn.timings[type(stage).__name__] = time.perf_counter() - started
            if turn.finished:
                return
