"""`python -m bot serve` as a real server: the web chat page, its API, /healthz and /readyz."""

from __future__ import annotations

import io
import os
import re
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from PIL import Image
from sqlalchemy import select

from bot.delivery.store import DeliveryStore
from bot.nlu.server import RasaServer
from bot.storage.database import Database
from bot.storage.models import Conversation
from tests.conftest import fresh_database_url, unused_port

LAW_QUESTION = "mua hàng online bị lỗi có được đổi trả không"
EXIF_GPS_INFO = 0x8825


def serve(data_dir: Path, database_url: str, rasa_url: str, rasa_token: str) -> Iterator[str]:
    port = unused_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "RASA_URL": rasa_url,
        "RASA_TOKEN": rasa_token,
        "RASA_AUTOSTART": "false",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/healthz", timeout=1)
            break
        except httpx.TransportError:
            assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
            time.sleep(0.3)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture(scope="module")
def web_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("web")


@pytest.fixture(scope="module")
def web_database_url(web_data_dir: Path) -> str:
    return fresh_database_url(web_data_dir)


@pytest.fixture(scope="module")
def app_url(web_data_dir: Path, web_database_url: str, rasa_server: RasaServer) -> Iterator[str]:
    yield from serve(web_data_dir, web_database_url, rasa_server.url, rasa_server.token)


@pytest.fixture(scope="module")
def app_without_rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data_dir = tmp_path_factory.mktemp("web-no-rasa")
    yield from serve(
        data_dir, fresh_database_url(data_dir), f"http://127.0.0.1:{unused_port()}", "x"
    )


class Citizen:
    """A browser on the chat page: it keeps the session cookie the server issues (the cookie is
    ``Secure``, which httpx would not send back over the test's plain HTTP on loopback)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookie = ""

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        headers = {"Cookie": f"chat_session={self.cookie}"} if self.cookie else {}
        response = httpx.request(
            method,
            f"{self.url}{path}",
            headers=headers,
            timeout=30,
            **kwargs,  # type: ignore[arg-type]
        )
        if issued := response.cookies.get("chat_session"):
            self.cookie = issued
        return response

    def open_page(self) -> httpx.Response:
        return self.request("GET", "/")

    def say(self, text: str, **extra: object) -> httpx.Response:
        return self.request("POST", "/api/chat", json={"text": text, **extra})

    def updates(self, after: int | str = 0) -> httpx.Response:
        return self.request("GET", "/api/chat/updates", params={"after": after})


def chat(url: str, text: str) -> httpx.Response:
    """A first message from a new visitor."""
    return Citizen(url).say(text)


def test_the_chat_page_is_served_in_vietnamese(app_url: str) -> None:
    page = httpx.get(f"{app_url}/")
    assert page.status_code == 200
    assert 'lang="vi"' in page.text and "Hỏi đáp quyền lợi người tiêu dùng" in page.text
    assert 'name="viewport"' in page.text


def test_a_law_question_is_answered_with_a_citation(app_url: str) -> None:
    reply = chat(app_url, LAW_QUESTION).json()
    assert reply["action"] == "answer"
    assert reply["citations"] and "Điều" in reply["text"]


def test_readiness_reports_every_dependency_and_liveness_only_that_the_process_answers(
    app_url: str,
) -> None:
    ready = httpx.get(f"{app_url}/readyz").json()
    assert ready["status"] == "ok" and ready["problems"] == []
    assert ready["rasa"] == "up" and ready["database"] == "up"
    assert ready["index"]["chunks"] > 1000
    assert ready["maintenance"] is False
    assert httpx.get(f"{app_url}/healthz").json() == {"status": "alive"}


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"text": 12}', b'{"message_id": "m1"}', b"[" * 100_000],
)
def test_malformed_requests_get_a_polite_answer(app_url: str, body: bytes) -> None:
    response = httpx.post(f"{app_url}/api/chat", content=body)
    assert response.status_code == 400
    assert "vui lòng" in response.json()["text"]


def test_html_in_a_message_is_returned_as_text_never_rendered(app_url: str) -> None:
    reply = chat(app_url, "<script>alert(1)</script> bảo hành").json()
    assert "<script>" not in reply["text"]
    page = httpx.get(f"{app_url}/")
    script = httpx.get(f"{app_url}/static/chat.js").text
    assert "<script" not in page.text.split("</head>")[1].replace(
        '<script src="/static/chat.js"></script>', ""
    )
    assert "textContent" in script and "innerHTML" not in script
    assert "script-src 'self'" in page.headers["content-security-policy"]


def test_rasa_down_readiness_says_so_and_law_questions_are_still_answered(
    app_without_rasa_url: str,
) -> None:
    health = httpx.get(f"{app_without_rasa_url}/readyz")
    assert health.status_code == 200
    assert health.json()["rasa"] == "down" and health.json()["status"] == "degraded"
    assert any(problem.startswith("rasa ") for problem in health.json()["problems"])
    reply = chat(app_without_rasa_url, LAW_QUESTION).json()
    assert reply["action"] == "answer" and reply["citations"]


async def test_a_later_message_from_staff_reaches_the_page_of_that_session_only(
    app_url: str, web_database_url: str
) -> None:
    citizen, other = Citizen(app_url), Citizen(app_url)
    assert citizen.say("cho tôi gặp cán bộ").json()["action"] == "handoff"
    assert citizen.say("tôi vẫn đang chờ").json() == {"stored": True}
    database = Database(web_database_url)
    session = await _session_of_last_web_conversation(database)
    await DeliveryStore(database).enqueue("web", session, [{"text": "Chào bạn, tôi là Lan."}])
    await database.dispose()
    [message] = citizen.updates().json()["messages"]
    assert message["text"] == "Chào bạn, tôi là Lan."
    assert citizen.updates(after=message["id"]).json()["messages"] == []
    other.open_page()
    assert other.updates().json()["messages"] == []


async def _session_of_last_web_conversation(database: Database) -> str:
    async with database.sessions() as session:
        found = await session.scalar(
            select(Conversation.chat_id)
            .where(Conversation.platform == "web")
            .order_by(Conversation.id.desc())
        )
    assert found
    return found


def test_the_session_is_a_signed_http_only_cookie_issued_by_the_server(app_url: str) -> None:
    page = httpx.get(f"{app_url}/")
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("chat_session=")
    assert "HttpOnly" in cookie and "Secure" in cookie and "samesite=strict" in cookie.lower()
    script = httpx.get(f"{app_url}/static/chat.js").text
    assert "Math.random" not in script and "Date.now" not in script and "session" not in script


async def test_a_session_the_client_chose_or_forged_is_never_used(
    app_url: str, web_database_url: str
) -> None:
    """A made-up cookie, another citizen's ID in the body: the message goes to a new session
    of the server's own, never into the conversation the client named."""
    victim = Citizen(app_url)
    assert victim.say("cho tôi gặp cán bộ").json()["action"] == "handoff"
    database = Database(web_database_url)
    victim_session = await _session_of_last_web_conversation(database)
    attacker = Citizen(app_url)
    attacker.cookie = victim_session  # the bare ID, without the server's signature
    response = attacker.say("quay lại bot", session=victim_session)
    assert response.status_code == 200 and response.json().get("stored") is not True
    assert attacker.cookie and victim_session not in attacker.cookie
    assert attacker.updates().json()["messages"] == []
    async with database.sessions() as session:
        held = await session.scalar(
            select(Conversation.state).where(Conversation.chat_id == victim_session)
        )
    await database.dispose()
    assert held == "waiting_staff"  # the attacker could not take it back to the bot


def test_too_many_messages_from_one_session_are_refused_politely(app_url: str) -> None:
    citizen = Citizen(app_url)
    statuses = [citizen.say(f"câu hỏi số {n}").status_code for n in range(21)]
    assert statuses[:20] == [200] * 20
    refused = citizen.say("thêm một câu")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) >= 1
    assert "chờ" in refused.json()["text"]


def test_an_oversized_message_is_refused_politely_and_the_next_is_answered(app_url: str) -> None:
    citizen = Citizen(app_url)
    too_long = citizen.say("x" * 4001)
    assert too_long.status_code == 413 and "4.000" in too_long.json()["text"]
    started = time.monotonic()
    huge = citizen.request("POST", "/api/chat", content=b'{"text": "' + b"a" * 1_000_000 + b'"}')
    assert huge.status_code == 413 and time.monotonic() - started < 1.0
    assert citizen.say("xin chào").status_code == 200


@pytest.mark.parametrize("after", ["²", "-1", "1e3", "9" * 19, ""])
def test_bad_mailbox_positions_are_refused(app_url: str, after: str) -> None:
    response = Citizen(app_url).updates(after=after)
    assert response.status_code == 400 and "vui lòng" in response.json()["text"]


def test_the_web_chat_has_no_webhook(app_url: str) -> None:
    response = httpx.post(f"{app_url}/webhooks/web", json={"session": "x" * 10, "text": "hi"})
    assert response.status_code == 404


def _jpeg_with_location() -> bytes:
    """A phone photo: a JPEG whose EXIF says where it was taken."""
    picture = Image.new("RGB", (40, 30), (10, 120, 200))
    exif = Image.Exif()
    exif[EXIF_GPS_INFO] = {1: "N", 2: (21.0, 1.0, 40.0)}
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_checked_by_its_content_and_kept_without_its_location(
    app_url: str, web_data_dir: Path
) -> None:
    citizen = Citizen(app_url)
    citizen.open_page()
    photo = _jpeg_with_location()
    assert Image.open(io.BytesIO(photo)).getexif().get(EXIF_GPS_INFO)
    answer = citizen.request("POST", "/api/chat/photo", params={"id": "anh-1"}, content=photo)
    assert answer.status_code == 200 and "đã nhận ảnh" in answer.json()["text"]
    folder = web_data_dir / "attachments"
    [stored] = sorted(folder.iterdir(), key=lambda p: p.stat().st_mtime)[-1:]
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    kept = Image.open(stored)
    assert kept.format == "JPEG" and kept.size == (40, 30)
    assert not kept.getexif().get(EXIF_GPS_INFO)

    svg = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"
    refused = citizen.request("POST", "/api/chat/photo", params={"id": "anh-2"}, content=svg)
    assert refused.status_code == 415 and "JPEG, PNG hoặc WebP" in refused.json()["text"]
    huge = citizen.request(
        "POST", "/api/chat/photo", params={"id": "anh-3"}, content=b"\xff" * (6 * 1024 * 1024)
    )
    assert huge.status_code == 413
    unnamed = citizen.request("POST", "/api/chat/photo", params={"id": "../x"}, content=photo)
    assert unnamed.status_code == 400
    limits = citizen.request("GET", "/api/chat/history").json()["photos"]
    assert limits["max_bytes"] == 5 * 1024 * 1024 and "5 MB" in limits["too_large"]


async def test_the_history_after_a_reload_is_the_sessions_own(
    app_url: str, web_database_url: str
) -> None:
    citizen, other = Citizen(app_url), Citizen(app_url)
    handed = citizen.say("cho tôi gặp cán bộ").json()["text"]
    number = re.search(r"KN-\d{4}-\d{6}", handed)
    assert number
    shown = citizen.request("GET", "/api/chat/history").json()
    texts = [m["text"] for m in shown["messages"]]
    assert texts[0] == "cho tôi gặp cán bộ" and number.group(0) in texts[1]
    assert [m["who"] for m in shown["messages"]] == ["citizen", "bot"]
    other.open_page()
    assert other.request("GET", "/api/chat/history").json()["messages"] == []
    database = Database(web_database_url)
    session = await _session_of_last_web_conversation(database)
    await DeliveryStore(database).enqueue("web", session, [{"text": "Chào bạn, tôi là Lan."}])
    await database.dispose()
    [later] = citizen.updates(after=shown["after"]).json()["messages"]
    assert later["text"] == "Chào bạn, tôi là Lan."
