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

from tenacity import AsyncRetrying, retry_if_exception_type, wait_exponential

from bot.core import catalogue
from bot.core.catalogue import CASE_KINDS, label
from bot.core.messages import Action, IncomingMessage, OutgoingMessage
from bot.core.safety import redact
from bot.delivery.pacing import Limits, LocalPacing, Pacing
from bot.delivery.store import AlreadyAnswered, ClaimedMessage, DeliveryStore
from bot.delivery.turns import Turns
from bot.metrics import DELIVERIES, PLATFORM_ERRORS
from bot.storage.models import Case, OutboxItem, utcnow
from connectors.base import Connector, DeliveryFailed, Payload

log = logging.getLogger(__name__)
_ERROR_CHARS = 500
_MAX_DOUBLINGS = 30
_RECORD_RETRY_CAP_S = 5.0
GATHER_S = 0.01
"""Once woken, a worker waits this long before it claims, so that one claim takes a burst."""
TURNS_AT_ONCE = 16
"""Messages this process answers side by side; the others wait their turn in memory (a burst
beyond what the process can do would otherwise slow every turn down)."""


SendNow = Callable[[list[OutboxItem]], Awaitable[None]]


class InboundWorker:
    """Answers stored messages: the pipeline's reply, rendered for its platform, into the outbox.

    Each message is answered on its own: one that fails is tried again later, and after
    ``max_attempts`` (or at once when it cannot even be read) it is set aside as a dead letter
    for staff, so it never holds up the chat's next messages or anyone else's.

    A message this process stored itself (``take``) is answered at once, after the chat's
    earlier ones, and its reply sent at once (``send_now``); the claims pick up the rest:
    messages whose process died, retries, other processes' expired leases."""

    def __init__(
        self,
        store: DeliveryStore,
        turns: Turns,
        wake: asyncio.Event,
        queued: asyncio.Event,
        max_attempts: int,
        backoff: Backoff | None = None,
        send_now: Mapping[str, SendNow] | None = None,
    ) -> None:
        """``wake`` is set when a message is stored; this worker sets ``queued`` when it queues
        API calls. ``send_now``: by platform, what sends a reply's calls at once."""
        self._store = store
        self._turns = turns
        self._wake = wake
        self._queued = queued
        self._max_attempts = max_attempts
        self._backoff = backoff or Backoff()
        self._send_now = send_now or {}
        self._turns_at_once = asyncio.Semaphore(TURNS_AT_ONCE)
        self._chats: dict[tuple[str, str], asyncio.Task[None]] = {}
        """The last message taken of each chat, still being answered."""

    def take(self, item_id: int, message: IncomingMessage) -> None:
        """Answer a message this process stored (leased to it) as soon as the chat's earlier
        messages are answered."""
        chat = (message.platform, message.chat_id)
        earlier = self._chats.get(chat)
        item = ClaimedMessage(item_id, 1, message)
        task = asyncio.create_task(self._after(earlier, item))
        self._chats[chat] = task
        task.add_done_callback(lambda done: self._forget(chat, done))

    async def _after(self, earlier: asyncio.Task[None] | None, item: ClaimedMessage) -> None:
        if earlier is not None:
            await asyncio.wait([earlier])
        async with self._turns_at_once:
            await self._answer_in_order([item])

    def _forget(self, chat: tuple[str, str], task: asyncio.Task[None]) -> None:
        if self._chats.get(chat) is task:
            del self._chats[chat]

    async def stop(self) -> None:
        """Cancel the answers in progress (their messages stay leased, then pending)."""
        tasks = list(self._chats.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def run_once(self) -> int:
        """Answer what is pending: chats side by side, each chat's messages in order."""
        claimed = await self._store.claim_inbound()
        chats: dict[tuple[str, str], list[ClaimedMessage]] = {}
        for item in claimed:
            chat = (item.message.platform, item.message.chat_id) if item.message else ("", "")
            chats.setdefault(chat, []).append(item)
        await asyncio.gather(*(self._answer_in_order(items) for items in chats.values()))
        return len(claimed)

    async def _answer_in_order(self, items: list[ClaimedMessage]) -> None:
        for item in items:
            try:
                await self._answer(item)
            except AlreadyAnswered:
                log.info("inbox %s was answered by another turn", item.id)
            except Exception as error:  # one message's failure must not stop the others
                await self._failed(item, error)

    async def _answer(self, item: ClaimedMessage) -> None:
        if item.message is None:
            raise UnreadableMessage("the stored message cannot be read")
        send_now = self._send_now.get(item.message.platform)
        answered = await self._turns.answer(
            item.id, item.message, send_at_once=send_now is not None
        )
        if answered.to_send and send_now is not None:
            try:
                await send_now(answered.to_send)
            except Exception:  # answered all the same: the calls are made once their lease ends
                log.exception("could not send the reply to inbox %s at once", item.id)
        if answered.payloads:
            self._queued.set()

    async def _failed(self, item: ClaimedMessage, error: Exception) -> None:
        reason = f"{type(error).__name__}: {redact(str(error))}"[:_ERROR_CHARS]
        give_up = item.message is None or item.attempts >= self._max_attempts
        log.exception("inbox %s failed (attempt %s): %s", item.id, item.attempts, reason)
        try:
            if give_up:
                await self._store.dead_letter(item.id, reason)
            else:
                await self._store.release_inbound(
                    item.id, reason, self._backoff.delay(item.attempts, None)
                )
        except Exception:  # the database itself is failing: the lease runs out, then a retry
            log.exception("could not record the failure of inbox %s", item.id)

    async def run(self, poll_s: float = 1.0) -> None:
        await _loop(self.run_once, self._wake, poll_s)


class UnreadableMessage(Exception):
    """A stored message that is not one (written before validation at the edge existed)."""


class Backoff:
    """Exponential backoff with jitter, capped; the platform's ``retry_after`` wins."""

    def __init__(self, base_s: float = 1.0, cap_s: float = 300.0) -> None:
        self._base_s = base_s
        self._cap_s = cap_s

    def delay(self, attempts: int, retry_after: float | None) -> timedelta:
        if retry_after is not None:
            return timedelta(seconds=retry_after)
        ceiling = min(self._cap_s, self._base_s * 2 ** min(attempts - 1, _MAX_DOUBLINGS))
        return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


class OutboundWorker:
    """Makes one platform's queued API calls within its rate limits, retrying failures for as
    long as a reply is still useful (``give_up_after``; Zalo's reply window too), then marks
    them failed for staff to see.

    A call that went through is never made again because recording it failed: the record is
    retried, and until it is stored this worker remembers the call as sent."""

    def __init__(
        self,
        store: DeliveryStore,
        connector: Connector,
        wake: asyncio.Event,
        give_up_after: timedelta,
        backoff: Backoff | None = None,
        pacing: Pacing | None = None,
    ) -> None:
        """``pacing``: the platform's rate limits (default: this process's calls only)."""
        self._store = store
        self._connector = connector
        self._wake = wake
        self._give_up_after = give_up_after
        self._backoff = backoff or Backoff()
        self._pacing = pacing or LocalPacing(
            Limits(connector.overall_per_second, connector.per_chat_per_second)
        )
        self._sent_unrecorded: dict[int, str | None] = {}
        """Calls made whose record failed, by outbox ID: the platform's message ID."""

    async def run_once(self) -> int:
        claimed = await self._store.claim_outbound(self._connector.platform)
        await asyncio.gather(*(self._send(item) for item in claimed))
        return len(claimed)

    async def send_now(self, calls: list[OutboxItem]) -> None:
        """Send one reply's calls (leased to this process) in order; stop at one that does not
        go through (it is retried, the later ones follow it)."""
        for call in calls:
            if not await self._send(call):
                return

    async def _send(self, item: OutboxItem) -> bool:
        """True when the call went through."""
        if item.id in self._sent_unrecorded:
            await self._record_sent(item, self._sent_unrecorded[item.id])
            return True
        if reason := await self._outside_reply_window(item):
            await self._store.failed(item.id, reason)
            return False
        await self._pacing.wait_turn(item.chat_id)
        try:
            message_id = await self._connector.send(item.chat_id, item.payload)
        except DeliveryFailed as failure:
            await self._failed(item, failure)
            return False
        except Exception as error:  # a bug must not stop delivery of other messages
            log.exception("send failed unexpectedly (outbox %s)", item.id)
            await self._failed(item, DeliveryFailed(repr(error)))
            return False
        DELIVERIES.labels(self._connector.platform, "sent").inc()
        self._sent_unrecorded[item.id] = message_id
        await self._record_sent(item, message_id)
        return True

    async def _record_sent(self, item: OutboxItem, message_id: str | None) -> None:
        async for attempt in AsyncRetrying(
            wait=wait_exponential(max=_RECORD_RETRY_CAP_S), retry=retry_if_exception_type(Exception)
        ):
            with attempt:
                await self._store.sent(item, message_id)
        del self._sent_unrecorded[item.id]

    async def _failed(self, item: OutboxItem, failure: DeliveryFailed) -> None:
        platform = self._connector.platform
        kind = "permanent" if failure.permanent else "temporary"
        PLATFORM_ERRORS.labels(platform, "rate_limited" if failure.retry_after else kind).inc()
        too_late = utcnow() - item.created_at > self._give_up_after
        if failure.permanent or too_late:
            log.warning("outbox %s failed after %s attempts: %s", item.id, item.attempts, failure)
            DELIVERIES.labels(platform, "failed").inc()
            await self._store.failed(item.id, failure.reason)
            return
        DELIVERIES.labels(platform, "retry").inc()
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
        text = catalogue.STAFF_NOTICE.format(
            number=case.number,
            kind=label(CASE_KINDS, case.kind),
            link=f"{self._console_url}/console/conversations/{case.conversation_id}",
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
            await asyncio.sleep(GATHER_S)
