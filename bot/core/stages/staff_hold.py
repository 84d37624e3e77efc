"""While staff hold the conversation (or it waits for them) the bot is silent, except when the
citizen asks to go back to the bot, or asks where their case stands (answered at once: staff may
be busy, and the status is the bot's to tell)."""

from __future__ import annotations

from bot.core import catalogue
from bot.core.conversation import State
from bot.core.messages import Action
from bot.core.stages.understand import Understand
from bot.core.turn import Handler, Turn
from knowledge_base.text import fold

_BACK_TO_BOT = ("quay lai bot", "quay lai tro ly", "noi chuyen voi bot", "tro ve bot", "gap bot")
CASE_STATUS_INTENT = "check_case_status"


class WhileStaffHold:
    def __init__(self, understand: Understand, case_status: Handler, confidence_floor: float):
        self._understand = understand
        self._case_status = case_status
        self._confidence_floor = confidence_floor

    async def __call__(self, turn: Turn) -> None:
        if turn.conversation.state is State.BOT:
            return
        if turn.text.has_words:
            await self._understand(turn)
        if self._asks_case_status(turn):
            turn.finish(await self._case_status(turn))
            return
        wants_bot = turn.intent.name == "back_to_bot" or any(
            phrase in fold(turn.text.text) for phrase in _BACK_TO_BOT
        )
        if not wants_bot:
            turn.finish(None)
            return
        turn.record.transition(State.BOT, "citizen", "back_to_bot")
        turn.dialogue.clear()
        turn.finish(turn.say(catalogue.BACK_TO_BOT, Action.SMALLTALK))

    def _asks_case_status(self, turn: Turn) -> bool:
        sure = turn.intent.confidence >= self._confidence_floor
        asked = turn.intent.name == CASE_STATUS_INTENT and sure
        return asked or any(e.entity == "case_number" for e in turn.entities)
