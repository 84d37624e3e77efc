"""The staff console over HTTP against the real app (webhooks, pipeline with the real Rasa
server, outbox workers, fake Telegram Bot API)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from bot.core.messages import IncomingMessage
from bot.storage.conversations import ConversationRecords
from bot.storage.models import Case, CaseNote, Conversation, OutboxItem, StateTransition
from tests.console_support import (
    PASSWORD,
    Client,
    ConsoleApp,
    citizen_says,
    console_app,
    eventually,
    handed_off,
    texts_to,
)

pytestmark = pytest.mark.rasa
__all__ = ["console_app"]  # the fixture, imported for pytest


@pytest.fixture
async def client(console_app: ConsoleApp) -> AsyncIterator[Client]:
    client = Client(console_app.url)
    yield client
    await client.aclose()


@pytest.mark.parametrize(
    "path",
    [
        "/console/",
        "/console/events",
        "/console/conversations/1",
        "/console/accounts",
        "/console/editor",
        "/console/accounts/1/password",
    ],
)
async def test_anonymous_visitors_are_sent_to_the_login_page(client: Client, path: str) -> None:
    response = await client.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"
    login = await client.get("/console/login")
    assert login.status_code == 200
    assert "Đăng nhập" in login.text


async def test_anonymous_posts_are_sent_to_the_login_page(client: Client) -> None:
    response = await client.post("/console/conversations/1/claim", {}, csrf=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/console/login"


async def test_login_sets_a_secure_http_only_cookie_and_stores_only_its_hash(
    client: Client, console_app: ConsoleApp
) -> None:
    response = await client.login("lan")
    assert response.status_code == 303
    cookie = next(h for h in response.headers.get_list("set-cookie") if "console_session" in h)
    assert "Secure" in cookie and "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    token = client.cookies["console_session"]
    async with console_app.database.engine.connect() as connection:
        dump = "\n".join(
            str(row) for row in await connection.exec_driver_sql("SELECT * FROM staff_sessions")
        )
    assert token not in dump and dump
    assert (await client.get("/console/")).status_code == 200


async def test_wrong_passwords_are_throttled_after_five_tries(client: Client) -> None:
    for _ in range(5):
        response = await client.login("lan", "sai-mat-khau")
        assert response.status_code == 401
        assert "không đúng" in response.text
    refused = await client.login("lan", PASSWORD)  # even the right password, for a while
    assert refused.status_code == 429
    assert "quá nhiều lần" in refused.text
    assert "console_session" not in client.cookies
    other = Client(client.http.base_url.__str__())
    try:
        assert (await other.login("minh")).status_code == 303  # other accounts unaffected
    finally:
        await other.aclose()


async def test_a_post_without_the_csrf_token_is_refused(
    client: Client, console_app: ConsoleApp
) -> None:
    conversation_id = await handed_off(console_app, 701)
    await client.login("lan")
    response = await client.post(f"/console/conversations/{conversation_id}/claim", {}, csrf=False)
    assert response.status_code == 403
    forged = await client.post(
        f"/console/conversations/{conversation_id}/claim", {"csrf": "forged"}, csrf=False
    )
    assert forged.status_code == 403
    login = Client(console_app.url)
    try:
        await login.get("/console/login")
        no_token = await login.post(
            "/console/login", {"username": "lan", "password": PASSWORD}, csrf=False
        )
        assert no_token.status_code == 403
    finally:
        await login.aclose()
    async with console_app.database.sessions() as session:
        found = await session.get(Conversation, conversation_id)
    assert found is not None and found.state == "waiting_staff"


async def test_roles(client: Client, console_app: ConsoleApp) -> None:
    await client.login("lan")
    assert (await client.get("/console/accounts")).status_code == 403
    assert (await client.get("/console/editor")).status_code == 403
    assert (await client.post("/console/accounts/add", {"username": "x"})).status_code == 403
    editor = Client(console_app.url)
    admin = Client(console_app.url)
    try:
        await editor.login("bientap")
        assert (await editor.get("/console/")).headers["location"] == "/console/editor"
        assert (await editor.get("/console/events")).status_code == 403
        assert (await editor.get("/console/accounts")).status_code == 403
        await admin.login("quantri")
        page = await admin.get("/console/accounts")
        assert page.status_code == 200 and "Trần Thị Lan" in page.text
        added = await admin.post(
            "/console/accounts/add",
            {"username": "hung", "display_name": "Đỗ Hùng", "role": "staff", "password": PASSWORD},
        )
        assert added.status_code == 303
        assert (await Client(console_app.url).login("hung")).status_code == 303
    finally:
        await editor.aclose()
        await admin.aclose()


async def test_claim_reply_note_resolve(client: Client, console_app: ConsoleApp) -> None:
    chat = 702
    conversation_id = await handed_off(console_app, chat)
    await client.login("lan")
    queue = await client.get("/console/")
    assert f"/console/conversations/{conversation_id}" in queue.text
    assert "Đang chờ" in queue.text

    base = f"/console/conversations/{conversation_id}"
    early = await client.post(f"{base}/reply", {"text": "sớm quá"})
    assert "Hãy nhận cuộc trò chuyện trước" in (await client.get(early.headers["location"])).text

    assert (await client.post(f"{base}/claim", {})).status_code == 303
    await eventually(lambda: _has(console_app, chat, "Cán bộ Trần Thị Lan đã tham gia"))
    colleague = Client(console_app.url)
    try:
        await colleague.login("minh")
        await colleague.get(base)
        taken = await colleague.post(f"{base}/claim", {})
        assert "kh%C3%B4ng%20c%C3%B2n" in taken.headers["location"]  # no longer waiting
        await colleague.post(f"{base}/reply", {"text": "tôi chen vào"})
    finally:
        await colleague.aclose()

    await client.post(f"{base}/reply", {"text": "Chào chị, tôi đã xem hồ sơ."})
    await client.post(f"{base}/note", {"text": "Ghi chú bí mật: nghi ngờ lừa đảo"})
    await eventually(lambda: _has(console_app, chat, "Chào chị, tôi đã xem hồ sơ."))
    page = await client.get(base)
    assert "Ghi chú bí mật: nghi ngờ lừa đảo" in page.text
    assert "Chào chị, tôi đã xem hồ sơ." in page.text
    assert "Đã gửi" in page.text  # the delivery status of the staff reply

    assert (
        await client.post(f"{base}/resolve", {"outcome": "referred_mediation", "confirm": "1"})
    ).status_code == 303
    await eventually(lambda: _has(console_app, chat, "từ 1"))
    sent = texts_to(console_app.api, chat)
    assert not any("bí mật" in text for text in sent)
    assert not any("chen vào" in text for text in sent)
    rating = [p for p in console_app.api.calls_of("sendMessage") if "từ 1" in str(p["text"])]
    assert all(label in str(rating[-1]["reply_markup"]) for label in "12345")

    async with console_app.database.sessions() as session:
        conversation = await session.get(Conversation, conversation_id)
        case = await session.scalar(select(Case).where(Case.conversation_id == conversation_id))
        notes = list(await session.scalars(select(CaseNote)))
        transitions = [
            (t.from_state, t.to_state, t.actor, t.reason)
            for t in await session.scalars(
                select(StateTransition)
                .where(StateTransition.conversation_id == conversation_id)
                .order_by(StateTransition.id)
            )
        ]
        staff_calls = list(
            await session.scalars(select(OutboxItem).where(OutboxItem.message_id.is_not(None)))
        )
    assert conversation is not None and case is not None
    assert conversation.state == "bot"
    assert conversation.dialogue == {"expecting": "rating", "case": case.number}
    assert case.outcome == "referred_mediation" and case.resolved_at is not None
    assert [n.text for n in notes] == ["Ghi chú bí mật: nghi ngờ lừa đảo"]
    assert transitions[-2:] == [
        ("waiting_staff", "with_staff", "staff:lan", "claim"),
        ("with_staff", "bot", "staff:lan", "resolved:referred_mediation"),
    ]
    assert len(staff_calls) == 3  # joined, the reply, the rating question
    assert all(call.status == "sent" for call in staff_calls)


async def test_release_transfer_and_return_to_bot(client: Client, console_app: ConsoleApp) -> None:
    chat = 703
    conversation_id = await handed_off(console_app, chat)
    base = f"/console/conversations/{conversation_id}"
    await client.login("lan")
    await client.get(base)
    await client.post(f"{base}/claim", {})
    await client.post(f"{base}/release", {})
    async with console_app.database.sessions() as session:
        case = await session.scalar(select(Case).where(Case.conversation_id == conversation_id))
    assert case is not None and case.assigned_to is None
    await client.post(f"{base}/claim", {})
    page = await client.get(base)
    assert "Lê Văn Minh" in page.text
    minh_id = await _user_id(console_app, "minh")
    await client.post(f"{base}/transfer", {"to": str(minh_id)})
    await client.post(f"{base}/reply", {"text": "không còn là của tôi"})
    minh = Client(console_app.url)
    try:
        await minh.login("minh")
        queue = await minh.get("/console/")
        assert "Đang xử lý: Lê Văn Minh" in queue.text
        await minh.get(base)
        await minh.post(f"{base}/return", {})
    finally:
        await minh.aclose()
    await eventually(lambda: _has(console_app, chat, "trợ lý tự động"))
    assert not any("không còn là của tôi" in t for t in texts_to(console_app.api, chat))
    async with console_app.database.sessions() as session:
        reasons = [
            (t.to_state, t.actor, t.reason)
            for t in await session.scalars(
                select(StateTransition)
                .where(StateTransition.conversation_id == conversation_id)
                .order_by(StateTransition.id)
            )
        ]
    assert reasons[1:] == [
        ("with_staff", "staff:lan", "claim"),
        ("waiting_staff", "staff:lan", "release"),
        ("with_staff", "staff:lan", "claim"),
        ("with_staff", "staff:lan", "transfer:minh"),
        ("bot", "staff:minh", "return_to_bot"),
    ]


async def _user_id(app: ConsoleApp, username: str) -> int:
    from bot.storage.models import StaffUser

    async with app.database.sessions() as session:
        user_id = await session.scalar(select(StaffUser.id).where(StaffUser.username == username))
    assert user_id is not None
    return user_id


async def _has(app: ConsoleApp, chat: int, fragment: str) -> bool:
    return any(fragment in text for text in texts_to(app.api, chat))


async def test_the_queue_streams_changes_and_flags_long_waits(
    client: Client, console_app: ConsoleApp
) -> None:
    import json
    from datetime import timedelta

    from sqlalchemy import update

    from bot.storage.models import utcnow

    await client.login("lan")
    cookie = f"console_session={client.cookies['console_session']}"
    events: list[dict[str, object]] = []
    async with client.http.stream("GET", "/console/events", headers={"Cookie": cookie}) as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        lines = stream.aiter_lines()
        conversation_id = 0
        async for line in lines:
            if line.startswith("data: "):
                events.append(json.loads(line[6:]))
                if len(events) == 1:
                    assert "Không có ai đang chờ" in str(events[0]["html"])
                    conversation_id = await handed_off(console_app, 704)
                elif f"/console/conversations/{conversation_id}" in str(events[-1]["html"]):
                    break
    assert events[-1]["waiting"] == 1 and events[-1]["overdue"] == 0

    async with console_app.database.sessions() as session, session.begin():
        await session.execute(
            update(StateTransition)
            .where(StateTransition.conversation_id == conversation_id)
            .values(created_at=utcnow() - timedelta(minutes=25))
        )
    page = await client.get("/console/")
    assert "Quá 10 phút" in page.text and "25 phút" in page.text
    assert 'class="alert "' in page.text  # the alert is shown (not hidden)


async def test_a_reply_the_citizen_cannot_receive_is_shown_as_failed(
    client: Client, console_app: ConsoleApp
) -> None:
    chat = 705
    conversation_id = await handed_off(console_app, chat)
    await client.login("lan")
    base = f"/console/conversations/{conversation_id}"
    await client.get(base)
    await client.post(f"{base}/claim", {})
    await eventually(lambda: _has(console_app, chat, "đã tham gia"))
    console_app.api.fail_next("sendMessage", status=403)  # the citizen blocked the bot
    await client.post(f"{base}/reply", {"text": "Chị còn ở đó không ạ?"})

    async def shown_failed() -> bool:
        return "Gửi không thành công" in (await client.get(base)).text

    await eventually(shown_failed)
    page = (await client.get(base)).text
    assert 'id="failed-deliveries"' in page and "1 tin nhắn không gửi được" in page


def _row(html: str, conversation_id: int) -> str:
    """The queue row of a conversation ("" when it is not listed)."""
    found = re.search(
        rf'<li class="qrow[^"]*" data-conversation="{conversation_id}">.*?</li>', html, re.S
    )
    return found.group(0) if found else ""


def _unread(row: str) -> int:
    found = re.search(r'class="badge count"[^>]*>(\d+)<', row)
    return int(found.group(1)) if found else 0


async def test_filters_unread_counts_and_the_closed_view(
    client: Client, console_app: ConsoleApp
) -> None:
    mine = await handed_off(console_app, 706)
    other = await handed_off(console_app, 707)
    await client.login("lan")
    await client.get(f"/console/conversations/{mine}")
    await client.post(f"/console/conversations/{mine}/claim", {})

    held = (await client.get("/console/?view=mine")).text
    assert _row(held, mine) and not _row(held, other)
    waiting = (await client.get("/console/?view=waiting")).text
    assert _row(waiting, other) and not _row(waiting, mine)
    assert "Chưa ai nhận <span" in waiting and 'data-count="waiting">1<' in waiting

    assert _unread(_row((await client.get("/console/")).text, other)) == 1  # the request
    await citizen_says(console_app, 707, "tôi vẫn đang chờ, rất gấp")

    async def two_unread() -> bool:
        return _unread(_row((await client.get("/console/")).text, other)) == 2

    await eventually(two_unread)
    row = _row((await client.get("/console/")).text, other)
    assert "tôi vẫn đang chờ, rất gấp" in row and "Telegram" in row
    await client.get(f"/console/conversations/{other}")
    assert _unread(_row((await client.get("/console/")).text, other)) == 0
    minh = Client(console_app.url)
    try:
        await minh.login("minh")
        assert _unread(_row((await minh.get("/console/")).text, other)) == 2  # unread per person
    finally:
        await minh.aclose()

    await client.post(
        f"/console/conversations/{mine}/resolve", {"outcome": "resolved", "confirm": "1"}
    )
    closed = (await client.get("/console/?view=closed")).text
    assert "Đã giải quyết" in _row(closed, mine) and not _row(closed, other)
    cookie = f"console_session={client.cookies['console_session']}"
    headers = {"Cookie": cookie}
    async with client.http.stream("GET", "/console/events?view=closed", headers=headers) as stream:
        async for line in stream.aiter_lines():
            if line.startswith("data: "):
                assert _row(json.loads(line[6:])["html"], mine)
                break


async def test_search_by_business_and_words_among_conversations_handed_to_staff(
    client: Client, console_app: ConsoleApp
) -> None:
    conversation_id = await handed_off(console_app, 708)
    base = f"/console/conversations/{conversation_id}"
    await client.login("lan")
    await client.get(base)
    await client.post(f"{base}/claim", {})
    await client.post(f"{base}/fields", {"key": "business", "value": "Điện máy Hoàng Long"})
    private = IncomingMessage("web", "rieng-708", "rieng-708", "Hoàng Long bán tủ lạnh lỗi", "m1")
    async with ConversationRecords(console_app.database).for_message(private) as record:
        record.record_incoming(private.text, ())

    found = (await client.get("/console/search?q=dien+may+hoang+long")).text
    assert f"/console/conversations/{conversation_id}" in found and "Điện máy Hoàng Long" in found
    words = (await client.get("/console/search?q=gặp+cán+bộ")).text
    assert f"/console/conversations/{conversation_id}" in words
    hidden = (await client.get("/console/search?q=tủ+lạnh+lỗi")).text
    assert f"/console/conversations/{record.id}" not in hidden and "0 kết quả" in hidden
    assert "0 kết quả" in (await client.get("/console/search?q=KN-2026-999999")).text
    admin = Client(console_app.url)
    try:
        await admin.login("quantri")
        everything = (await admin.get("/console/search?q=tủ+lạnh+lỗi")).text
        assert f"/console/conversations/{record.id}" in everything
    finally:
        await admin.aclose()


async def test_the_longest_waiting_citizen_is_claimed_without_picking(
    client: Client, console_app: ConsoleApp
) -> None:
    first = await handed_off(console_app, 709)
    second = await handed_off(console_app, 710)
    await client.login("lan")
    await client.get("/console/")
    taken = await client.post("/console/next", {})
    assert taken.headers["location"].startswith(f"/console/conversations/{first}?")
    minh = Client(console_app.url)
    try:
        await minh.login("minh")
        await minh.get("/console/")
        in_place = await minh.request(
            "POST", "/console/next", data={"csrf": minh.csrf}, headers={"X-Console-Fetch": "1"}
        )
        assert in_place.json()["conversation_id"] == second
        none_left = await minh.post("/console/next", {})
        assert none_left.headers["location"].startswith("/console/?msg=")
    finally:
        await minh.aclose()
    async with console_app.database.sessions() as session:
        holders = {
            case.conversation_id: case.assigned_to
            for case in await session.scalars(
                select(Case).where(Case.conversation_id.in_([first, second]))
            )
        }
    assert holders[first] != holders[second] and None not in holders.values()
