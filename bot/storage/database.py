"""Engine, sessions and schema migrations."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine

from bot.storage.secrets import private_dir

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
SQLITE_BUSY_TIMEOUT_S = 30.0
POOL_SIZE, POOL_OVERFLOW = 10, 30
"""Connections per process: a turn holds one through its transaction, and the inbound
worker runs up to 20 turns side by side while webhooks and the outbox need theirs."""
DATABASE_FILE_MODE = 0o600


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url)
    return config


async def migrate(url: str) -> None:
    """Bring the schema to the newest revision (Alembic's env runs its own event loop)."""
    path = sqlite_path(url)
    if path is not None:
        private_dir(path.parent)
    await asyncio.to_thread(command.upgrade, alembic_config(url), "head")
    if path is not None:
        path.chmod(DATABASE_FILE_MODE)


def sqlite_path(url: str) -> Path | None:
    """The database file of a SQLite URL; None for other databases."""
    return Path(url.split("///", 1)[1]) if url.startswith("sqlite") else None


def _sqlite_pragmas(busy_timeout_s: float) -> Callable[[Any, object], None]:
    """WAL: readers never wait for the writer, and a writer waits (busy timeout, in a worker
    thread) instead of failing at once with "database is locked". ``synchronous=NORMAL``: a
    commit is written to the WAL without waiting for the disk; it survives the process being
    killed, and only a power cut or an operating-system crash may lose the last commits (the
    WAL is synced at each checkpoint). A deployment that must keep every acknowledged
    message through a power cut runs on PostgreSQL."""

    def on_connect(connection: Any, record: object) -> None:
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_s * 1000)}")
        cursor.close()

    return on_connect


class Database:
    def __init__(self, url: str, busy_timeout_s: float = SQLITE_BUSY_TIMEOUT_S) -> None:
        """``busy_timeout_s``: how long a SQLite write waits for another one before failing
        (the request then answers 503 and the platform delivers again)."""
        self.url = url
        on_sqlite = sqlite_path(url) is not None
        self.engine: AsyncEngine = create_async_engine(
            url,
            pool_size=POOL_SIZE,
            max_overflow=POOL_OVERFLOW,
            # pysqlite opens a transaction only for a write, and every session ends its own;
            # the pool's extra rollback on return would cost a trip to aiosqlite's thread.
            pool_reset_on_return=None if on_sqlite else "rollback",
        )
        if on_sqlite:
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas(busy_timeout_s))
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)

    async def is_up(self) -> bool:
        try:
            async with self.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    async def dispose(self) -> None:
        await self.engine.dispose()
