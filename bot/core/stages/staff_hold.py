"""While staff hold the conversation the bot is silent, except when the citizen asks to go
back to the bot."""

from __future__ import annotations

from bot.core import catalogue
from bot.core.conversation import State
from bot.core.messages import Action
from bot.core.stages.understand import Understand
from bot.core.turn import Turn
from knowledge_base.text import fold

_BACK_TO_BOT = ("quay lai bot", "quay lai tro ly", "noi chuyen voi bot", "tro ve bot", "gap bot")


class WhileStaffHold:
    def __init__(self, understand: Understand) -> None:
        self._understand = understand

    async def __call__(self, turn: Turn) -> None:
        if turn.conversation.state is State.BOT:
            return
        if turn.text.has_words:
            await self._understand(turn)
        wants_bot = turn.intent.name == "back_to_bot" or any(
            phrase in fold(turn.text.text) for phrase in _BACK_TO_BOT
        )
        if not wants_bot:
            turn.finish(None)
            return
        turn.record.transition(State.BOT, "citizen", "back_to_bot")
        turn.dialogue.clear()
        turn.finish(turn.say(catalogue.BACK_TO_BOT, Action.SMALLTALK))
