"""One turn, one transaction: the process dies at any await of a turn, and the message is still
answered exactly once when it is claimed again."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.messages import IncomingMessage
from bot.delivery.workers import InboundWorker
from bot.nlu.client import RasaClient
from bot.nlu.server import RasaServer
from bot.storage.database import Database, migrate
from bot.storage.models import Case, InboxItem, Message, OutboxItem
from connectors.telegram import TelegramConnector
from knowledge_base.service import KnowledgeBase
from tests.conftest import BotUnderTest, fresh_database_url

pytestmark = pytest.mark.rasa


class Killed(BaseException):
    """The process dying: nothing after it runs, nothing uncommitted is kept."""


class KillAt:
    """Kills the turn at the n-th await of the database or of NLU (0: never)."""

    def __init__(self) -> None:
        self.at = 0
        self.seen = 0

    def wrap(self, method: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def counted(*args: Any, **kwargs: Any) -> Any:
            self.seen += 1
            if self.seen == self.at:
                raise Killed
            return await method(*args, **kwargs)

        return counted


@pytest.fixture
async def rasa(rasa_server: RasaServer) -> AsyncIterator[RasaClient]:
    client = RasaClient(rasa_server.url, rasa_server.token, timeout_s=10.0)
    yield client
    await client.aclose()


async def answered(database: Database) -> tuple[int, int, int, int]:
    """(inbox items done, citizen messages, bot replies, outbox calls)."""
    async with database.sessions() as session:

        async def count(statement: Any) -> int:
            return int(await session.scalar(statement) or 0)

        return (
            await count(select(func.count()).where(InboxItem.status == "done")),
            await count(select(func.count()).where(Message.direction == "in")),
            await count(select(func.count()).where(Message.direction == "out")),
            await count(select(func.count()).select_from(OutboxItem)),
        )


@pytest.mark.parametrize(
    "text", ["mua hàng online bị lỗi có được đổi trả không", "cho tôi gặp cán bộ"]
)
async def test_a_turn_killed_at_any_await_is_answered_once_when_claimed_again(
    tmp_path: Path,
    knowledge_base: KnowledgeBase,
    rasa: RasaClient,
    monkeypatch: pytest.MonkeyPatch,
    text: str,
) -> None:
    telegram = TelegramConnector("123:abc", "secret", "http://127.0.0.1:9/bot")  # renders only
    kill = KillAt()
    for name in ("execute", "scalar", "scalars", "get", "flush", "commit"):
        monkeypatch.setattr(AsyncSession, name, kill.wrap(getattr(AsyncSession, name)))
    monkeypatch.setattr(RasaClient, "parse", kill.wrap(RasaClient.parse))
    points = 0
    while True:
        points += 1
        directory = tmp_path / f"kill-{points}"
        directory.mkdir()
        url = fresh_database_url(directory)
        await migrate(url)
        database = Database(url)
        bot = BotUnderTest(database, knowledge_base, rasa, connectors={"telegram": telegram})
        message = IncomingMessage("telegram", "42", "42", text, message_id="m-1")
        assert await bot.store.accept(message)
        worker = InboundWorker(
            bot.store, bot.turns, asyncio.Event(), asyncio.Event(), max_attempts=5
        )
        kill.at, kill.seen = points, 0
        killed = False
        try:
            await worker.run_once()
        except Killed:
            killed = True
        kill.at = 0
        if killed:
            # The restarted process claims the message again once its lease has run out.
            await _expire_leases(database)
            await worker.run_once()
        assert await answered(database) == (1, 1, 1, 1), f"killed at await {points}"
        async with database.sessions() as session:
            cases = await session.scalar(select(func.count()).select_from(Case))
        assert cases == (1 if "cán bộ" in text else 0), f"killed at await {points}"
        await database.dispose()
        if not killed:
            break
    assert points > 5  # the turn really went through several awaits


async def _expire_leases(database: Database) -> None:
    async with database.sessions() as session, session.begin():
        for item in await session.scalars(select(InboxItem)):
            item.locked_until = None
