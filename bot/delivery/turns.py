"""One turn, one transaction: the citizen's message, everything the turn changed, the reply and
its outbox rows, and the inbox item's completion are committed together, or not at all. A
message whose turn did not commit (a crash, a database error) is still pending in the inbox and
is answered on its next claim; a message already answered is never answered again."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.core.messages import IncomingMessage, OutgoingMessage
from bot.core.pipeline import TurnPipeline
from bot.delivery.store import DeliveryStore, Reply
from bot.metrics import observe_turn
from bot.storage.conversations import ConversationRecords
from bot.storage.models import OutboxItem
from connectors.base import Connector, Payload


@dataclass(frozen=True)
class Answered:
    reply: OutgoingMessage | None
    """The bot's reply; None while staff hold the conversation, and for a message answered
    before (then ``payloads`` is what was queued for it)."""
    payloads: list[Payload]
    """The reply as its platform's API calls."""
    to_send: list[OutboxItem] = field(default_factory=list)
    """Those calls, when this process sends them at once (leased to it)."""


class Turns:
    def __init__(
        self,
        records: ConversationRecords,
        pipeline: TurnPipeline,
        store: DeliveryStore,
        connectors: Mapping[str, Connector],
    ) -> None:
        self._records = records
        self._pipeline = pipeline
        self._store = store
        self._connectors = connectors

    def use(self, pipeline: TurnPipeline) -> None:
        """Answer from now on with ``pipeline`` (a new index generation); a turn under way
        finishes with the one it started with."""
        self._pipeline = pipeline

    async def answer(
        self,
        item_id: int,
        message: IncomingMessage,
        delivered: bool = False,
        send_at_once: bool = False,
    ) -> Answered:
        """Answer a stored inbox item. ``delivered``: the caller hands the reply over itself
        (the web chat's HTTP response), so it is stored as sent. ``send_at_once``: the caller
        sends the reply's calls (``to_send``) itself right after; otherwise the outbound
        workers' claims send them."""
        started = time.perf_counter()
        async with self._records.for_message(message) as conversation:
            opened = time.perf_counter()
            result = await self._pipeline.handle(message, conversation)
            connector = self._connectors.get(message.platform)
            payloads = connector.render(result.reply) if result.reply and connector else []
            reply = Reply(conversation.id, payloads, delivered, send_at_once)
            handled = time.perf_counter()
            to_send = await self._store.complete_inbound(
                conversation.session, item_id, message, result.stored_text, reply
            )
        finished = time.perf_counter()
        transaction = {"Open": opened - started, "Commit": finished - handled}
        observe_turn(message.platform, result, finished - started, transaction)
        return Answered(result.reply, payloads, to_send)

    async def answer_now(self, message: IncomingMessage) -> Answered:
        """Store a message and answer it at once (the web chat, the command line); a message
        sent again (same ID) gets what was queued for it the first time."""
        item_id = await self._store.store(message, leased=True)
        if item_id is None:
            return Answered(None, await self._store.answered_with(message) or [])
        return await self.answer(item_id, message, delivered=True)
