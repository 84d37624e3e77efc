"""One turn: persist, normalise, understand, route, handle, persist the reply."""

from __future__ import annotations

import logging
from typing import Protocol

from bot.core import replies
from bot.core.handlers import Turn
from bot.core.messages import Action, IncomingMessage, Intent, OutgoingMessage
from bot.core.normalise import normalise
from bot.core.router import Router
from bot.nlu.client import NluUnavailable
from bot.storage.conversations import ConversationStore

log = logging.getLogger(__name__)

NLU_UNAVAILABLE = Intent("nlu_unavailable", 0.0)


class ParsedIntent(Protocol):
    intent: str
    confidence: float


class IntentParser(Protocol):
    async def parse(self, text: str) -> ParsedIntent: ...


class Understand:
    """The NLU stage; when Rasa is down the turn goes on with an unknown intent."""

    def __init__(self, parser: IntentParser) -> None:
        self._parser = parser

    async def __call__(self, text: str) -> Intent:
        try:
            parsed = await self._parser.parse(text)
        except NluUnavailable:
            log.warning("NLU unavailable; answering from retrieval only")
            return NLU_UNAVAILABLE
        return Intent(parsed.intent, parsed.confidence)


class TurnPipeline:
    def __init__(
        self,
        store: ConversationStore,
        understand: Understand,
        router: Router,
        max_message_chars: int,
    ) -> None:
        self._store = store
        self._understand = understand
        self._router = router
        self._max_message_chars = max_message_chars

    async def handle(self, message: IncomingMessage) -> OutgoingMessage | None:
        """The reply to ``message``, or None when it is a duplicate delivery already answered."""
        conversation_id, is_new = await self._store.record_incoming(message)
        if not is_new:
            return None
        try:
            reply = await self._reply(message)
        except Exception:
            log.exception("turn failed in conversation %s", conversation_id)
            reply = OutgoingMessage(message.chat_id, replies.SYSTEM_ERROR, Action.REFUSE)
        await self._store.record_outgoing(conversation_id, reply)
        return reply

    async def _reply(self, message: IncomingMessage) -> OutgoingMessage:
        text = normalise(message.text, self._max_message_chars)
        if not text.has_words:
            return OutgoingMessage(message.chat_id, replies.EMPTY, Action.CLARIFY)
        intent = await self._understand(text.text)
        return await self._router.route(Turn(message, text, intent))
