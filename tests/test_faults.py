"""Hostile input and faults against the real app: an oversized message, a poison message, a
platform outage, a locked or unavailable database, a platform down at start-up. Nothing is lost,
nothing is sent twice, and no message holds up another."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.console.auth import Accounts
from bot.core import catalogue
from bot.settings import Settings
from bot.storage.database import Database, sqlite_path
from bot.storage.models import InboxItem, OutboxItem
from tests.conftest import sqlite_only, unused_port
from tests.console_support import PASSWORD, Client
from tests.console_support import eventually as until
from tests.fakes.loopback import serving
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.zalo_api import signed_webhook
from tests.platform_support import (
    APP_ID,
    OA_SECRET,
    Platforms,
    bot_url,
    eventually,
    platforms,
    post_telegram,
    post_zalo,
    telegram_text,
    telegram_texts,
    zalo_text,
)

pytestmark = pytest.mark.rasa
__all__ = ["bot_url", "platforms"]  # the fixtures, imported for pytest


@asynccontextmanager
async def app_with(platforms: Platforms, **changes: object) -> AsyncIterator[str]:
    settings = platforms.settings.model_copy(update=changes)
    async with serving(create_app(settings, lambda _: None), lifespan="on") as url:
        yield url


LOCK_WAIT_S = 30.0


def write_when_free(connection: sqlite3.Connection, sql: str, *parameters: object) -> None:
    """Run ``sql`` once the app's own writes (its workers write every second) let it.

    SQLite answers "locked" at once, without its busy wait, in some WAL states (a read
    snapshot gone stale before the write): so try again until ``LOCK_WAIT_S``. Call it in a
    thread: the app runs on the test's event loop, and must be able to finish a write it began."""
    deadline = time.monotonic() + LOCK_WAIT_S
    while True:
        try:
            connection.execute(sql, parameters)
            return
        except sqlite3.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def outside_connection(path: Path) -> sqlite3.Connection:
    """A connection to the app's SQLite database from outside the app, in autocommit (each
    statement a transaction of its own, with a fresh snapshot)."""
    return sqlite3.connect(path, timeout=LOCK_WAIT_S, isolation_level=None, check_same_thread=False)


async def inject(settings: Settings, sql: str, *parameters: object) -> None:
    """Change the app's SQLite database behind its back, as another process would."""
    connection = outside_connection(database_file(settings))
    try:
        await asyncio.to_thread(write_when_free, connection, sql, *parameters)
    finally:
        connection.close()


def database_file(settings: Settings) -> Path:
    path = sqlite_path(settings.resolved_database_url)
    assert path is not None
    return path


def inbox_status(settings: Settings, platform_message_id: str) -> str | None:
    with sqlite3.connect(database_file(settings)) as db:
        row = db.execute(
            "SELECT status FROM inbox WHERE platform_message_id = ?", (platform_message_id,)
        ).fetchone()
    return row[0] if row else None


async def rows(settings: Settings, model: type[InboxItem] | type[OutboxItem]) -> int:
    database = Database(settings.resolved_database_url)
    try:
        async with database.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)
    finally:
        await database.dispose()


# Oversized messages


async def test_a_huge_adversarial_zalo_message_is_cut_at_the_door_and_the_chat_goes_on(
    platforms: Platforms, bot_url: str
) -> None:
    """200 KB of text that made the old redaction patterns backtrack for seconds: read in
    part, answered, and the same chat's next message answered too."""
    huge = "a" * 100_000 + " 0" * 50_000
    body, headers = signed_webhook(
        zalo_text("z-huge", huge, "zm-huge"), app_id=APP_ID, oa_secret_key=OA_SECRET
    )
    started = time.monotonic()
    response = await post_zalo(bot_url, body, headers)
    assert response.status_code == 200 and time.monotonic() - started < 1.0
    body, headers = signed_webhook(
        zalo_text("z-huge", "xin chào", "zm-next"), app_id=APP_ID, oa_secret_key=OA_SECRET
    )
    assert (await post_zalo(bot_url, body, headers)).status_code == 200

    def answers() -> list[str]:
        return [str(s.message["text"]) for s in platforms.zalo.sent if s.user_id == "z-huge"]

    await eventually(lambda: len(answers()) >= 2)
    assert catalogue.TRUNCATED.strip() in answers()[0]
    assert "Xin chào" in answers()[-1]


async def test_a_body_over_the_limit_is_refused_unread_and_nothing_is_stored(
    platforms: Platforms, bot_url: str
) -> None:
    before = await rows(platforms.settings, InboxItem)
    update = telegram_text(901, "x" * 1_000_000)
    response = await post_telegram(bot_url, update)
    assert response.status_code == 413
    assert "quá lớn" in response.json()["text"]
    assert await rows(platforms.settings, InboxItem) == before


# Poison messages


@sqlite_only
async def test_a_message_that_keeps_failing_is_set_aside_and_its_chat_goes_on(
    platforms: Platforms,
) -> None:
    """A message whose turn fails every time (a fault injected in the real database) is tried
    ``INBOX_MAX_ATTEMPTS`` times, then set aside as a dead letter, shown in /readyz; the same
    chat's next message is answered meanwhile."""
    async with app_with(platforms, inbox_max_attempts=3) as url:
        # A run-time error (not a constraint, which would read as a duplicate delivery).
        await inject(
            platforms.settings,
            "CREATE TRIGGER poison BEFORE INSERT ON messages WHEN NEW.text LIKE '%POISON%' "
            "BEGIN SELECT abs(-9223372036854775807 - 1); END",
        )
        assert (await post_telegram(url, telegram_text(910, "POISON"))).status_code == 200
        assert (await post_telegram(url, telegram_text(910, "xin chào"))).status_code == 200
        await eventually(lambda: telegram_texts(platforms.telegram, 910) != [])
        assert len(telegram_texts(platforms.telegram, 910)) == 1

        async def health() -> dict[str, Any]:
            async with httpx.AsyncClient() as client:
                return dict((await client.get(f"{url}/readyz")).json())

        async def set_aside() -> bool:
            return bool((await health())["delivery"]["inbox_dead"] == 1)

        await until(set_aside, timeout_s=30)
        assert (await health())["status"] == "degraded"
        database = Database(platforms.settings.resolved_database_url)
        await Accounts(database).add_user("quantri", "Quản Trị", "admin", PASSWORD)
        await database.dispose()
        admin = Client(url)
        await admin.login("quantri")
        queue = await admin.get("/console/")
        assert "1 tin nhắn của người dân không xử lý được" in queue.text and "POISON" in queue.text
        retry = re.search(r'action="(/console/dead-letters/\d+/retry)"', queue.text)
        assert retry
        await admin.post(retry.group(1), {})
        await admin.aclose()
        await until(set_aside, timeout_s=30)  # the fault is still there: set aside again
    database = Database(platforms.settings.resolved_database_url)
    async with database.sessions() as session:
        [item] = await session.scalars(select(InboxItem).where(InboxItem.status == "dead"))
    await database.dispose()
    assert item.attempts == 3 and "integer overflow" in (item.last_error or "")
    assert "POISON" in str(item.message)


@sqlite_only
async def test_an_unreadable_stored_message_is_set_aside_at_once(platforms: Platforms) -> None:
    """What an older version stored without validation (a number as text) never blocks the
    chat: it is a dead letter on its first attempt, and the next message is answered."""
    async with app_with(platforms) as url:
        await inject(
            platforms.settings,
            "INSERT INTO inbox (platform, platform_message_id, message, status, attempts, "
            "received_at) VALUES ('telegram', 'legacy-1', ?, 'pending', 0, "
            "'2026-11-30 00:00:00')",
            '{"platform": "telegram", "chat_id": "911", "user_id": "911", "text": 12}',
        )
        await post_telegram(url, telegram_text(911, "xin chào"))
        await eventually(lambda: telegram_texts(platforms.telegram, 911) != [])
        # The chat's own message is answered at once; the legacy one at the next claim.
        await eventually(lambda: inbox_status(platforms.settings, "legacy-1") == "dead")
    database = Database(platforms.settings.resolved_database_url)
    async with database.sessions() as session:
        item = await session.scalar(
            select(InboxItem).where(InboxItem.platform_message_id == "legacy-1")
        )
    await database.dispose()
    assert item is not None and item.status == "dead" and item.attempts == 1


# Platform outage


async def test_replies_queued_during_an_outage_are_all_delivered_once_in_order(
    platforms: Platforms,
) -> None:
    async with app_with(platforms, delivery_backoff_cap_s=1.0) as url:
        platforms.telegram.down_for(6.0)
        for chat in (920, 921, 922):
            for text in ("xin chào", "cảm ơn bạn"):
                assert (await post_telegram(url, telegram_text(chat, text))).status_code == 200

        def every_chat_met_the_outage() -> bool:
            refused = {
                str(p["chat_id"]) for m, p in platforms.telegram.refused if m == "sendMessage"
            }
            return refused >= {"920", "921", "922"}

        await eventually(every_chat_met_the_outage)

        def all_delivered() -> bool:
            return all(
                len([c for _, c in platforms.telegram.delivered if c == str(chat)]) >= 2
                for chat in (920, 921, 922)
            )

        await eventually(all_delivered, timeout_s=30)
        await asyncio.sleep(1.5)
    for chat in (920, 921, 922):
        assert len([c for _, c in platforms.telegram.delivered if c == str(chat)]) == 2
        greeting, thanks = [
            str(p["text"])
            for p in platforms.telegram.calls_of("sendMessage")
            if str(p["chat_id"]) == str(chat)
        ][-2:]
        assert "Xin chào" in greeting and "Không có gì" in thanks
    database = Database(platforms.settings.resolved_database_url)
    async with database.sessions() as session:
        statuses = set(await session.scalars(select(OutboxItem.status)))
    await database.dispose()
    assert statuses == {"sent"}


# The database


@asynccontextmanager
async def locked(path: Path, seconds: float) -> AsyncIterator[None]:
    """Another process's write transaction holds the SQLite database for ``seconds``."""
    connection = outside_connection(path)
    await asyncio.to_thread(write_when_free, connection, "BEGIN EXCLUSIVE")
    timer = threading.Timer(seconds, connection.rollback)
    timer.start()
    try:
        yield
    finally:
        await asyncio.to_thread(timer.join)
        connection.close()


@sqlite_only
async def test_a_locked_database_delays_replies_but_never_sends_one_twice(
    platforms: Platforms,
) -> None:
    """Sends go through while the database is locked; recording them waits for the lock. No
    reply goes out a second time."""
    async with app_with(platforms) as url:
        for chat in (930, 931):
            await post_telegram(url, telegram_text(chat, "xin chào"))
        await eventually(lambda: all(telegram_texts(platforms.telegram, c) for c in (930, 931)))
        async with locked(database_file(platforms.settings), 3.0):
            await post_telegram(url, telegram_text(930, "cảm ơn bạn"))
        await eventually(lambda: len(telegram_texts(platforms.telegram, 930)) == 2)
        await asyncio.sleep(2.0)
    assert len(telegram_texts(platforms.telegram, 930)) == 2
    assert len(telegram_texts(platforms.telegram, 931)) == 1


@sqlite_only
async def test_while_the_database_is_unavailable_webhooks_ask_the_platform_to_retry(
    platforms: Platforms,
) -> None:
    """Locked beyond the busy timeout: 503 with Retry-After, nothing half-stored; the
    platform's redelivery afterwards is answered once."""
    async with app_with(platforms, database_busy_timeout_s=0.5) as url:
        update = telegram_text(940, "xin chào")
        async with locked(database_file(platforms.settings), 2.0):
            refused = await post_telegram(url, update)
        assert refused.status_code == 503 and refused.headers["retry-after"]
        assert (await post_telegram(url, update)).status_code == 200
        await eventually(lambda: telegram_texts(platforms.telegram, 940) != [])
        await asyncio.sleep(1.0)
    assert len(telegram_texts(platforms.telegram, 940)) == 1


# A platform down at start-up


async def test_the_service_starts_while_telegram_is_unreachable_and_catches_up(
    platforms: Platforms,
) -> None:
    port = unused_port()
    base = f"http://127.0.0.1:{port}/bot"
    async with app_with(platforms, telegram_api_base=base) as url, httpx.AsyncClient() as client:
        health = (await client.get(f"{url}/readyz")).json()
        assert health["status"] == "degraded"
        assert health["platforms"]["telegram"].startswith("unreachable")
        assert health["platforms"]["zalo"] == "ready"
        update = telegram_text(950, "xin chào")
        assert (await post_telegram(url, update)).status_code == 503  # Telegram retries it
        body, headers = signed_webhook(
            zalo_text("z-950", "xin chào", "zm-950"), app_id=APP_ID, oa_secret_key=OA_SECRET
        )
        assert (await post_zalo(url, body, headers)).status_code == 200
        await eventually(lambda: any(s.user_id == "z-950" for s in platforms.zalo.sent))
        async with FakeBotApi(port=port) as telegram:
            await until(lambda: _ready(client, url), timeout_s=20)
            assert (await post_telegram(url, update)).status_code == 200
            await eventually(lambda: telegram_texts(telegram, 950) != [])


async def _ready(client: httpx.AsyncClient, url: str) -> bool:
    return (await client.get(f"{url}/readyz")).json()["platforms"]["telegram"] == "ready"
