"""Shared by the console tests: the real app with Telegram on a fake Bot API server, staff
accounts, a cookie-keeping HTTP client and a Telegram handoff."""

from __future__ import annotations

import asyncio
import itertools
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.console.auth import Accounts
from bot.nlu.server import RasaServer
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import Conversation
from tests.conftest import bot_settings
from tests.fakes.loopback import serving
from tests.fakes.telegram_api import FakeBotApi

SECRET = "webhook-secret"
PASSWORD = "mat-khau-that-dai-1"
update_ids = itertools.count(5000)


@dataclass
class ConsoleApp:
    url: str
    api: FakeBotApi
    database: Database
    settings: Settings


@pytest.fixture
async def console_app(tmp_path: Path, rasa_server: RasaServer) -> AsyncIterator[ConsoleApp]:
    async with FakeBotApi() as api:
        settings = bot_settings(tmp_path, rasa_server, **api.settings(SECRET), console_sla_min=10)
        async with serving(create_app(settings, lambda _: None), lifespan="on") as url:
            database = Database(settings.resolved_database_url)  # migrated by the app's start-up
            accounts = Accounts(database)
            await accounts.add_user("lan", "Trần Thị Lan", "staff", PASSWORD)
            await accounts.add_user("minh", "Lê Văn Minh", "staff", PASSWORD)
            await accounts.add_user("quantri", "Nguyễn Quản Trị", "admin", PASSWORD)
            await accounts.add_user("bientap", "Phạm Biên Tập", "editor", PASSWORD)
            try:
                yield ConsoleApp(url, api, database, settings)
            finally:
                await database.dispose()


class Client:
    """An HTTP client that keeps the console's cookies. They are ``Secure`` and the test server
    speaks plain HTTP on loopback, where httpx's cookie jar would not send them back."""

    def __init__(self, url: str) -> None:
        self.http = httpx.AsyncClient(base_url=url, follow_redirects=False, timeout=20)
        self.cookies: dict[str, str] = {}
        self.csrf = ""

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers = (headers or {}) | {"Cookie": cookie}
        response = await self.http.request(method, path, headers=headers, **kwargs)
        for header in response.headers.get_list("set-cookie"):
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0].strip('"')
            if "max-age=0" in header.lower() or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        if found := re.search(r'name="csrf" value="([^"]+)"', response.text):
            self.csrf = found.group(1)
        return response

    async def get(self, path: str) -> httpx.Response:
        return await self.request("GET", path)

    async def post(self, path: str, data: dict[str, Any], csrf: bool = True) -> httpx.Response:
        return await self.request("POST", path, data={"csrf": self.csrf} | data if csrf else data)

    async def login(self, username: str, password: str = PASSWORD) -> httpx.Response:
        await self.get("/console/login")
        return await self.post("/console/login", {"username": username, "password": password})

    async def aclose(self) -> None:
        await self.http.aclose()


def telegram_update(chat: int, text: str) -> dict[str, Any]:
    person = {"id": chat, "first_name": "Hoa"}
    message = {
        "message_id": next(update_ids),
        "date": int(time.time()),
        "chat": person | {"type": "private"},
        "from": person | {"is_bot": False},
        "text": text,
    }
    return {"update_id": next(update_ids), "message": message}


async def citizen_says(app: ConsoleApp, chat: int, text: str) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"{app.url}/webhooks/telegram",
            json=telegram_update(chat, text),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert response.status_code == 200, response.text


async def eventually(condition: Callable[[], Awaitable[bool]], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not await condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.1)


async def conversation(app: ConsoleApp, chat: int) -> Conversation | None:
    async with app.database.sessions() as session:
        return await session.scalar(select(Conversation).where(Conversation.chat_id == str(chat)))


async def handed_off(app: ConsoleApp, chat: int) -> int:
    """A citizen asks for staff on Telegram; returns the conversation ID once it waits."""
    await citizen_says(app, chat, "cho tôi gặp cán bộ")

    async def waiting() -> bool:
        found = await conversation(app, chat)
        return bool(found and found.state == "waiting_staff")

    await eventually(waiting)
    found = await conversation(app, chat)
    assert found is not None
    return found.id


def texts_to(api: FakeBotApi, chat: int) -> list[str]:
    return [str(p["text"]) for p in api.calls_of("sendMessage") if str(p["chat_id"]) == str(chat)]
