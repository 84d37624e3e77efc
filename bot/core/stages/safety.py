"""Prompt injection and abuse get a calm, in-role answer; the risk is kept for later stages
(self-harm, distress)."""

from __future__ import annotations

from bot.core import catalogue
from bot.core.messages import Action
from bot.core.safety import Risk, classify_risk
from bot.core.turn import Turn

_REFUSALS = {Risk.PROMPT_INJECTION: catalogue.INJECTION, Risk.ABUSE: catalogue.ABUSE}


class Safety:
    async def __call__(self, turn: Turn) -> None:
        turn.risk = classify_risk(turn.text.text)
        if refusal := _REFUSALS.get(turn.risk):
            turn.finish(turn.say(refusal, Action.REFUSE))
