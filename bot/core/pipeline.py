"""One turn: persist, normalise, check safety, understand, continue the dialogue or route,
handle, persist the reply. Every stage is small; this module reads like the process."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Protocol

from bot.core import replies
from bot.core.answers import parse_rating, yes_or_no
from bot.core.handlers import Handler, Turn
from bot.core.intake import YES_NO, ComplaintIntake
from bot.core.messages import (
    CASE_NUMBER,
    Action,
    ConversationSnapshot,
    Entity,
    Event,
    IncomingMessage,
    Intent,
    OutgoingMessage,
    State,
)
from bot.core.normalise import MAX_STORED_CHARS, NormalisedText, normalise
from bot.core.router import Router
from bot.core.safety import Risk, classify_risk, redact
from bot.nlu.client import NluUnavailable
from bot.storage.conversations import ConversationStore
from knowledge_base.text import fold

log = logging.getLogger(__name__)

NLU_UNAVAILABLE = Intent("nlu_unavailable", 0.0)
_EVENT_INTENTS = {
    Event.FOLLOW: "greet",
    Event.HELP: "help",
    Event.STAFF: "ask_human",
    Event.STICKER: "sticker",
}
_BACK_TO_BOT = ("quay lai bot", "quay lai tro ly", "noi chuyen voi bot", "tro ve bot", "gap bot")


class ParsedEntity(Protocol):
    entity: str
    value: str


class ParsedIntent(Protocol):
    intent: str
    confidence: float
    entities: tuple[ParsedEntity, ...]


class IntentParser(Protocol):
    async def parse(self, text: str) -> ParsedIntent: ...


class Understand:
    """The NLU stage. Rasa sees the text with personal data redacted; case numbers are read
    here too, so a citizen can look up a case when Rasa is down (then the intent is unknown)."""

    def __init__(self, parser: IntentParser) -> None:
        self._parser = parser

    async def __call__(self, text: str) -> tuple[Intent, tuple[Entity, ...]]:
        cases = tuple(Entity("case_number", m.upper()) for m in CASE_NUMBER.findall(text))
        try:
            parsed = await self._parser.parse(redact(text))
        except NluUnavailable:
            log.warning("NLU unavailable; answering from retrieval only")
            return NLU_UNAVAILABLE, cases
        entities = tuple(
            Entity(e.entity, str(e.value)) for e in parsed.entities if e.entity != "case_number"
        )
        return Intent(parsed.intent, parsed.confidence), cases + entities


class TurnPipeline:
    def __init__(
        self,
        store: ConversationStore,
        understand: Understand,
        router: Router,
        intake: ComplaintIntake,
        human: Handler,
        max_message_chars: int,
    ) -> None:
        self._store = store
        self._understand = understand
        self._router = router
        self._intake = intake
        self._human = human
        self._max_message_chars = max_message_chars

    async def handle(self, message: IncomingMessage) -> OutgoingMessage | None:
        """The reply to ``message``; None for a duplicate delivery, or while staff hold the
        conversation (the message is stored for them)."""
        message = replace(message, text=message.text[:MAX_STORED_CHARS])
        conversation, is_new = await self._store.record_incoming(message, redact(message.text))
        if not is_new:
            return None
        try:
            reply = await self._reply(message, conversation)
        except Exception:
            log.exception("turn failed in conversation %s", conversation.id)
            reply = OutgoingMessage(message.chat_id, replies.SYSTEM_ERROR, Action.REFUSE)
        if reply is not None:
            await self._store.record_outgoing(conversation.id, _redacted(reply))
        return reply

    async def _reply(
        self, message: IncomingMessage, conversation: ConversationSnapshot
    ) -> OutgoingMessage | None:
        text = normalise(message.text, self._max_message_chars)
        if message.event is Event.UNFOLLOW:
            return None
        if conversation.state != State.BOT:
            return await self._while_staff_hold(message, conversation, text)
        event_intent = _EVENT_INTENTS.get(message.event)
        if not text.has_words and not message.attachments and not event_intent:
            return OutgoingMessage(message.chat_id, replies.EMPTY, Action.CLARIFY)
        risk = classify_risk(text.text)
        if risk is Risk.PROMPT_INJECTION:
            return OutgoingMessage(message.chat_id, replies.INJECTION, Action.REFUSE)
        if risk is Risk.ABUSE:
            return OutgoingMessage(message.chat_id, replies.ABUSE, Action.REFUSE)
        if event_intent:
            intent, entities = Intent(event_intent, 1.0), ()
        elif text.has_words:
            intent, entities = await self._understand(text.text)
        else:
            intent, entities = Intent("attachment", 1.0), ()
        turn = Turn(message, text, intent, conversation, dict(conversation.dialogue), entities)
        if risk is Risk.SELF_HARM:
            reply = await self._human(turn)
            reply = turn.reply(f"{replies.SELF_HARM}\n\n{reply.text}", Action.HANDOFF)
        else:
            reply = await self._continue_dialogue(turn) or await self._router.route(turn)
            reply = self._offer_staff_when_stuck(turn, reply, risk)
        if turn.dialogue != conversation.dialogue:
            await self._store.save_dialogue(conversation.id, turn.dialogue)
        return reply

    async def _continue_dialogue(self, turn: Turn) -> OutgoingMessage | None:
        """Answer within what the bot is in the middle of, if anything."""
        expecting = turn.dialogue.get("expecting")
        if expecting == "form":
            return await self._intake.on_form_answer(turn)
        if expecting == "consent":
            return await self._intake.on_consent_answer(turn)
        if expecting == "complaint_offer":
            return await self._intake.on_offer_answer(turn)
        if expecting == "rating":
            return await self._on_rating(turn)
        if expecting == "handoff_offer":
            answer = yes_or_no(turn.text.text, turn.intent.name)
            turn.dialogue.pop("expecting")
            if answer:
                return await self._human(turn)
            if answer is False:
                return turn.reply(replies.OFFER_DECLINED, Action.SMALLTALK)
        return None

    async def _on_rating(self, turn: Turn) -> OutgoingMessage | None:
        """After a resolved case: a 1–5 rating is stored; anything else is a new request."""
        case_number = str(turn.dialogue.pop("case", ""))
        turn.dialogue.pop("expecting")
        rating = parse_rating(turn.text.text)
        if rating is None:
            return None
        await self._store.rate_case(case_number, turn.conversation.id, rating)
        return turn.reply(replies.RATING_THANKS, Action.SMALLTALK)

    @staticmethod
    def _offer_staff_when_stuck(turn: Turn, reply: OutgoingMessage, risk: Risk) -> OutgoingMessage:
        """Two unclear turns in a row, or a distressed citizen: offer a person."""
        if reply.action in (Action.HANDOFF, Action.COMPLAINT) or turn.dialogue.get("expecting"):
            turn.dialogue.pop("unclear", None)
            return reply
        unclear = int(turn.dialogue.get("unclear", 0)) + 1 if reply.action is Action.CLARIFY else 0
        turn.dialogue["unclear"] = unclear
        if unclear >= 2 or risk is Risk.DISTRESS:
            offer = replies.HANDOFF_OFFER if unclear >= 2 else replies.DISTRESS_OFFER
            turn.dialogue.update(expecting="handoff_offer", unclear=0)
            return turn.reply(
                f"{reply.text}\n\n{offer}",
                reply.action,
                citations=reply.citations,
                quick_replies=YES_NO,
            )
        if not unclear:
            turn.dialogue.pop("unclear")
        return reply

    async def _while_staff_hold(
        self, message: IncomingMessage, conversation: ConversationSnapshot, text: NormalisedText
    ) -> OutgoingMessage | None:
        """Silent, except for the citizen's explicit wish to go back to the bot."""
        intent, _ = await self._understand(text.text) if text.has_words else (NLU_UNAVAILABLE, ())
        wants_bot = intent.name == "back_to_bot" or any(p in fold(text.text) for p in _BACK_TO_BOT)
        if not wants_bot:
            return None
        await self._store.transition(conversation.id, State.BOT, "citizen", "back_to_bot")
        await self._store.save_dialogue(conversation.id, {})
        return OutgoingMessage(
            message.chat_id, replies.BACK_TO_BOT, Action.SMALLTALK, intent=intent
        )


def _redacted(reply: OutgoingMessage) -> OutgoingMessage:
    """The reply as the log keeps it (a complaint summary repeats the phone number)."""
    return replace(reply, text=redact(reply.text))
