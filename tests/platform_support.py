"""Shared by the platform tests: the real app (webhooks, inbox, pipeline with the real Rasa
server, outbox workers) against loopback servers speaking Telegram's and Zalo's protocols."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.app import create_app
from bot.nlu.server import RasaServer
from bot.settings import Settings
from tests.conftest import bot_settings
from tests.fakes.loopback import serving
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.zalo_api import FakeZaloApi, text_event

SECRET = "webhook-secret"
APP_ID, APP_SECRET, OA_SECRET = "1234567890", "app-secret", "oa-secret-key"
LAW_QUESTION = "mua hàng online bị lỗi có được đổi trả không"
update_ids = itertools.count(1000)
STAFF_GROUP = -100_555


@dataclass
class Platforms:
    telegram: FakeBotApi
    zalo: FakeZaloApi
    settings: Settings


@pytest.fixture
async def platforms(tmp_path: Path, rasa_server: RasaServer) -> AsyncIterator[Platforms]:
    zalo = FakeZaloApi(
        app_id=APP_ID, app_secret=APP_SECRET, access_token="access-1", refresh_token="refresh-1"
    )
    async with FakeBotApi() as telegram, zalo:
        settings = bot_settings(
            tmp_path,
            rasa_server,
            **telegram.settings(SECRET),
            **zalo.settings(OA_SECRET),
            telegram_staff_chat_id=str(STAFF_GROUP),
            public_url="https://console.example.vn",
        )
        yield Platforms(telegram, zalo, settings)


@pytest.fixture
async def bot_url(platforms: Platforms) -> AsyncIterator[str]:
    async with serving(create_app(platforms.settings, lambda _: None), lifespan="on") as url:
        yield url


def telegram_text(chat: int, text: str, update_id: int | None = None) -> dict[str, Any]:
    person = {"id": chat, "first_name": "Lan"}
    message = {
        "message_id": 1,
        "date": int(time.time()),
        "chat": person | {"type": "private"},
        "from": person | {"is_bot": False},
        "text": text,
    }
    return {"update_id": update_id or next(update_ids), "message": message}


def zalo_text(user: str, text: str, msg_id: str) -> dict[str, Any]:
    return text_event(APP_ID, user, text, msg_id)


async def post_telegram(url: str, update: dict[str, Any], secret: str = SECRET) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(
            f"{url}/webhooks/telegram",
            json=update,
            headers={"X-Telegram-Bot-Api-Secret-Token": secret},
        )


async def post_zalo(url: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    async with httpx.AsyncClient() as client:
        return await client.post(f"{url}/webhooks/zalo", content=body, headers=headers)


async def eventually(condition: Callable[[], bool], timeout_s: float = 20.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def telegram_texts(api: FakeBotApi, chat: int) -> list[str]:
    return [str(p["text"]) for p in api.calls_of("sendMessage") if str(p["chat_id"]) == str(chat)]
