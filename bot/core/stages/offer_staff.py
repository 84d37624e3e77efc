"""Two unclear turns in a row, or a distressed citizen: offer a person."""

from __future__ import annotations

from dataclasses import replace

from bot.core import catalogue
from bot.core.conversation import Expecting
from bot.core.intake import YES_NO
from bot.core.messages import Action
from bot.core.safety import Risk
from bot.core.turn import Turn

UNCLEAR_TURNS_BEFORE_OFFER = 2


class OfferStaffWhenStuck:
    async def __call__(self, turn: Turn) -> None:
        reply, dialogue = turn.reply, turn.dialogue
        if reply is None:
            return
        if reply.action in (Action.HANDOFF, Action.COMPLAINT) or dialogue.expecting:
            dialogue.unclear = 0
            return
        dialogue.unclear = dialogue.unclear + 1 if reply.action is Action.CLARIFY else 0
        stuck = dialogue.unclear >= UNCLEAR_TURNS_BEFORE_OFFER
        if not stuck and turn.risk is not Risk.DISTRESS:
            return
        offer = catalogue.HANDOFF_OFFER if stuck else catalogue.DISTRESS_OFFER
        dialogue.expecting, dialogue.unclear = Expecting.HANDOFF_OFFER, 0
        turn.reply = replace(
            reply, text=f"{reply.text}\n\n{offer}", quick_replies=reply.quick_replies + YES_NO
        )
