"""Property-based tests (Hypothesis) on every public endpoint and on the legal parser: whatever
arrives, the answer is never a 5xx and a rejected body stores nothing.

The app, its Telegram and Zalo loopback servers run in threads of their own, so that these
synchronous tests can call them while pytest's event loop is idle.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.app import create_app
from bot.nlu.server import RasaServer
from bot.storage.database import sqlite_path
from knowledge_base.legal import CorpusError, parse_text
from tests.conftest import CORPUS_DIR, bot_settings, sqlite_only
from tests.fakes.loopback import in_thread, serving
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.zalo_api import FakeZaloApi, signature_of

pytestmark = [pytest.mark.rasa, sqlite_only]

SECRET = "fuzz-secret"
APP_ID, OA_SECRET = "1234567890", "oa-secret-key"
EXAMPLES = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass(frozen=True)
class Target:
    url: str
    database: Path


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, rasa_server: RasaServer) -> Iterator[Target]:
    zalo = FakeZaloApi(app_id=APP_ID, app_secret="s", access_token="a", refresh_token="r")
    with in_thread(FakeBotApi) as telegram, in_thread(lambda: zalo):
        config = bot_settings(
            tmp_path_factory.mktemp("fuzz"),
            rasa_server,
            **telegram.settings(SECRET),
            **zalo.settings(OA_SECRET),
            web_messages_per_session="100000/minute",
            web_messages_per_address="100000/minute",
            web_new_sessions_per_address="100000/minute",
            web_updates_per_session="100000/minute",
        )
        app = create_app(config, lambda _: None)
        with in_thread(lambda: serving(app, lifespan="on")) as url:
            path = sqlite_path(config.resolved_database_url)
            assert path is not None
            yield Target(url, path)


def stored(target: Target) -> tuple[int, int]:
    """(inbox rows, web chat messages): what a request itself may store (the delivery worker
    stores the turns of accepted webhook messages later, on its own)."""
    with sqlite3.connect(target.database) as db:
        inbox = db.execute("SELECT count(*) FROM inbox").fetchone()[0]
        web = db.execute(
            "SELECT count(*) FROM messages JOIN conversations "
            "ON conversations.id = messages.conversation_id WHERE conversations.platform = 'web'"
        ).fetchone()[0]
    return int(inbox), int(web)


def post(target: Target, path: str, **kwargs: Any) -> httpx.Response:
    """POST and check the properties: no 5xx; a refused request stored nothing."""
    before = stored(target)
    response = httpx.post(f"{target.url}{path}", timeout=30, **kwargs)
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert stored(target) == before
    return response


json_leaf = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
)
json_value = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=15,
)


def maybe(valid: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Mostly the documented shape, sometimes anything at all."""
    return st.one_of(valid, valid, json_value)


ids = st.integers(min_value=1, max_value=2**40)
person = st.fixed_dictionaries(
    {"id": maybe(ids), "first_name": maybe(st.text(max_size=10)), "is_bot": maybe(st.booleans())}
)
telegram_message = st.fixed_dictionaries(
    {
        "message_id": maybe(ids),
        "date": maybe(st.integers(min_value=0, max_value=2**31)),
        "chat": maybe(st.fixed_dictionaries({"id": maybe(ids), "type": st.just("private")})),
        "from": maybe(person),
        "text": maybe(st.text(max_size=300)),
    }
)
telegram_update = st.fixed_dictionaries(
    {"update_id": maybe(ids), "message": maybe(telegram_message)}
)


@EXAMPLES
@given(body=st.one_of(telegram_update, json_value))
def test_telegram_webhook(target: Target, body: Any) -> None:
    post(
        target,
        "/webhooks/telegram",
        content=json.dumps(body).encode(),
        headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
    )


zalo_event = st.fixed_dictionaries(
    {
        "app_id": st.just(APP_ID),
        "event_name": maybe(st.sampled_from(["user_send_text", "user_send_image", "follow"])),
        "sender": maybe(st.fixed_dictionaries({"id": maybe(st.text(min_size=1, max_size=12))})),
        "follower": maybe(st.fixed_dictionaries({"id": maybe(st.text(max_size=12))})),
        "message": maybe(
            st.fixed_dictionaries(
                {
                    "msg_id": maybe(st.text(min_size=1, max_size=12)),
                    "text": maybe(st.text(max_size=300)),
                    "attachments": maybe(
                        st.lists(st.fixed_dictionaries({"payload": maybe(json_value)}))
                    ),
                }
            )
        ),
    }
)


@EXAMPLES
@given(event=zalo_event, stale=st.booleans())
def test_zalo_webhook_signed_events(target: Target, event: dict[str, Any], stale: bool) -> None:
    timestamp = str(int((time.time() - (3600 if stale else 0)) * 1000))
    raw = json.dumps(event | {"timestamp": timestamp}, ensure_ascii=False)
    mac = signature_of(APP_ID, raw, timestamp, OA_SECRET)
    response = post(
        target,
        "/webhooks/zalo",
        content=raw.encode(),
        headers={"X-ZEvent-Signature": f"mac={mac}"},
    )
    if stale:
        assert response.status_code == 403


@EXAMPLES
@given(body=st.binary(max_size=2000))
def test_zalo_webhook_arbitrary_bytes(target: Target, body: bytes) -> None:
    post(target, "/webhooks/zalo", content=body, headers={"X-ZEvent-Signature": "mac=00"})


@EXAMPLES
@given(body=st.one_of(json_value.map(lambda v: json.dumps(v).encode()), st.binary(max_size=500)))
def test_web_chat_api(target: Target, body: bytes) -> None:
    post(target, "/api/chat", content=body, headers={"Content-Type": "application/json"})


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@EXAMPLES
@given(
    body=st.one_of(st.binary(max_size=2000), st.binary(max_size=2000).map(PNG_SIGNATURE.__add__)),
    message_id=st.text(max_size=70),
)
def test_web_chat_photos(target: Target, body: bytes, message_id: str) -> None:
    """Bytes that merely start like a PNG, or anything at all: refused politely, never a 5xx."""
    post(target, f"/api/chat/photo?id={quote(message_id)}", content=body)


@EXAMPLES
@given(params=st.dictionaries(st.sampled_from(["after", "session", "x"]), st.text(max_size=30)))
def test_web_chat_mailbox(target: Target, params: dict[str, str]) -> None:
    response = httpx.get(f"{target.url}/api/chat/updates", params=params, timeout=30)
    assert response.status_code < 500


@EXAMPLES
@given(body=st.binary(max_size=500), path=st.sampled_from(["/console/login", "/console/logout"]))
def test_console_forms(target: Target, body: bytes, path: str) -> None:
    post(target, path, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_deeply_nested_bodies_are_refused_everywhere(target: Target) -> None:
    nested = b"[" * 100_000
    headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET, "X-ZEvent-Signature": "mac=00"}
    for path in ("/webhooks/telegram", "/webhooks/zalo", "/api/chat"):
        assert post(target, path, content=nested, headers=headers).status_code in (400, 401, 403)


# The legal parser

CORPUS_LINES = (CORPUS_DIR / "luat-19-2023-qh15.txt").read_text(encoding="utf-8").splitlines()


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(max_size=2000),
        st.lists(st.sampled_from(CORPUS_LINES), max_size=80).map("\n".join),
        st.lists(st.sampled_from(CORPUS_LINES[:40]), max_size=80).map("\n".join),
    )
)
def test_the_legal_parser_reads_or_names_the_problem(text: str) -> None:
    """Any text, a shuffled or cut official text: a document, or a CorpusError saying what is
    wrong; never anything else."""
    try:
        parse_text(text, Path("fuzz.txt"))
    except CorpusError as error:
        assert error.reason
