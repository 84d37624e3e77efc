"""Two bot processes sharing one PostgreSQL database: every message answered exactly once.

Each "process" has its own engine, pipeline, Telegram connector and workers, as two `serve`
processes would; they race for the same inbox and outbox rows."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.core.messages import IncomingMessage
from bot.delivery.store import DeliveryStore
from bot.delivery.workers import InboundWorker, OutboundWorker
from bot.nlu.client import RasaClient
from bot.nlu.server import RasaServer
from bot.storage.database import Database, migrate
from bot.storage.models import InboxItem, OutboxItem
from connectors.telegram import TelegramConnector
from knowledge_base.service import KnowledgeBase
from tests.conftest import BotUnderTest
from tests.fakes.telegram_api import TOKEN, FakeBotApi
from tests.postgres import postgres_server

pytestmark = pytest.mark.rasa

CHATS = 60
GREETINGS = ["xin chào", "cảm ơn bạn", "bạn là ai", "tạm biệt nhé"]


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres_server() as url:
        yield url


async def one_process(
    url: str, api: FakeBotApi, knowledge_base: KnowledgeBase, rasa: RasaServer
) -> AsyncIterator[Database]:
    database = Database(url)
    client = RasaClient(rasa.url, rasa.token, timeout_s=5.0)
    telegram = TelegramConnector(TOKEN, "secret", api.base_url, timeout_s=5.0)
    await telegram.start()
    bot = BotUnderTest(database, knowledge_base, client, connectors={"telegram": telegram})
    wake, queued = asyncio.Event(), asyncio.Event()
    workers = [
        InboundWorker(bot.store, bot.turns, wake, queued, max_attempts=5),
        OutboundWorker(bot.store, telegram, queued, give_up_after=timedelta(hours=1)),
    ]
    tasks = [asyncio.create_task(worker.run(poll_s=0.05)) for worker in workers]
    try:
        yield database
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await telegram.aclose()
        await client.aclose()
        await database.dispose()


async def test_two_processes_answer_every_message_once(
    postgres_url: str, knowledge_base: KnowledgeBase, rasa_server: RasaServer
) -> None:
    await migrate(postgres_url)
    async with FakeBotApi() as api:
        first = one_process(postgres_url, api, knowledge_base, rasa_server)
        second = one_process(postgres_url, api, knowledge_base, rasa_server)
        database = await anext(first)
        await anext(second)
        store = DeliveryStore(database)
        messages = [
            IncomingMessage("telegram", str(9000 + n), str(9000 + n), GREETINGS[n % 4], f"u{n}")
            for n in range(CHATS)
        ]
        accepted = await asyncio.gather(*(store.accept(m) for m in messages + messages[:10]))
        assert accepted.count(True) == CHATS
        deadline = time.monotonic() + 60
        while len({p["chat_id"] for p in api.calls_of("sendMessage")}) < CHATS:
            assert time.monotonic() < deadline, "not every chat was answered"
            await asyncio.sleep(0.1)
        await asyncio.sleep(1.0)
        per_chat = Counter(str(p["chat_id"]) for p in api.calls_of("sendMessage"))
        assert set(per_chat.values()) == {1}, "a chat was answered twice"
        async with database.sessions() as session:
            assert await session.scalar(select(func.count()).where(InboxItem.attempts != 1)) == 0
            assert (
                await session.scalar(select(func.count()).where(OutboxItem.status != "sent")) == 0
            )
        for process in (first, second):
            await process.aclose()
