"""Platform rate limits: every call waits its turn within the platform's overall limit and the
per-chat limit. One process (SQLite) paces in memory; several processes sharing PostgreSQL pace
through the database, so that together they stay within what the platform allows."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from typing import Protocol

from aiolimiter import AsyncLimiter
from sqlalchemy import case
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.storage.database import Database
from bot.storage.models import SendRate

MAX_CHAT_LIMITERS = 10_000
"""In-memory per-chat limiters kept before they are dropped (each holds a second of state)."""


@dataclass(frozen=True)
class Limits:
    overall_per_second: float
    per_chat_per_second: float


class Pacing(Protocol):
    async def wait_turn(self, chat_id: str) -> None:
        """Return when a call to ``chat_id`` may be made (the slot is then taken)."""


class LocalPacing:
    """This process's calls only (one bot process)."""

    def __init__(self, limits: Limits) -> None:
        self._limits = limits
        self._overall = AsyncLimiter(limits.overall_per_second, 1.0)
        self._per_chat: dict[str, AsyncLimiter] = {}

    async def wait_turn(self, chat_id: str) -> None:
        if len(self._per_chat) > MAX_CHAT_LIMITERS:
            self._per_chat.clear()
        chat = self._per_chat.setdefault(
            chat_id, AsyncLimiter(1, 1.0 / self._limits.per_chat_per_second)
        )
        await chat.acquire()
        await self._overall.acquire()


class SharedPacing:
    """Every process's calls of one platform, through the database: the generic cell rate
    algorithm, one row per key. A call reserves the next slot of the platform and of its chat in
    one short transaction and sleeps until the later of the two."""

    def __init__(self, database: Database, platform: str, limits: Limits) -> None:
        self._sessions = database.sessions
        self._dialect = postgresql if database.engine.dialect.name == "postgresql" else sqlite
        self._platform = platform
        self._limits = limits

    async def wait_turn(self, chat_id: str) -> None:
        overall = 1.0 / self._limits.overall_per_second
        per_chat = 1.0 / self._limits.per_chat_per_second
        now = time.time()
        async with self._sessions() as session, session.begin():
            waits = [
                await self._reserve(session, key, interval, burst, now)
                for key, interval, burst in (
                    (self._platform, overall, self._limits.overall_per_second),
                    (f"{self._platform}:{chat_id}", per_chat, 1.0),
                )
            ]
        await asyncio.sleep(max(waits))

    async def _reserve(
        self, session: AsyncSession, key: str, interval: float, burst: float, now: float
    ) -> float:
        """Take the next slot of ``key``; the seconds to wait for it (``burst`` calls may go at
        once after a quiet second)."""
        insert = self._dialect.insert(SendRate).values(key=key, next_at=now + interval)
        later = case((SendRate.next_at > now, SendRate.next_at), else_=now) + interval
        statement = insert.on_conflict_do_update(
            index_elements=[SendRate.key], set_={"next_at": later}
        ).returning(SendRate.next_at)
        next_at = float((await session.execute(statement)).scalar_one())
        return max(0.0, next_at - now - burst * interval)
