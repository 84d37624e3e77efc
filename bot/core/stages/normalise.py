"""Clean the message, cut what the bot reads, redact personal data once for everything after."""

from __future__ import annotations

from bot.core.normalise import clean, cut
from bot.core.safety import redact
from bot.core.turn import Turn


class Normalise:
    def __init__(self, max_message_chars: int) -> None:
        self._max_chars = max_message_chars

    async def __call__(self, turn: Turn) -> None:
        cleaned = clean(turn.message.text)
        turn.text = cut(cleaned, self._max_chars)
        turn.stored_text = redact(cleaned)
        turn.redacted = cut(turn.stored_text, self._max_chars).text
