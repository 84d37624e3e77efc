"""The Zalo connector against a loopback fake of Zalo's API, with tokens in a real SQLite file."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.core.messages import Action, Attachment, Event, OutgoingMessage
from bot.runtime import build_connectors
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.tokens import TokenStore
from connectors.base import BadPayload, DeliveryFailed, TokenPair, WebhookRejected
from connectors.zalo import ZaloConnector
from tests.fakes.zalo_api import FakeZaloApi, signed_webhook

APP_ID = "1234567890"
APP_SECRET = "app-secret"
OA_SECRET = "oa-secret-key"
USER = "2468458835296117922"
TIMESTAMP = "1763884800000"


def now_ms(offset_s: float = 0) -> str:
    return str(int((time.time() + offset_s) * 1000))


@pytest.fixture
async def api() -> AsyncIterator[FakeZaloApi]:
    fake = FakeZaloApi(
        app_id=APP_ID, app_secret=APP_SECRET, access_token="access-0", refresh_token="refresh-0"
    )
    async with fake:
        yield fake


async def connector_for(api: FakeZaloApi, database: Database) -> ZaloConnector:
    """The connector as the composition root builds it from the settings."""
    settings = Settings(_env_file=None, **api.settings(OA_SECRET))
    zalo = (await build_connectors(settings, database))["zalo"]
    assert isinstance(zalo, ZaloConnector)
    return zalo


@pytest.fixture
async def zalo(api: FakeZaloApi, database: Database) -> AsyncIterator[ZaloConnector]:
    connector = await connector_for(api, database)
    yield connector
    await connector.aclose()


def event(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "app_id": APP_ID,
        "event_name": name,
        "sender": {"id": USER},
        "recipient": {"id": "oa-1"},
        "timestamp": TIMESTAMP,
        **fields,
    }


def body(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False).encode()


# Webhooks


async def test_text_message(zalo: ZaloConnector) -> None:
    raw = body(event("user_send_text", message={"msg_id": "m1", "text": "Hàng bị lỗi thì sao?"}))
    [message] = await zalo.parse(raw)
    assert (message.platform, message.chat_id, message.user_id) == ("zalo", USER, USER)
    assert (message.text, message.message_id, message.event) == (
        "Hàng bị lỗi thì sao?",
        "m1",
        Event.MESSAGE,
    )


async def test_image_with_caption_and_file(zalo: ZaloConnector) -> None:
    image = event(
        "user_send_image",
        message={
            "msg_id": "m2",
            "text": "hóa đơn",
            "attachments": [{"type": "image", "payload": {"url": "https://img/1.jpg"}}],
        },
    )
    [photo] = await zalo.parse(body(image))
    assert photo.text == "hóa đơn"
    assert photo.attachments == (Attachment(kind="photo", url="https://img/1.jpg"),)
    file = event(
        "user_send_file",
        message={
            "msg_id": "m3",
            "attachments": [
                {"type": "file", "payload": {"url": "https://f/hd.pdf", "name": "hd.pdf"}}
            ],
        },
    )
    [document] = await zalo.parse(body(file))
    assert (document.text, document.message_id) == ("", "m3")
    assert document.attachments == (Attachment(kind="file", url="https://f/hd.pdf", name="hd.pdf"),)


@pytest.mark.parametrize("name", ["user_send_sticker", "user_send_gif"])
async def test_sticker_and_gif(zalo: ZaloConnector, name: str) -> None:
    sticker = event(
        name, message={"msg_id": "m4", "attachments": [{"payload": {"url": "https://s/1"}}]}
    )
    [message] = await zalo.parse(body(sticker))
    assert (message.event, message.text, message.attachments) == (Event.STICKER, "", ())


@pytest.mark.parametrize(("name", "kind"), [("follow", Event.FOLLOW), ("unfollow", Event.UNFOLLOW)])
async def test_follow_and_unfollow(zalo: ZaloConnector, name: str, kind: Event) -> None:
    raw = body({"app_id": APP_ID, "event_name": name, "follower": {"id": USER}, "oa_id": "oa-1",
                "timestamp": TIMESTAMP})  # fmt: skip
    [message] = await zalo.parse(raw)
    assert (message.chat_id, message.user_id, message.event) == (USER, USER, kind)
    assert message.message_id == f"{name}:{USER}:{TIMESTAMP}"


@pytest.mark.parametrize(
    "name", ["user_received_message", "user_seen_message", "oa_send_text", "user_send_location"]
)
async def test_receipts_and_other_events_are_ignored(zalo: ZaloConnector, name: str) -> None:
    assert await zalo.parse(body(event(name, message={"msg_id": "m5"}))) == []


@pytest.mark.parametrize(
    "raw",
    [
        b"not json",
        b"[1, 2]",
        body({"sender": {"id": USER}}),
        body(event("user_send_text", message={"text": "no id"})),
        body(event("user_send_text", sender={}, message={"msg_id": "m6", "text": "x"})),
        body(event("user_send_image", message={"msg_id": "m7", "attachments": [{}]})),
        body({"event_name": "follow", "timestamp": TIMESTAMP}),
        body(event("user_send_text", message={"msg_id": "m10", "text": 12})),
        body(event("user_send_text", message={"msg_id": "m11", "text": ["a"]})),
        body(event("user_send_text", message={"msg_id": True, "text": "x"})),
        body(event("user_send_text", message={"msg_id": "m12", "text": {"a": "b"}})),
        b'{"event_name": ' * 50_000,
    ],
)
async def test_malformed_payloads(zalo: ZaloConnector, raw: bytes) -> None:
    with pytest.raises(BadPayload):
        await zalo.parse(raw)


async def test_signature(zalo: ZaloConnector) -> None:
    raw, headers = signed_webhook(
        event("user_send_text", message={"msg_id": "m8", "text": "Chào"}, timestamp=now_ms()),
        app_id=APP_ID,
        oa_secret_key=OA_SECRET,
    )
    zalo.verify(raw, headers)
    zalo.verify(raw, {k.lower(): v for k, v in headers.items()})

    with pytest.raises(WebhookRejected) as missing:
        zalo.verify(raw, {"Content-Type": "application/json"})
    assert missing.value.status_code == 401

    _, forged = signed_webhook(
        event("user_send_text", message={"msg_id": "m8", "text": "Chào"}),
        app_id=APP_ID,
        oa_secret_key="guessed",
    )
    tampered = raw.replace("Chào".encode(), b"Chao")
    nested = b"[" * 100_000
    for raw_body, headers_used in [
        (raw, forged),
        (tampered, headers),
        (b"{}", headers),
        (nested, headers),
    ]:
        with pytest.raises(WebhookRejected) as rejected:
            zalo.verify(raw_body, headers_used)
        assert rejected.value.status_code == 403


@pytest.mark.parametrize("age_s", [-3600, 301, 86_400 * 30])
async def test_a_signed_event_outside_the_replay_window_is_refused(
    zalo: ZaloConnector, age_s: int
) -> None:
    """A captured webhook, signature and all, cannot be played back later (or pre-dated)."""
    raw, headers = signed_webhook(
        event("user_send_text", message={"msg_id": "m9", "text": "Chào"}, timestamp=now_ms(-age_s)),
        app_id=APP_ID,
        oa_secret_key=OA_SECRET,
    )
    with pytest.raises(WebhookRejected) as rejected:
        zalo.verify(raw, headers)
    assert "replay" in str(rejected.value)


# Rendering


def test_render_splits_long_answers_at_sentence_ends(zalo: ZaloConnector) -> None:
    sentence = "Người tiêu dùng có quyền được bồi thường khi hàng hóa bị lỗi. "
    text = (sentence * 90)[:5000].rsplit(" ", 1)[0] + "."
    assert len(text) > 4900
    payloads = zalo.render(OutgoingMessage(chat_id=USER, text=text, action=Action.ANSWER))
    chunks = [p["message"]["text"] for p in payloads]
    assert len(chunks) == 3
    assert all(len(chunk) <= 2000 for chunk in chunks)
    assert all(chunk.endswith(".") for chunk in chunks)
    assert " ".join(chunks) == text.strip()
    assert all("attachment" not in p["message"] for p in payloads)


def test_a_staff_message_names_the_staff_member(zalo: ZaloConnector) -> None:
    message = OutgoingMessage(USER, "Tôi đã xem hồ sơ.", Action.HANDOFF, sender="Trần Thị Lan")
    [payload] = zalo.render(message)
    assert payload["message"]["text"] == "Trần Thị Lan (cán bộ tư vấn):\nTôi đã xem hồ sơ."


def test_render_quick_replies_as_buttons_on_last_chunk(zalo: ZaloConnector) -> None:
    reply = OutgoingMessage(
        chat_id=USER, text="Bạn muốn gửi khiếu nại?", action=Action.COMPLAINT,
        quick_replies=("Có", "Không"),
    )  # fmt: skip
    [payload] = zalo.render(reply)
    assert payload["message"]["text"] == "Bạn muốn gửi khiếu nại?"
    assert payload["message"]["attachment"] == {
        "type": "template",
        "payload": {
            "buttons": [
                {"title": "Có", "type": "oa.query.show", "payload": "Có"},
                {"title": "Không", "type": "oa.query.show", "payload": "Không"},
            ]
        },
    }


# Sending


async def test_send_success_seeds_tokens_from_settings(
    zalo: ZaloConnector, api: FakeZaloApi, database: Database
) -> None:
    [payload] = zalo.render(OutgoingMessage(chat_id=USER, text="Xin chào", action=Action.ANSWER))
    message_id = await zalo.send(USER, payload)
    [sent] = api.sent
    assert (sent.user_id, sent.message, sent.message_id) == (USER, {"text": "Xin chào"}, message_id)
    assert await TokenStore(database, "zalo").load() == TokenPair("access-0", "refresh-0")
    assert api.refresh_calls == 0


async def test_expired_token_refreshes_once_and_stores_new_pair(
    zalo: ZaloConnector, api: FakeZaloApi, database: Database
) -> None:
    await zalo.send(USER, {"message": {"text": "một"}})
    api.expire_access_token()
    assert await zalo.send(USER, {"message": {"text": "hai"}})
    assert api.refresh_calls == 1
    stored = await TokenStore(database, "zalo").load()
    assert stored is not None
    assert (stored.access_token, stored.refresh_token) == (api.access_token, api.refresh_token)
    assert stored.expires_at is not None
    assert [m.access_token for m in api.sent] == ["access-0", api.access_token]


async def test_concurrent_sends_with_expired_token_refresh_once(
    zalo: ZaloConnector, api: FakeZaloApi
) -> None:
    await zalo.send(USER, {"message": {"text": "trước"}})
    api.expire_access_token()
    api.refresh_delay_s = 0.2
    ids = await asyncio.gather(
        *(zalo.send(f"user-{n}", {"message": {"text": f"tin {n}"}}) for n in range(5))
    )
    assert len(set(ids)) == 5
    assert api.refresh_calls == 1
    assert api.refresh_tokens_presented == ["refresh-0"]


async def test_another_process_refresh_is_reused_not_repeated(
    api: FakeZaloApi, database: Database
) -> None:
    """Two connectors on one database: the second takes the pair the first stored."""
    first, second = await connector_for(api, database), await connector_for(api, database)
    try:
        await first.send(USER, {"message": {"text": "1"}})
        await second.send(USER, {"message": {"text": "2"}})
        api.expire_access_token()
        await first.send(USER, {"message": {"text": "3"}})
        await second.send(USER, {"message": {"text": "4"}})  # its cached token is stale
        api.expire_access_token()
        await second.send(USER, {"message": {"text": "5"}})
        await first.send(USER, {"message": {"text": "6"}})
    finally:
        await first.aclose()
        await second.aclose()
    assert api.refresh_calls == 2
    presented = api.refresh_tokens_presented
    assert len(presented) == len(set(presented)) == 2
    assert len(api.sent) == 6


async def test_token_store_compare_and_swap(database: Database) -> None:
    store = TokenStore(database, "zalo")
    await store.seed(TokenPair("access-0", "refresh-0"))
    assert await store.replace("refresh-0", TokenPair("access-1", "refresh-1"))
    assert not await store.replace("refresh-0", TokenPair("access-x", "refresh-x"))
    assert await store.load() == TokenPair("access-1", "refresh-1")
    assert not await store.seed(TokenPair("access-y", "refresh-y"))


async def test_outside_window_is_permanent(zalo: ZaloConnector, api: FakeZaloApi) -> None:
    api.fail_next(-230, "User has not interacted with OA in past 7 days")
    with pytest.raises(DeliveryFailed) as failed:
        await zalo.send(USER, {"message": {"text": "muộn"}})
    assert failed.value.permanent
    assert "-230" in failed.value.reason and "7 days" in failed.value.reason
    assert api.sent == []


async def test_rate_limits_and_server_errors_are_retryable(
    zalo: ZaloConnector, api: FakeZaloApi
) -> None:
    api.fail_next(-32, "Your application reached limit call api")
    api.fail_next(0, "", status_code=429, headers={"Retry-After": "7"})
    api.fail_next(0, "", status_code=503)
    api.fail_next(-200, "Send message failed")
    outcomes = []
    for _ in range(4):
        with pytest.raises(DeliveryFailed) as failed:
            await zalo.send(USER, {"message": {"text": "x"}})
        outcomes.append((failed.value.permanent, failed.value.retry_after))
    assert outcomes == [(False, 60.0), (False, 7.0), (False, None), (False, None)]


async def test_unreachable_api_is_transient(database: Database) -> None:
    api = FakeZaloApi(app_id=APP_ID, app_secret=APP_SECRET, access_token="a", refresh_token="r")
    async with api:
        connector = await connector_for(api, database)
    try:  # the fake has stopped: nothing listens on its port any more
        with pytest.raises(DeliveryFailed) as failed:
            await connector.send(USER, {"message": {"text": "x"}})
    finally:
        await connector.aclose()
    assert not failed.value.permanent


async def test_refresh_refused_because_another_process_used_the_token(
    zalo: ZaloConnector, api: FakeZaloApi, database: Database
) -> None:
    """Our refresh is in flight when another process refreshes and stores its pair: Zalo refuses
    our (now used) refresh token and the pair the other process stored is taken instead."""
    await zalo.send(USER, {"message": {"text": "trước"}})
    api.expire_access_token()
    api.refresh_delay_s = 0.3
    sending = asyncio.create_task(zalo.send(USER, {"message": {"text": "sau"}}))
    while not api.refresh_tokens_presented:
        await asyncio.sleep(0.01)
    api.access_token, api.refresh_token = "access-other", "refresh-other"
    other = TokenPair("access-other", "refresh-other")
    assert await TokenStore(database, "zalo").replace("refresh-0", other)
    assert await sending
    assert api.sent[-1].access_token == "access-other"
    assert api.refresh_tokens_presented == ["refresh-0"]


async def test_refused_refresh_without_newer_pair_fails(
    zalo: ZaloConnector, api: FakeZaloApi
) -> None:
    api.expire_access_token()
    api.refresh_token = "revoked-elsewhere"
    with pytest.raises(DeliveryFailed) as failed:
        await zalo.send(USER, {"message": {"text": "x"}})
    assert "refresh" in failed.value.reason and not failed.value.permanent
    assert api.refresh_calls == 1
