"""If the bot is in the middle of something (the complaint form, a yes/no question, a rating),
the message answers that first."""

from __future__ import annotations

from bot.core import catalogue
from bot.core.answers import parse_rating, yes_or_no
from bot.core.conversation import Expecting
from bot.core.intake import ComplaintIntake
from bot.core.messages import Action, OutgoingMessage
from bot.core.turn import Handler, Turn
from knowledge_base.text import fold

_MORE = {"xem them", "them", "chi tiet", "xem chi tiet", "doc them"}


class ContinueDialogue:
    def __init__(self, intake: ComplaintIntake, human: Handler) -> None:
        self._intake = intake
        self._human = human

    async def __call__(self, turn: Turn) -> None:
        if more := turn.dialogue.more:
            turn.dialogue.more = ""
            if fold(turn.text.text).strip(" .!?") in _MORE:
                turn.finish(turn.say(more, Action.ANSWER))
                return
        turn.reply = await self._continue(turn)

    async def _continue(self, turn: Turn) -> OutgoingMessage | None:
        expecting = turn.dialogue.expecting
        if expecting is Expecting.FORM:
            return await self._intake.on_form_answer(turn)
        if expecting is Expecting.CONSENT:
            return await self._intake.on_consent_answer(turn)
        if expecting is Expecting.COMPLAINT_OFFER:
            return await self._intake.on_offer_answer(turn)
        if expecting is Expecting.RATING:
            return await self._on_rating(turn)
        if expecting is Expecting.HANDOFF_OFFER:
            turn.dialogue.expecting = Expecting.NOTHING
            answer = yes_or_no(turn.text.text, turn.intent.name)
            if answer:
                return await self._human(turn)
            if answer is False:
                return turn.say(catalogue.OFFER_DECLINED, Action.SMALLTALK)
        return None

    @staticmethod
    async def _on_rating(turn: Turn) -> OutgoingMessage | None:
        """After a resolved case: a 1–5 rating is stored; anything else is a new request."""
        case_number = turn.dialogue.case
        turn.dialogue.clear()
        rating = parse_rating(turn.text.text)
        if rating is None:
            return None
        await turn.record.rate_case(case_number, rating)
        return turn.say(catalogue.RATING_THANKS, Action.SMALLTALK)
