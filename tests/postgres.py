"""PostgreSQL for tests: a throwaway server (Debian's postgresql binaries, run as the
``postgres`` user when the tests run as root), and fresh databases on a server for the
second CI pass (``TEST_DATABASE_URL``). ``python -m tests.postgres COMMAND…`` runs a command
with a throwaway server's URL in ``TEST_DATABASE_URL``."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from bot.storage.database import migrate
from tests.conftest import unused_port

T = TypeVar("T")


def _as_postgres(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _binary(name: str) -> str:
    found = shutil.which(name) or next(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), None)
    if found is None:
        pytest.skip(f"PostgreSQL's {name} is not installed (apt-get install postgresql)")
    return str(found)


def _reachable_temp_dir() -> str:
    """A temporary directory the ``postgres`` user can reach (some machines keep /tmp
    private to root)."""
    for candidate in (tempfile.gettempdir(), "/var/tmp"):
        if os.stat(candidate).st_mode & 0o001:
            return candidate
    return tempfile.gettempdir()


class ThrowawayPostgres:
    """A server in a temporary directory, with an empty database ``bot``; ``durable``: with
    fsync (as a real deployment runs), else without (faster tests)."""

    def __init__(self, durable: bool = False) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="pg-", dir=_reachable_temp_dir()))
        self._data = self.root / "data"
        if os.geteuid() == 0:
            shutil.chown(self.root, "postgres")
        self.port = unused_port()
        subprocess.run(
            _as_postgres(
                [_binary("initdb"), "-D", str(self._data), "-U", "postgres", "--auth=trust"]
            ),
            check=True,
            capture_output=True,
        )
        self._options = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
        if not durable:
            self._options += " -c fsync=off"

    @property
    def url(self) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/bot"

    def start(self) -> None:
        # The server inherits pg_ctl's output: a log file, not a pipe we would wait on forever.
        log = self.root / "server.log"
        self._pg_ctl("-o", self._options, "-l", str(log), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._pg_ctl("-m", mode, "-w", "stop")

    def create_database(self) -> None:
        subprocess.run(
            _as_postgres(
                [
                    "psql",
                    "-h",
                    str(self.root),
                    "-p",
                    str(self.port),
                    "-U",
                    "postgres",
                    "-c",
                    "CREATE DATABASE bot",
                ]
            ),
            check=True,
            capture_output=True,
        )

    def remove(self) -> None:
        subprocess.run(
            _as_postgres([_binary("pg_ctl"), "-D", str(self._data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)

    def _pg_ctl(self, *arguments: str) -> None:
        subprocess.run(
            _as_postgres([_binary("pg_ctl"), "-D", str(self._data), *arguments]),
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


@contextmanager
def running_postgres(durable: bool = False) -> Iterator[ThrowawayPostgres]:
    """A running throwaway server with an empty database ``bot``, removed on exit."""
    server = ThrowawayPostgres(durable)
    try:
        server.start()
        server.create_database()
        yield server
    finally:
        server.remove()


@contextmanager
def postgres_server() -> Iterator[str]:
    """A running server with an empty database; yields its SQLAlchemy async URL."""
    with running_postgres() as server:
        yield server.url


TEMPLATE = "bot_template"


def _on_own_loop(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``work()`` to completion on an event loop of its own thread (callers may be inside
    a running loop, or not)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, work()).result()


class FreshDatabases:
    """Fresh, migrated databases on one PostgreSQL server (the second CI pass): a template is
    migrated once, each database is a copy of it; all are dropped at the end."""

    def __init__(self, server_url: str) -> None:
        self._server = make_url(server_url)
        self._created: list[str] = []
        self._template_ready = False

    def _dsn(self) -> str:
        return self._server.set(drivername="postgresql").render_as_string(hide_password=False)

    def _admin(self, *statements: str) -> None:
        async def run() -> None:
            connection = await asyncpg.connect(self._dsn())
            try:
                for statement in statements:
                    await connection.execute(statement)
            finally:
                await connection.close()

        _on_own_loop(run)

    def create(self) -> str:
        if not self._template_ready:
            self._admin(f"DROP DATABASE IF EXISTS {TEMPLATE}", f"CREATE DATABASE {TEMPLATE}")
            template_url = self._url(TEMPLATE)
            _on_own_loop(lambda: migrate(template_url))
            self._template_ready = True
        name = f"test_{uuid.uuid4().hex[:20]}"
        self._admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE}")
        self._created.append(name)
        return self._url(name)

    def _url(self, name: str) -> str:
        return self._server.set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        names = [*self._created, TEMPLATE] if self._template_ready else self._created
        self._admin(*(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)" for name in names))
        self._created.clear()


def main() -> None:
    """Run the command given with a throwaway server's URL in ``TEST_DATABASE_URL``."""
    import sys

    with postgres_server() as url:
        server = make_url(url).set(database="postgres").render_as_string(hide_password=False)
        finished = subprocess.run(sys.argv[1:], env=os.environ | {"TEST_DATABASE_URL": server})
    raise SystemExit(finished.returncode)


if __name__ == "__main__":
    main()
