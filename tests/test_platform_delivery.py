"""Telegram and Zalo end to end: the real app (webhooks, inbox, pipeline with the real Rasa
server, outbox workers) against loopback servers speaking each platform's protocol."""

from __future__ import annotations

import asyncio
import re
import time

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.core.messages import IncomingMessage
from bot.delivery.store import DeliveryStore
from bot.storage.database import Database, migrate
from bot.storage.models import OutboxItem
from tests.fakes.loopback import serving
from tests.fakes.zalo_api import signed_webhook
from tests.platform_support import (
    APP_ID,
    LAW_QUESTION,
    OA_SECRET,
    STAFF_GROUP,
    Platforms,
    bot_url,
    eventually,
    platforms,
    post_telegram,
    post_zalo,
    telegram_text,
    telegram_texts,
    update_ids,
    zalo_text,
)

pytestmark = pytest.mark.rasa
__all__ = ["bot_url", "platforms"]  # the fixtures, imported for pytest


async def test_telegram_question_gets_one_cited_answer(platforms: Platforms, bot_url: str) -> None:
    response = await post_telegram(bot_url, telegram_text(501, LAW_QUESTION))
    assert response.status_code == 200
    await eventually(lambda: telegram_texts(platforms.telegram, 501) != [])
    [answer] = telegram_texts(platforms.telegram, 501)
    assert "Điều" in answer and "Luật Bảo vệ quyền lợi người tiêu dùng" in answer


async def test_telegram_duplicate_delivery_is_answered_once(
    platforms: Platforms, bot_url: str
) -> None:
    update = telegram_text(502, "xin chào")
    for _ in range(3):
        assert (await post_telegram(bot_url, update)).status_code == 200
    await eventually(lambda: telegram_texts(platforms.telegram, 502) != [])
    await asyncio.sleep(1.0)
    assert len(telegram_texts(platforms.telegram, 502)) == 1


async def test_telegram_forged_secret_is_refused_and_nothing_stored(
    platforms: Platforms, bot_url: str
) -> None:
    response = await post_telegram(bot_url, telegram_text(503, "xin chào"), secret="wrong")
    assert response.status_code == 403
    await asyncio.sleep(0.5)
    assert telegram_texts(platforms.telegram, 503) == []


async def test_a_handoff_is_announced_once_to_the_staff_group(
    platforms: Platforms, bot_url: str
) -> None:
    await post_telegram(bot_url, telegram_text(506, "cho tôi gặp cán bộ tư vấn"))
    await eventually(lambda: telegram_texts(platforms.telegram, STAFF_GROUP) != [])
    await asyncio.sleep(2.5)
    [notice] = telegram_texts(platforms.telegram, STAFF_GROUP)
    [reply] = telegram_texts(platforms.telegram, 506)
    number = re.search(r"KN-\d{4}-\d{6}", reply)
    assert number and number.group(0) in notice
    assert "https://console.example.vn/console/conversations/" in notice


async def test_telegram_429_is_retried_after_retry_after(
    platforms: Platforms, bot_url: str
) -> None:
    platforms.telegram.fail_next("sendMessage", status=429, retry_after=1)
    started = time.monotonic()
    await post_telegram(bot_url, telegram_text(504, "cảm ơn bạn"))
    # the fake records every call: the refused one, then the one that goes through
    await eventually(lambda: len(telegram_texts(platforms.telegram, 504)) == 2)
    assert time.monotonic() - started >= 1.0
    await asyncio.sleep(0.5)
    assert len(telegram_texts(platforms.telegram, 504)) == 2


async def test_telegram_photo_joins_the_complaint_form(platforms: Platforms, bot_url: str) -> None:
    chat = 505
    steps = [
        "tôi muốn khiếu nại cửa hàng bán điện thoại lỗi",
        "có",
        "đồng ý",
        "Cửa hàng Minh An, 12 Trần Phú, Đà Nẵng",
        "điện thoại Samsung A15",
        "không nhớ",
        "máy sập nguồn liên tục",
        "đổi máy mới",
        "0905 123 456",
    ]
    for n, text in enumerate(steps, 1):
        await post_telegram(bot_url, telegram_text(chat, text))
        await eventually(lambda n=n: len(telegram_texts(platforms.telegram, chat)) >= n)
    assert "ảnh" in telegram_texts(platforms.telegram, chat)[-1]
    person = {"id": chat, "first_name": "Lan"}
    photo = {
        "update_id": next(update_ids),
        "message": {
            "message_id": 2,
            "date": int(time.time()),
            "chat": person | {"type": "private"},
            "from": person | {"is_bot": False},
            "photo": [{"file_id": "receipt-1", "file_unique_id": "r1", "width": 90, "height": 90}],
        },
    }
    await post_telegram(bot_url, photo)
    await eventually(lambda: len(telegram_texts(platforms.telegram, chat)) >= len(steps) + 1)
    assert "đã nhận 1" in telegram_texts(platforms.telegram, chat)[-1]


async def test_zalo_question_answered_after_a_token_refresh(
    platforms: Platforms, bot_url: str
) -> None:
    platforms.zalo.expire_access_token()
    platforms.zalo.refresh_token = "refresh-1"
    body, headers = signed_webhook(
        zalo_text("z-601", LAW_QUESTION, "zm-1"), app_id=APP_ID, oa_secret_key=OA_SECRET
    )
    assert (await post_zalo(bot_url, body, headers)).status_code == 200
    await eventually(lambda: [s for s in platforms.zalo.sent if s.user_id == "z-601"] != [])
    [sent] = [s for s in platforms.zalo.sent if s.user_id == "z-601"]
    assert "Điều" in sent.message["text"]
    assert platforms.zalo.refresh_calls == 1


async def test_zalo_forged_signature_is_refused(platforms: Platforms, bot_url: str) -> None:
    body, headers = signed_webhook(
        zalo_text("z-602", "xin chào", "zm-2"), app_id=APP_ID, oa_secret_key="not-the-key"
    )
    assert (await post_zalo(bot_url, body, headers)).status_code == 403
    unsigned = await post_zalo(bot_url, body, {"Content-Type": "application/json"})
    assert unsigned.status_code == 401
    await asyncio.sleep(0.5)
    assert [s for s in platforms.zalo.sent if s.user_id == "z-602"] == []


async def test_messages_pending_at_a_restart_are_answered(platforms: Platforms) -> None:
    """Stored by a process that died before answering: the next process answers them."""
    url = platforms.settings.resolved_database_url
    await migrate(url)
    database = Database(url)
    store = DeliveryStore(database)
    for n in range(3):
        message = IncomingMessage("telegram", f"70{n}", f"70{n}", "xin chào", f"restart-{n}")
        assert await store.accept(message)
    await store.enqueue("telegram", "710", [{"method": "sendMessage", "text": "đang chờ gửi"}])
    await database.dispose()
    async with serving(create_app(platforms.settings, lambda _: None), lifespan="on"):
        await eventually(
            lambda: (
                all(telegram_texts(platforms.telegram, 700 + n) for n in range(3))
                and telegram_texts(platforms.telegram, 710) == ["đang chờ gửi"]
            )
        )
    database = Database(url)
    async with database.sessions() as session:
        statuses = set(await session.scalars(select(OutboxItem.status)))
    await database.dispose()
    assert statuses == {"sent"}


async def test_without_a_webhook_secret_telegram_is_polled(platforms: Platforms) -> None:
    settings = platforms.settings.model_copy(update={"telegram_webhook_secret": ""})
    async with serving(create_app(settings, lambda _: None), lifespan="on") as url:
        platforms.telegram.push_update(telegram_text(801, "xin chào"))
        await eventually(lambda: telegram_texts(platforms.telegram, 801) != [])
        refused = await post_telegram(url, telegram_text(802, "xin chào"), secret="")
        assert refused.status_code == 403
    assert platforms.telegram.calls_of("deleteWebhook")
    assert len(telegram_texts(platforms.telegram, 801)) == 1
