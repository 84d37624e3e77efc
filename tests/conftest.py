"""Shared fixtures: the real corpus, a real Chroma index in a temp dir, guards against downloads,
a real Rasa server on a free port."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from chromadb.api.types import DefaultEmbeddingFunction
from chromadb.utils.embedding_functions.onnx_mini_lm_l6_v2 import ONNXMiniLM_L6_V2

from bot.core.messages import IncomingMessage, OutgoingMessage
from bot.core.ports import Clock, IntentParser
from bot.delivery.conversations import ConversationService
from bot.delivery.store import DeliveryStore
from bot.delivery.turns import Turns
from bot.nlu.server import RasaServer
from bot.runtime import build_pipeline, local_now
from bot.settings import PROJECT_ROOT, Settings
from bot.storage.conversations import ConversationRecords
from bot.storage.database import Database, migrate
from bot.storage.switches import Maintenance
from connectors.base import Connector
from knowledge_base.service import KnowledgeBase

CORPUS_DIR = PROJECT_ROOT.parent / "shared" / "corpus"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")
"""A PostgreSQL server (``postgresql+asyncpg://user@host:port/postgres``) for the second CI
pass: every test database is then a fresh one on it. Empty: SQLite files."""
ON_POSTGRES = bool(TEST_DATABASE_URL)
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="works on the SQLite file itself")
_postgres_databases: list[Any] = []


def fresh_database_url(directory: Path) -> str:
    """A new, empty database of the test's own: a SQLite file in ``directory``, or (second
    pass) a fresh migrated database on ``TEST_DATABASE_URL``'s server."""
    if not ON_POSTGRES:
        return f"sqlite+aiosqlite:///{directory / 'bot.db'}"
    if not _postgres_databases:
        from tests.postgres import FreshDatabases

        _postgres_databases.append(FreshDatabases(TEST_DATABASE_URL))
    return str(_postgres_databases[0].create())


_shared_index: list[Path] = []


def shared_index_dir() -> Path:
    """One index directory for the apps tests start: each test's fresh database builds its
    index generations there, and only what differs from an earlier test's is embedded."""
    if not _shared_index:
        _shared_index.append(Path(tempfile.mkdtemp(prefix="test-index-")))
    return _shared_index[0]


@pytest.fixture(autouse=True, scope="session")
def remove_shared_index() -> Iterator[None]:
    yield
    for directory in _shared_index:
        shutil.rmtree(directory, ignore_errors=True)


@pytest.fixture(autouse=True, scope="session")
def drop_test_databases() -> Iterator[None]:
    yield
    for databases in _postgres_databases:
        databases.drop_all()


def _forbidden(*args: object, **kwargs: object) -> None:
    raise AssertionError("Chroma's default embedding function ran: it would download a model")


@pytest.fixture(autouse=True, scope="session")
def no_default_embedding() -> Iterator[None]:
    """Fail any test in which Chroma's default (downloading) embedding function runs."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DefaultEmbeddingFunction, "__call__", _forbidden)
        patch.setattr(ONNXMiniLM_L6_V2, "__call__", _forbidden)
        patch.setattr(ONNXMiniLM_L6_V2, "_download_model_if_not_exists", _forbidden)
        yield


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS_DIR


@pytest.fixture(scope="session")
def kb_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("chroma")


@pytest.fixture(scope="session")
def knowledge_base(kb_dir: Path) -> KnowledgeBase:
    """The whole real corpus and guidance, indexed once per test session."""
    return KnowledgeBase.open(CORPUS_DIR, kb_dir)


def unused_port() -> int:
    """A loopback TCP port that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def free_port() -> int:
    return unused_port()


@pytest.fixture(scope="session")
async def rasa_server(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RasaServer]:
    """A real Rasa server (`.url`, `.token`) on a free port, once per session; trains if needed."""
    settings = Settings()
    server = RasaServer(
        f"http://127.0.0.1:{unused_port()}",
        secrets.token_urlsafe(16),
        project_dir=settings.rasa_project_dir,
        rasa_venv=settings.rasa_venv,
        log_dir=tmp_path_factory.mktemp("rasa-logs"),
        startup_timeout_s=settings.rasa_startup_timeout_s,
    )
    async with server:
        yield server


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated database of the test's own (SQLite, or PostgreSQL in the second pass)."""
    url = fresh_database_url(tmp_path)
    await migrate(url)
    database = Database(url)
    yield database
    await database.dispose()


def bot_settings(data_dir: Path, rasa: RasaServer, **extra: Any) -> Settings:
    """Settings of a bot app using the session's Rasa server, its own data directory, its own
    database and the session's index directory."""
    if ON_POSTGRES and "database_url" not in extra:
        extra["database_url"] = fresh_database_url(data_dir)
    extra.setdefault("chroma_dir", shared_index_dir())
    return Settings(
        data_dir=data_dir,
        rasa_url=rasa.url,
        rasa_token=rasa.token,
        rasa_autostart=False,
        **extra,
    )


class BotUnderTest:
    """The whole path of a turn as the web chat and the command line take it (inbox, stages,
    one transaction), and the staff actions, on a database of the test's choosing."""

    def __init__(
        self,
        database: Database,
        knowledge_base: KnowledgeBase,
        parser: IntentParser,
        settings: Settings | None = None,
        clock: Clock = local_now,
        connectors: dict[str, Connector] | None = None,
    ) -> None:
        self.maintenance = Maintenance(database)
        pipeline = build_pipeline(
            settings or Settings(), knowledge_base, parser, self.maintenance, clock
        )
        self.records = ConversationRecords(database)
        self.store = DeliveryStore(database)
        self.turns = Turns(self.records, pipeline, self.store, connectors or {})
        self.conversations = ConversationService(self.records, self.store, connectors or {})

    async def say(self, message: IncomingMessage) -> OutgoingMessage | None:
        """The reply to ``message`` (given a fresh message ID if it has none)."""
        if message.message_id is None:
            message = replace(message, message_id=uuid.uuid4().hex)
        return (await self.turns.answer_now(message)).reply
