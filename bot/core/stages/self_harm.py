"""A citizen at risk of harming themselves: emergency numbers, and a person at once."""

from __future__ import annotations

from bot.core import catalogue
from bot.core.messages import Action
from bot.core.safety import Risk
from bot.core.turn import Handler, Turn


class SelfHarm:
    def __init__(self, human: Handler) -> None:
        self._human = human

    async def __call__(self, turn: Turn) -> None:
        if turn.risk is not Risk.SELF_HARM:
            return
        handed = await self._human(turn)
        turn.finish(turn.say(f"{catalogue.SELF_HARM}\n\n{handed.text}", Action.HANDOFF))
