"""Keep the citizen's message (redacted) and its files in the conversation."""

from __future__ import annotations

from bot.core.messages import Event
from bot.core.turn import Turn


class Record:
    async def __call__(self, turn: Turn) -> None:
        turn.record.record_incoming(turn.stored_text, turn.message.attachments)
        if turn.message.event is Event.UNFOLLOW:
            turn.finish(None)  # nobody to answer
