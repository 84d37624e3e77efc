"""The console against an attacker who has an account, or a browser, or neither: who may change
what, sign-in throttling that forged headers cannot bypass, sessions, clickjacking headers, and
citizens' files fetched by the server."""

from __future__ import annotations

import asyncio
import re
import statistics
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import select

from bot.core.messages import IncomingMessage
from bot.storage.conversations import ConversationRecords
from bot.storage.models import AuditEntry, Case
from tests.console_support import (
    Client,
    ConsoleApp,
    console_app,
    handed_off,
    update_ids,
)

pytestmark = pytest.mark.rasa
__all__ = ["console_app"]  # the fixture, imported for pytest


@pytest.fixture
async def lan(console_app: ConsoleApp) -> AsyncIterator[Client]:
    client = Client(console_app.url)
    await client.login("lan")
    yield client
    await client.aclose()


@pytest.fixture
async def minh(console_app: ConsoleApp) -> AsyncIterator[Client]:
    client = Client(console_app.url)
    await client.login("minh")
    yield client
    await client.aclose()


async def case_of(app: ConsoleApp, conversation_id: int) -> Case:
    async with app.database.sessions() as session:
        case = await session.scalar(select(Case).where(Case.conversation_id == conversation_id))
    assert case is not None
    return case


async def test_only_the_holder_changes_a_held_conversation(
    console_app: ConsoleApp, lan: Client, minh: Client
) -> None:
    conversation_id = await handed_off(console_app, 1701)
    base = f"/console/conversations/{conversation_id}"
    await lan.get(base)
    assert (await lan.post(f"{base}/claim", {})).status_code == 303
    before = (await case_of(console_app, conversation_id)).fields
    await minh.get(base)
    for action, data in [
        ("fields", {"key": "business", "value": "đã bị sửa"}),
        ("note", {"text": "ghi chú chen ngang"}),
        ("resolve", {"outcome": "resolved", "confirm": "1"}),
        ("reply", {"text": "tôi chen vào"}),
    ]:
        response = await minh.post(f"{base}/{action}", data)
        assert "c%C3%A1n%20b%E1%BB%99%20kh%C3%A1c" in response.headers["location"], action
    case = await case_of(console_app, conversation_id)
    assert case.fields == before and case.outcome is None
    page = await lan.get(base)
    assert "ghi chú chen ngang" not in page.text


async def test_resolving_needs_a_claim_and_a_case_file_change_is_audited(
    console_app: ConsoleApp, lan: Client
) -> None:
    conversation_id = await handed_off(console_app, 1702)
    base = f"/console/conversations/{conversation_id}"
    await lan.get(base)
    unconfirmed = await lan.post(f"{base}/resolve", {"outcome": "resolved"})
    assert "x%C3%A1c%20nh%E1%BA%ADn" in unconfirmed.headers["location"]  # «ô xác nhận»
    early = await lan.post(f"{base}/resolve", {"outcome": "resolved", "confirm": "1"})
    assert "nh%E1%BA%ADn" in early.headers["location"]  # «Hãy nhận cuộc trò chuyện trước»
    assert (await case_of(console_app, conversation_id)).outcome is None
    await lan.post(f"{base}/claim", {})
    await lan.post(f"{base}/fields", {"key": "business", "value": "Điện máy Minh An"})
    async with console_app.database.sessions() as session:
        [entry] = await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "case.fields")
        )
    case = await case_of(console_app, conversation_id)
    assert entry.actor == "staff:lan" and entry.target == f"case:{case.number}"
    assert entry.after == {"business": "Điện máy Minh An"} and entry.before == {}


async def test_staff_cannot_open_a_conversation_never_handed_to_staff(
    console_app: ConsoleApp, lan: Client
) -> None:
    message = IncomingMessage(
        "web", "private-session-1", "private-session-1", "tôi hỏi riêng", "m1"
    )
    async with ConversationRecords(console_app.database).for_message(message) as conversation:
        conversation.record_incoming(message.text, ())
    page = await lan.get(f"/console/conversations/{conversation.id}")
    assert page.status_code == 404 and "tôi hỏi riêng" not in page.text
    base = f"/console/conversations/{conversation.id}"
    for path in (f"{base}/events", f"{base}?pane=1"):
        refused = await lan.get(path)
        assert refused.status_code == 404 and "tôi hỏi riêng" not in refused.text
    in_place = await lan.request(
        "POST",
        f"{base}/note",
        data={"csrf": lan.csrf, "text": "x"},
        headers={"X-Console-Fetch": "1"},
    )
    assert in_place.status_code == 404 and "tôi hỏi riêng" not in in_place.text
    assert "regions" not in in_place.json()
    admin = Client(console_app.url)
    try:
        await admin.login("quantri")
        assert (await admin.get(f"/console/conversations/{conversation.id}")).status_code == 200
    finally:
        await admin.aclose()


async def test_forged_forwarded_addresses_do_not_escape_the_throttle(
    console_app: ConsoleApp,
) -> None:
    """Guesses spread over many names, each claiming another client address: the addresses
    are not believed (no trusted proxy is configured), so the guessing address is slowed."""
    guesser = Client(console_app.url)
    try:
        statuses = []
        for n in range(14):
            await guesser.get("/console/login")
            response = await guesser.request(
                "POST",
                "/console/login",
                data={"csrf": guesser.csrf, "username": f"user{n}", "password": "doan-bua"},
                headers={"X-Forwarded-For": f"10.0.0.{n}", "X-Real-IP": f"10.0.1.{n}"},
            )
            statuses.append(response.status_code)
        assert statuses[:10] == [401] * 10 and 429 in statuses[10:]
    finally:
        await guesser.aclose()


async def test_an_unknown_name_takes_as_long_to_refuse_as_a_wrong_password(
    console_app: ConsoleApp,
) -> None:
    """No telling from the answer's timing which names have accounts."""

    async def timed(username: str) -> float:
        client = Client(console_app.url)
        try:
            await client.get("/console/login")
            started = time.perf_counter()
            response = await client.post(
                "/console/login", {"username": username, "password": "sai-mat-khau"}
            )
            assert response.status_code == 401
            return time.perf_counter() - started
        finally:
            await client.aclose()

    known = statistics.median([await timed("quantri") for _ in range(3)])
    unknown = statistics.median([await timed(f"khong-co-{n}") for n in range(3)])
    assert unknown > known / 2


async def test_sessions_are_listed_and_one_can_be_signed_out(
    console_app: ConsoleApp, lan: Client
) -> None:
    other_browser = Client(console_app.url)
    try:
        await other_browser.login("lan")
        page = await lan.get("/console/sessions")
        assert page.status_code == 200 and page.text.count("Đăng xuất phiên này") == 2
        mine = _current_session(page.text)
        [other] = [v for v in _session_values(page.text) if v != mine]
        await lan.post("/console/sessions/revoke", {"session": other})
        assert (await other_browser.get("/console/")).status_code == 303  # signed out
        assert (await lan.get("/console/")).status_code == 200
    finally:
        await other_browser.aclose()


def _session_values(html: str) -> list[str]:
    return re.findall(r'name="session" value="([0-9a-f]{64})"', html)


def _current_session(html: str) -> str:
    row = next(part for part in html.split("<tr>") if "Phiên này" in part)
    [value] = _session_values(row)
    return value


@pytest.mark.parametrize("path", ["/console/login", "/console/", "/", "/api/chat/updates"])
async def test_every_response_carries_the_security_headers(
    console_app: ConsoleApp, lan: Client, path: str
) -> None:
    response = await lan.get(path)
    headers = response.headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    if path != "/":
        assert headers["cache-control"] == "no-store"


async def test_a_citizens_photo_reaches_staff_through_the_server(
    console_app: ConsoleApp, lan: Client
) -> None:
    chat = 1703
    conversation_id = await handed_off(console_app, chat)
    jpeg = b"\xff\xd8\xff\xe0" + b"anh-hoa-don" * 10
    console_app.api.files["receipt-9"] = jpeg
    person = {"id": chat, "first_name": "Hoa"}
    photo = {
        "update_id": next(update_ids),
        "message": {
            "message_id": next(update_ids),
            "date": int(time.time()),
            "chat": person | {"type": "private"},
            "from": person | {"is_bot": False},
            "photo": [{"file_id": "receipt-9", "file_unique_id": "r9", "width": 9, "height": 9}],
        },
    }
    async with httpx.AsyncClient() as citizen:
        await citizen.post(
            f"{console_app.url}/webhooks/telegram",
            json=photo,
            headers={"X-Telegram-Bot-Api-Secret-Token": "webhook-secret"},
        )
    base = f"/console/conversations/{conversation_id}"
    for _ in range(100):
        page = await lan.get(base)
        if "/console/attachments/" in page.text:
            break
        await asyncio.sleep(0.1)
    assert "telegram-file:" not in page.text
    href = page.text.split('src="/console/attachments/', 1)[1].split('"', 1)[0]
    image = await lan.get(f"/console/attachments/{href}")
    assert image.status_code == 200 and image.content == jpeg
    assert image.headers["content-type"] == "image/jpeg"
    anonymous = Client(console_app.url)
    try:
        assert (await anonymous.get(f"/console/attachments/{href}")).status_code == 303
    finally:
        await anonymous.aclose()
