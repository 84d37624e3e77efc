"""The Telegram connector: real python-telegram-bot against a loopback Bot API server."""

from __future__ import annotations

import asyncio
import html
import json
import os
import sys
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest

from bot.core.messages import Action, Attachment, Event, IncomingMessage, OutgoingMessage
from connectors.base import BadPayload, DeliveryFailed, PlatformUnavailable, WebhookRejected
from connectors.telegram import TelegramConnector, callback_data, file_base_url
from tests.fakes.telegram_api import TOKEN, FakeBotApi

SECRET = "s3cret-token_ABC"
CHAT = {"id": 987654321, "type": "private", "first_name": "Lan"}
USER = {"id": 987654321, "is_bot": False, "first_name": "Lan"}


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    async with FakeBotApi() as server:
        yield server


@pytest.fixture
async def telegram(api: FakeBotApi) -> AsyncIterator[TelegramConnector]:
    connector = TelegramConnector(TOKEN, SECRET, api.base_url, timeout_s=2.0)
    await connector.start()
    yield connector
    await connector.aclose()


def message_update(update_id: int, **content: Any) -> dict[str, Any]:
    message = {"message_id": 42, "date": 1_760_000_000, "chat": CHAT, "from": USER, **content}
    return {"update_id": update_id, "message": message}


def command(update_id: int, name: str) -> dict[str, Any]:
    text = f"/{name}"
    entity = {"type": "bot_command", "offset": 0, "length": len(text)}
    return message_update(update_id, text=text, entities=[entity])


async def parse(telegram: TelegramConnector, update: dict[str, Any]) -> list[IncomingMessage]:
    return await telegram.parse(json.dumps(update).encode())


def test_file_base_url_sits_beside_the_api_base() -> None:
    assert file_base_url("https://api.telegram.org/bot") == "https://api.telegram.org/file/bot"
    assert file_base_url("http://127.0.0.1:9/bot{token}") == "http://127.0.0.1:9/file/bot{token}"


async def test_text_update_becomes_one_message(telegram: TelegramConnector) -> None:
    messages = await parse(telegram, message_update(1001, text="Hàng mua online bị lỗi"))
    assert messages == [
        IncomingMessage(
            platform="telegram",
            chat_id="987654321",
            user_id="987654321",
            text="Hàng mua online bị lỗi",
            message_id="1001",
        )
    ]


async def test_photo_with_caption_is_an_attachment(telegram: TelegramConnector) -> None:
    sizes = [
        {"file_id": f"photo-{w}", "file_unique_id": f"u{w}", "width": w, "height": w}
        for w in (90, 800)
    ]
    [message] = await parse(telegram, message_update(1002, photo=sizes, caption="Hóa đơn"))
    assert message.text == "Hóa đơn"
    assert message.event is Event.MESSAGE
    assert message.attachments == (Attachment("photo", "telegram-file:photo-800"),)


async def test_document_keeps_its_file_name(telegram: TelegramConnector) -> None:
    document = {"file_id": "doc-1", "file_unique_id": "d1", "file_name": "hop-dong.pdf"}
    [message] = await parse(telegram, message_update(1003, document=document))
    assert message.text == ""
    assert message.attachments == (Attachment("document", "telegram-file:doc-1", "hop-dong.pdf"),)


@pytest.mark.parametrize(
    ("name", "event"),
    [("start", Event.FOLLOW), ("help", Event.HELP), ("nhanvien", Event.STAFF)],
)
async def test_commands_become_events(telegram: TelegramConnector, name: str, event: Event) -> None:
    [message] = await parse(telegram, command(1004, name))
    assert message.event is event
    assert message.message_id == "1004"


async def test_unknown_commands_and_edits_give_no_message(telegram: TelegramConnector) -> None:
    assert await parse(telegram, command(1005, "foo")) == []
    edited = message_update(1006, text="sửa lại")
    edited["edited_message"] = {**edited.pop("message"), "edit_date": 1_760_000_100}
    assert await parse(telegram, edited) == []


async def test_sticker_and_gif_are_sticker_events(telegram: TelegramConnector) -> None:
    sticker = {
        "file_id": "st-1",
        "file_unique_id": "s1",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
    }
    gif = {"file_id": "gif-1", "file_unique_id": "g1", "width": 1, "height": 1, "duration": 1}
    [from_sticker] = await parse(telegram, message_update(1007, sticker=sticker))
    [from_gif] = await parse(telegram, message_update(1008, animation=gif, document=gif))
    assert from_sticker.event is Event.STICKER
    assert from_gif.event is Event.STICKER
    assert from_gif.attachments == ()


async def test_button_press_is_the_button_text_and_is_answered(
    telegram: TelegramConnector, api: FakeBotApi
) -> None:
    label = "Tôi muốn được hướng dẫn khiếu nại về sản phẩm điện thoại bị lỗi màn hình"
    keyboard = {"inline_keyboard": [[{"text": label, "callback_data": callback_data(label)}]]}
    shown = {"message_id": 7, "date": 1, "chat": CHAT, "text": "?", "reply_markup": keyboard}
    query = {
        "id": "cbq-1",
        "from": USER,
        "chat_instance": "ci",
        "data": callback_data(label),
        "message": shown,
    }
    [message] = await parse(telegram, {"update_id": 1009, "callback_query": query})
    assert len(callback_data(label).encode()) <= 64
    assert message.text == label
    assert (message.chat_id, message.user_id, message.message_id) == (
        "987654321",
        "987654321",
        "1009",
    )
    assert api.calls_of("answerCallbackQuery") == [{"callback_query_id": "cbq-1"}]


async def test_concurrent_updates_do_not_mix(telegram: TelegramConnector) -> None:
    results = await asyncio.gather(
        *(parse(telegram, message_update(2000 + i, text=f"câu {i}")) for i in range(20))
    )
    assert [[m.text for m in r] for r in results] == [[f"câu {i}"] for i in range(20)]


@pytest.mark.parametrize(
    "body",
    [
        b"{not json",
        b"[1, 2]",
        b'{"message": {}}',
        b"null",
        b"[" * 100_000,
        b'{"update_id": ' * 50_000,
        json.dumps({"update_id": "7", "message": None}).encode(),
        *(
            json.dumps(message_update(3000, text=wrong)).encode()
            for wrong in (12, 1.5, True, ["a"], {"a": "b"}, "x" * 4097)
        ),
        json.dumps(message_update(3001, text="hi") | {"message": {"chat": "me"}}).encode(),
    ],
)
async def test_malformed_body_is_bad_payload(telegram: TelegramConnector, body: bytes) -> None:
    """Wrong types, missing fields and nesting never reach the inbox (the webhook answers 400)."""
    with pytest.raises(BadPayload):
        await telegram.parse(body)


def test_secret_is_checked(telegram: TelegramConnector) -> None:
    telegram.verify(b"{}", {"x-telegram-bot-api-secret-token": SECRET})
    telegram.verify(b"{}", {"X-Telegram-Bot-Api-Secret-Token": SECRET})
    for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
        with pytest.raises(WebhookRejected) as rejected:
            telegram.verify(b"{}", headers)
        assert rejected.value.status_code == 403


def reply(text: str, quick_replies: tuple[str, ...] = ()) -> OutgoingMessage:
    return OutgoingMessage("987654321", text, Action.ANSWER, quick_replies=quick_replies)


def test_long_answer_splits_at_sentence_ends(telegram: TelegramConnector) -> None:
    sentences = [f"Câu số {i} nói về quyền của người tiêu dùng khi mua hàng." for i in range(200)]
    text = " ".join(sentences)
    assert len(text) > 10_000
    payloads = telegram.render(reply(text, ("Có", "Không")))
    chunks = [p["text"] for p in payloads]
    assert len(chunks) > 2
    assert all(len(chunk) <= 4096 for chunk in chunks)
    assert all(chunk.endswith(".") for chunk in chunks)
    assert " ".join(chunks) == text
    assert all(p["method"] == "sendMessage" and p["parse_mode"] == "HTML" for p in payloads)
    assert [("reply_markup" in p) for p in payloads] == [False] * (len(payloads) - 1) + [True]
    assert payloads[-1]["reply_markup"] == {
        "inline_keyboard": [
            [{"text": "Có", "callback_data": "Có"}],
            [{"text": "Không", "callback_data": "Không"}],
        ]
    }


def test_markup_is_escaped_and_escaping_never_overflows(telegram: TelegramConnector) -> None:
    [payload] = telegram.render(reply("<script>alert(1)</script> & <b>x</b>"))
    assert payload["text"] == "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;"
    heavy = "Giá < 5 & > 3. " * 600
    chunks = [p["text"] for p in telegram.render(reply(heavy))]
    assert all(len(chunk) <= 4096 for chunk in chunks)
    assert " ".join(html.unescape(chunk) for chunk in chunks) == heavy.strip()


def test_a_staff_message_starts_with_the_staff_members_name(telegram: TelegramConnector) -> None:
    message = OutgoingMessage("987654321", "Chào bạn <3", Action.HANDOFF, sender="Lan <Trần>")
    [payload] = telegram.render(message)
    assert payload["text"] == "<b>Lan &lt;Trần&gt;</b> (cán bộ tư vấn):\nChào bạn &lt;3"
    long = telegram.render(replace(message, text="Một câu khá dài. " * 600))
    assert all(len(p["text"]) <= 4096 for p in long)
    assert [p["text"].startswith("<b>") for p in long] == [True] + [False] * (len(long) - 1)


async def test_send_returns_message_id_and_sends_html_with_keyboard(
    telegram: TelegramConnector, api: FakeBotApi
) -> None:
    payloads = telegram.render(reply("Điều 26 <Luật> & quyền.", ("Gặp cán bộ",)))
    message_id = await telegram.send("987654321", payloads[-1])
    assert message_id == "1"
    [params] = api.calls_of("sendMessage")
    assert params["chat_id"] == "987654321"
    assert params["parse_mode"] == "HTML"
    assert params["text"] == "Điều 26 &lt;Luật&gt; &amp; quyền."
    assert params["reply_markup"] == {
        "inline_keyboard": [[{"text": "Gặp cán bộ", "callback_data": "Gặp cán bộ"}]]
    }


# PTB itself reads the deprecated int ``retry_after`` when it builds RetryAfter.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_send_maps_telegram_errors(telegram: TelegramConnector, api: FakeBotApi) -> None:
    [payload] = telegram.render(reply("Xin chào."))
    api.fail_next("sendMessage", 429, retry_after=3)
    api.fail_next("sendMessage", 403)
    api.fail_next("sendMessage", 400)
    api.fail_next("sendMessage", 500)
    failures = []
    for _ in range(4):
        with pytest.raises(DeliveryFailed) as failed:
            await telegram.send("987654321", payload)
        failures.append(failed.value)
    throttled, blocked, bad, broken = failures
    assert (throttled.retry_after, throttled.permanent) == (3, False)
    assert blocked.permanent and "blocked" in blocked.reason
    assert bad.permanent
    assert (broken.retry_after, broken.permanent) == (None, False)
    assert await telegram.send("987654321", payload) == "1"


async def test_unreachable_api_is_a_transient_failure() -> None:
    """Unreachable at start-up: the connector says why, webhooks wait (503) and sends are
    retried later, never given up on."""
    connector = TelegramConnector(TOKEN, SECRET, "http://127.0.0.1:9/bot", timeout_s=1.0)
    assert not await connector.start()
    assert not connector.ready and connector.problem
    [payload] = connector.render(reply("Xin chào."))
    with pytest.raises(DeliveryFailed) as failed:
        await connector.send("1", payload)
    assert not failed.value.permanent and failed.value.retry_after
    with pytest.raises(PlatformUnavailable):
        await parse(connector, message_update(4000, text="Xin chào"))


async def test_a_connection_lost_after_start_up_is_a_transient_failure(api: FakeBotApi) -> None:
    connector = TelegramConnector(TOKEN, SECRET, api.base_url, timeout_s=1.0)
    assert await connector.start()
    await api.__aexit__(None, None, None)  # the Bot API goes away
    [payload] = connector.render(reply("Xin chào."))
    with pytest.raises(DeliveryFailed) as failed:
        await connector.send("1", payload)
    assert not failed.value.permanent and failed.value.retry_after is None
    await connector.aclose()


async def test_set_webhook_sends_the_secret(telegram: TelegramConnector, api: FakeBotApi) -> None:
    assert await telegram.set_webhook("https://bot.example.vn/webhooks/telegram")
    assert api.webhook is not None
    assert api.webhook["url"] == "https://bot.example.vn/webhooks/telegram"
    assert api.webhook["secret_token"] == SECRET
    assert api.webhook["allowed_updates"] == ["message", "callback_query"]


async def test_polling_deletes_the_webhook_and_delivers_messages(
    telegram: TelegramConnector, api: FakeBotApi
) -> None:
    await telegram.set_webhook("https://bot.example.vn/webhooks/telegram")
    received: list[IncomingMessage] = []
    done = asyncio.Event()

    async def on_message(message: IncomingMessage) -> None:
        received.append(message)
        if len(received) == 2:
            done.set()

    api.push_update(message_update(3001, text="một"))
    api.push_update(command(3002, "help"))
    polling = asyncio.create_task(telegram.run_polling(on_message))
    try:
        await asyncio.wait_for(done.wait(), 10)
    finally:
        polling.cancel()
        with pytest.raises(asyncio.CancelledError):
            await polling
    assert [(m.text, m.event) for m in received] == [("một", Event.MESSAGE), ("/help", Event.HELP)]
    assert api.webhook is None


async def run_cli(*args: str, env: dict[str, str]) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, stderr.decode()


async def test_cli_set_webhook(api: FakeBotApi) -> None:
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE": api.base_url,
    }
    url = "https://bot.example.vn/webhooks/telegram"
    code, stderr = await run_cli("telegram", "set-webhook", url, env=env)
    assert code == 0, stderr
    assert api.webhook is not None and api.webhook["secret_token"] == SECRET
    code, stderr = await run_cli(
        "telegram", "set-webhook", url, env={**env, "TELEGRAM_BOT_TOKEN": "1:wrong"}
    )
    assert code == 1
    assert "Unauthorized" in stderr
    assert "1:wrong" not in stderr
