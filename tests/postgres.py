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


@contextmanager
def postgres_server() -> Iterator[str]:
    """A running server with an empty database; yields its SQLAlchemy async URL."""
    root = Path(tempfile.mkdtemp(prefix="pg-"))
    data = root / "data"
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    port = unused_port()
    subprocess.run(
        _as_postgres([_binary("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]),
        check=True,
        capture_output=True,
    )
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
    # The server inherits pg_ctl's output: a log file, not a pipe we would wait on forever.
    log = root / "server.log"
    subprocess.run(
        _as_postgres(
            [_binary("pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]
        ),
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        subprocess.run(
            _as_postgres(
                [
                    "psql",
                    "-h",
                    str(root),
                    "-p",
                    str(port),
                    "-U",
                    "postgres",
                    "-c",
                    "CREATE DATABASE bot",
                ]
            ),
            check=True,
            capture_output=True,
        )
        yield f"postgresql+asyncpg://postgres@127.0.0.1:{port}/bot"
    finally:
        subprocess.run(
            _as_postgres([_binary("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


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
