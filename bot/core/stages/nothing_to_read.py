"""An empty, emoji- or punctuation-only message: ask for words."""

from __future__ import annotations

from bot.core import catalogue
from bot.core.messages import Action, Event
from bot.core.turn import Turn


class NothingToRead:
    async def __call__(self, turn: Turn) -> None:
        message = turn.message
        if not turn.text.has_words and not message.attachments and message.event is Event.MESSAGE:
            turn.finish(turn.say(catalogue.EMPTY, Action.CLARIFY))
