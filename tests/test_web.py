"""`python -m bot serve` as a real server: the web chat page, its API and /healthz."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.delivery.store import DeliveryStore
from bot.nlu.server import RasaServer
from bot.storage.database import Database
from tests.conftest import unused_port

LAW_QUESTION = "mua hàng online bị lỗi có được đổi trả không"


def serve(data_dir: Path, rasa_url: str, rasa_token: str) -> Iterator[str]:
    port = unused_port()
    env = {
        **os.environ,
        "DATA_DIR": str(data_dir),
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
def app_url(web_data_dir: Path, rasa_server: RasaServer) -> Iterator[str]:
    yield from serve(web_data_dir, rasa_server.url, rasa_server.token)


@pytest.fixture(scope="module")
def app_without_rasa_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    yield from serve(
        tmp_path_factory.mktemp("web-no-rasa"), f"http://127.0.0.1:{unused_port()}", "x"
    )


def chat(url: str, text: str, session: str = "session-0001", **extra: object) -> httpx.Response:
    return httpx.post(
        f"{url}/api/chat", json={"session": session, "text": text, **extra}, timeout=30
    )


def test_the_chat_page_is_served_in_vietnamese(app_url: str) -> None:
    page = httpx.get(f"{app_url}/")
    assert page.status_code == 200
    assert 'lang="vi"' in page.text and "Hỏi đáp quyền lợi người tiêu dùng" in page.text
    assert 'name="viewport"' in page.text


def test_a_law_question_is_answered_with_a_citation(app_url: str) -> None:
    reply = chat(app_url, LAW_QUESTION).json()
    assert reply["action"] == "answer"
    assert reply["citations"] and "Điều" in reply["text"]


def test_health_reports_every_dependency(app_url: str) -> None:
    health = httpx.get(f"{app_url}/healthz").json()
    assert health["status"] == "ok"
    assert health["rasa"] == "up" and health["database"] == "up"
    assert health["index"]["chunks"] > 1000


@pytest.mark.parametrize(
    "body",
    [b"not json", b"[]", b'{"session": "x", "text": "hi"}', b'{"session": "session-1"}'],
)
def test_malformed_requests_get_a_polite_answer(app_url: str, body: bytes) -> None:
    response = httpx.post(f"{app_url}/api/chat", content=body)
    assert response.status_code == 400
    assert "vui lòng" in response.json()["text"]


def test_html_in_a_message_is_returned_as_text_never_rendered(app_url: str) -> None:
    reply = chat(app_url, "<script>alert(1)</script> bảo hành", session="session-html").json()
    assert "<script>" not in reply["text"]
    page = httpx.get(f"{app_url}/").text
    assert "textContent" in page and "innerHTML" not in page.split("<script>")[1]


def test_rasa_down_health_says_so_and_law_questions_are_still_answered(
    app_without_rasa_url: str,
) -> None:
    health = httpx.get(f"{app_without_rasa_url}/healthz")
    assert health.status_code == 200
    assert health.json()["rasa"] == "down" and health.json()["status"] == "degraded"
    reply = chat(app_without_rasa_url, LAW_QUESTION).json()
    assert reply["action"] == "answer" and reply["citations"]


async def test_a_later_message_from_staff_reaches_the_page(
    app_url: str, web_data_dir: Path
) -> None:
    session = "session-staff"
    assert chat(app_url, "cho tôi gặp cán bộ", session=session).json()["action"] == "handoff"
    assert chat(app_url, "tôi vẫn đang chờ", session=session).json() == {"stored": True}
    database = Database(f"sqlite+aiosqlite:///{web_data_dir / 'bot.db'}")
    await DeliveryStore(database).enqueue("web", session, [{"text": "Chào bạn, tôi là Lan."}])
    await database.dispose()
    updates = httpx.get(f"{app_url}/api/chat/updates", params={"session": session, "after": 0})
    [message] = updates.json()["messages"]
    assert message["text"] == "Chào bạn, tôi là Lan."
    later = {"session": session, "after": message["id"]}
    assert httpx.get(f"{app_url}/api/chat/updates", params=later).json()["messages"] == []
    other = {"session": "session-other", "after": 0}
    assert httpx.get(f"{app_url}/api/chat/updates", params=other).json()["messages"] == []
