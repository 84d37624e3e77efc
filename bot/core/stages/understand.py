"""The intent and entities of the message: from the platform's event, or from NLU (which sees
the text with personal data redacted). Case numbers are read here too, so a citizen can look up
a case while NLU is down."""

from __future__ import annotations

import logging

from bot.core.messages import CASE_NUMBER, Entity, Event, Intent
from bot.core.ports import IntentParser, NluUnavailable
from bot.core.turn import Turn

log = logging.getLogger(__name__)

NLU_UNAVAILABLE = Intent("nlu_unavailable", 0.0)
ATTACHMENT = Intent("attachment", 1.0)
_EVENT_INTENTS = {
    Event.FOLLOW: "greet",
    Event.HELP: "help",
    Event.STAFF: "ask_human",
    Event.STICKER: "sticker",
}


class Understand:
    def __init__(self, parser: IntentParser) -> None:
        self._parser = parser

    async def __call__(self, turn: Turn) -> None:
        if event_intent := _EVENT_INTENTS.get(turn.message.event):
            turn.intent = Intent(event_intent, 1.0)
            return
        if not turn.text.has_words:
            turn.intent = ATTACHMENT
            return
        cases = tuple(Entity("case_number", m.upper()) for m in CASE_NUMBER.findall(turn.text.text))
        try:
            parsed = await self._parser.parse(turn.redacted)
        except NluUnavailable:
            log.warning("NLU unavailable; answering from retrieval only")
            turn.intent, turn.entities = NLU_UNAVAILABLE, cases
            return
        turn.intent = Intent(parsed.intent, parsed.confidence)
        turn.entities = cases + tuple(
            Entity(e.entity, str(e.value)) for e in parsed.entities if e.entity != "case_number"
        )
