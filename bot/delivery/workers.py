"""The two delivery loops: answer stored messages, then make the queued API calls.

Both take their work from the database, so a restarted process resumes whatever was pending
and several processes can share one PostgreSQL database.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta

from aiolimiter import AsyncLimiter

from bot.core.messages import Action, IncomingMessage, OutgoingMessage
from bot.core.pipeline import TurnPipeline
from bot.delivery.store import DeliveryStore
from bot.storage.models import Case, OutboxItem, utcnow
from connectors.base import Connector, DeliveryFailed, Payload

log = logging.getLogger(__name__)


class InboundWorker:
    """Answers stored messages: the pipeline's reply, rendered for its platform, into the outbox."""

    def __init__(
        self,
        store: DeliveryStore,
        pipeline: TurnPipeline,
        connectors: Mapping[str, Connector],
        wake: asyncio.Event,
        queued: asyncio.Event,
    ) -> None:
        """``wake`` is set when a message is stored; this worker sets ``queued`` when it queues
        API calls."""
        self._store = store
        self._pipeline = pipeline
        self._connectors = connectors
        self._wake = wake
        self._queued = queued

    async def run_once(self) -> int:
        """Answer what is pending: chats side by side, each chat's messages in order."""
        claimed = await self._store.claim_inbound()
        chats: dict[tuple[str, str], list[tuple[int, IncomingMessage]]] = {}
        for item_id, message in claimed:
            chats.setdefault((message.platform, message.chat_id), []).append((item_id, message))
        await asyncio.gather(*(self._answer_in_order(items) for items in chats.values()))
        return len(claimed)

    async def _answer_in_order(self, items: list[tuple[int, IncomingMessage]]) -> None:
        for item_id, message in items:
            await self._answer(item_id, message)

    async def _answer(self, item_id: int, message: IncomingMessage) -> None:
        reply = await self._pipeline.handle(message)
        connector = self._connectors.get(message.platform)
        payloads = connector.render(reply) if reply is not None and connector else []
        await self._store.complete_inbound(item_id, message, payloads)
        if payloads:
            self._queued.set()

    async def run(self, poll_s: float = 1.0) -> None:
        await _loop(self.run_once, self._wake, poll_s)


class Backoff:
    """Exponential backoff with jitter, capped; the platform's ``retry_after`` wins."""

    def __init__(self, base_s: float = 1.0, cap_s: float = 300.0) -> None:
        self._base_s = base_s
        self._cap_s = cap_s

    def delay(self, attempts: int, retry_after: float | None) -> timedelta:
        if retry_after is not None:
            return timedelta(seconds=retry_after)
        ceiling = min(self._cap_s, self._base_s * 2 ** (attempts - 1))
        return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


class OutboundWorker:
    """Makes one platform's queued API calls within its rate limits, retrying failures."""

    def __init__(
        self,
        store: DeliveryStore,
        connector: Connector,
        wake: asyncio.Event,
        backoff: Backoff | None = None,
        max_attempts: int = 6,
    ) -> None:
        self._store = store
        self._connector = connector
        self._wake = wake
        self._backoff = backoff or Backoff()
        self._max_attempts = max_attempts
        self._overall = AsyncLimiter(connector.overall_per_second, 1.0)
        self._per_chat: dict[str, AsyncLimiter] = {}

    async def run_once(self) -> int:
        claimed = await self._store.claim_outbound(self._connector.platform)
        await asyncio.gather(*(self._send(item) for item in claimed))
        return len(claimed)

    async def _send(self, item: OutboxItem) -> None:
        if reason := await self._outside_reply_window(item):
            await self._store.failed(item.id, reason)
            return
        async with self._chat_limiter(item.chat_id), self._overall:
            try:
                message_id = await self._connector.send(item.chat_id, item.payload)
            except DeliveryFailed as failure:
                await self._failed(item, failure)
                return
            except Exception as error:  # a bug must not stop delivery of other messages
                log.exception("send failed unexpectedly (outbox %s)", item.id)
                await self._failed(item, DeliveryFailed(repr(error)))
                return
        await self._store.sent(item.id, message_id)

    async def _failed(self, item: OutboxItem, failure: DeliveryFailed) -> None:
        if failure.permanent or item.attempts >= self._max_attempts:
            log.warning("outbox %s failed after %s attempts: %s", item.id, item.attempts, failure)
            await self._store.failed(item.id, failure.reason)
            return
        delay = self._backoff.delay(item.attempts, failure.retry_after)
        await self._store.retry(item.id, failure.reason, delay)

    async def _outside_reply_window(self, item: OutboxItem) -> str:
        window = self._connector.reply_window
        if window is None:
            return ""
        last_in, sent = await self._store.reply_window(item.platform, item.chat_id)
        if last_in is None or utcnow() - last_in > timedelta(hours=window.hours):
            return f"outside_reply_window: the citizen last wrote over {window.hours:g} h ago"
        if sent >= window.max_replies:
            return f"outside_reply_window: {window.max_replies} free replies already sent"
        return ""

    def _chat_limiter(self, chat_id: str) -> AsyncLimiter:
        if len(self._per_chat) > 10_000:
            self._per_chat.clear()
        per_second = self._connector.per_chat_per_second
        return self._per_chat.setdefault(chat_id, AsyncLimiter(1, 1.0 / per_second))

    async def run(self, poll_s: float = 1.0) -> None:
        await _loop(self.run_once, self._wake, poll_s)


class StaffNotifier:
    """Tells the staff group (a Telegram chat) of each new handoff, with a link to the console."""

    def __init__(
        self, store: DeliveryStore, telegram: Connector, chat_id: str, console_url: str
    ) -> None:
        self._store = store
        self._telegram = telegram
        self._chat_id = chat_id
        self._console_url = console_url.rstrip("/")

    def notice(self, case: Case) -> list[Payload]:
        kind = "khiếu nại" if case.kind == "complaint" else "yêu cầu gặp cán bộ"
        text = (
            f"Hồ sơ mới {case.number} ({kind}) đang chờ cán bộ.\n"
            f"{self._console_url}/console/conversations/{case.conversation_id}"
        )
        return self._telegram.render(OutgoingMessage(self._chat_id, text, Action.HANDOFF))

    async def run_once(self) -> int:
        platform = self._telegram.platform
        return await self._store.queue_staff_notices(platform, self._chat_id, self.notice)

    async def run(self, poll_s: float = 2.0) -> None:
        await _loop(self.run_once, asyncio.Event(), poll_s)


async def _loop(step: Callable[[], Awaitable[int]], wake: asyncio.Event, poll_s: float) -> None:
    """Run ``step`` until cancelled; sleep when idle until woken or ``poll_s`` passes."""
    while True:
        try:
            done = await step()
        except Exception:
            log.exception("delivery step failed; retrying")
            done = 0
        if not done:
            wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), poll_s)
