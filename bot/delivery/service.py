"""Platform delivery as one running service: the webhook intake, the inbound worker, one
outbound worker per platform that is sent to, start-up retries and Telegram polling."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from bot.core.messages import IncomingMessage
from bot.delivery.pacing import Pacing
from bot.delivery.store import DeliveryStore
from bot.delivery.turns import Turns
from bot.delivery.workers import Backoff, InboundWorker, OutboundWorker, StaffNotifier
from bot.settings import Settings
from connectors.base import Connector, WebhookConnector

START_RETRY_S = 5.0


@dataclass
class Delivery:
    store: DeliveryStore
    connectors: Mapping[str, Connector]
    webhooks: Mapping[str, WebhookConnector] = field(default_factory=dict)
    """The connectors that take ``/webhooks/<platform>``."""
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    answer: Callable[[int, IncomingMessage], None] | None = None
    """Answers a message stored (and leased) here; None: the inbound worker claims it."""

    async def store_one(self, message: IncomingMessage) -> None:
        """Store one message fetched by polling (a redelivered one is ignored)."""
        await self._keep(message)

    async def _keep(self, message: IncomingMessage) -> bool:
        """Store a new message and have it answered; False for a redelivery."""
        item_id = await self.store.store(message, leased=self.answer is not None)
        if item_id is None:
            return False
        if self.answer is not None:
            self.answer(item_id, message)
        else:
            self.wake.set()
        return True

    async def accept(self, connector: WebhookConnector, body: bytes) -> int:
        """Store the messages of an authentic webhook body; returns how many were new.
        Raises the connector's BadPayload or PlatformUnavailable."""
        return sum([await self._keep(message) for message in await connector.parse(body)])


@asynccontextmanager
async def running_delivery(
    store: DeliveryStore,
    turns: Turns,
    connectors: Mapping[str, Connector],
    settings: Settings,
    pacing: Callable[[Connector], Pacing] | None = None,
) -> AsyncIterator[Delivery]:
    """Workers run while the context is open; they resume whatever was left pending.
    ``pacing``: each platform's rate limits (default: this process's calls only)."""
    webhooks = {p: c for p, c in connectors.items() if isinstance(c, WebhookConnector)}
    delivery = Delivery(store, connectors, webhooks)
    queued = asyncio.Event()
    backoff = Backoff(cap_s=settings.delivery_backoff_cap_s)
    give_up_after = timedelta(hours=settings.delivery_give_up_h)
    outbound = {
        platform: OutboundWorker(
            delivery.store, c, queued, give_up_after, backoff, pacing and pacing(c)
        )
        for platform, c in connectors.items()
        if c.push
    }
    inbound = InboundWorker(
        delivery.store,
        turns,
        delivery.wake,
        queued,
        max_attempts=settings.inbox_max_attempts,
        backoff=backoff,
        send_now={platform: worker.send_now for platform, worker in outbound.items()},
    )
    delivery.answer = inbound.take
    workers: list[InboundWorker | OutboundWorker | StaffNotifier] = [inbound, *outbound.values()]
    tasks = [
        asyncio.create_task(start_when_reachable(c)) for c in connectors.values() if not c.ready
    ]
    if "telegram" in connectors and not settings.telegram_webhook_secret:
        # No webhook secret: no public URL either, so fetch updates by long polling instead.
        tasks.append(asyncio.create_task(poll_telegram(connectors["telegram"], delivery)))
    if settings.telegram_staff_chat_id and "telegram" in connectors:
        workers.append(
            StaffNotifier(
                delivery.store,
                connectors["telegram"],
                settings.telegram_staff_chat_id,
                settings.public_url,
            )
        )
    tasks += [asyncio.create_task(worker.run()) for worker in workers]
    try:
        yield delivery
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await inbound.stop()


async def start_when_reachable(connector: Connector, retry_s: float = START_RETRY_S) -> None:
    """Retry a connector's start-up until its platform answers."""
    while not await connector.start():
        await asyncio.sleep(retry_s)


async def poll_telegram(telegram: Connector, delivery: Delivery) -> None:
    """Long-poll Telegram once the connector is ready."""
    from connectors.telegram import TelegramConnector

    assert isinstance(telegram, TelegramConnector)
    while not telegram.ready:
        await asyncio.sleep(START_RETRY_S)
    await telegram.run_polling(delivery.store_one)
