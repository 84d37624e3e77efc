"""The deployment that the load and fault runs drive, as real processes on loopback:
`python -m bot serve` (one or several workers), a Rasa server, SQLite or a throwaway PostgreSQL
server, a Chroma server when there are several workers, and the loopback Telegram Bot API of
the test suite (in the calling process)."""

from __future__ import annotations

import asyncio
import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import ExitStack, asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from bench.turns import free_port
from bot.nlu.server import RasaServer
from bot.settings import PROJECT_ROOT, Settings
from tests.chroma import chroma_server
from tests.fakes.telegram_api import FakeBotApi
from tests.postgres import ThrowawayPostgres, running_postgres

SECRET = "load-secret"
SERVE = [sys.executable, "-m", "bot", "serve"]
START_TIMEOUT_S = 240.0
POLL_S = 0.2
LIFTED_TELEGRAM_LIMIT = 1000.0
"""Telegram's 30 messages/s for the whole bot is lifted in load runs: they measure the bot."""


@dataclass
class Deployment:
    api: FakeBotApi
    data_dir: Path
    database_url: str
    workers: int
    rasa: RasaServer
    env: dict[str, str]
    postgres: ThrowawayPostgres | None = None
    port: int = field(default_factory=free_port)
    bot: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start_bot(self) -> None:
        """Start `serve` and wait until it is ready (its readiness check answers 200)."""
        log = (self.data_dir / "bot.log").open("ab")
        self.bot = subprocess.Popen(
            [*SERVE, "--port", str(self.port), "--workers", str(self.workers)],
            env=self.env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        async with httpx.AsyncClient(timeout=2.0) as client:
            while time.monotonic() < deadline:
                assert self.bot.poll() is None, f"the bot exited; see {self.data_dir / 'bot.log'}"
                try:
                    if (await client.get(f"{self.url}/readyz")).status_code == httpx.codes.OK:
                        return
                except httpx.TransportError:
                    pass
                await asyncio.sleep(POLL_S)
        raise TimeoutError("the bot did not become ready")

    def worker_pids(self) -> list[int]:
        """The processes answering webhooks: the workers (or the one process)."""
        if self.bot is None:
            return []
        if self.workers == 1:
            return [self.bot.pid]
        children = psutil.Process(self.bot.pid).children()
        return [c.pid for c in children if "spawn_main" in " ".join(c.cmdline())]

    def kill_worker(self) -> int:
        """kill -9 one worker (uvicorn's supervisor starts another; the only process stays
        down until ``start_bot``); its pid."""
        pid = self.worker_pids()[0]
        os.kill(pid, signal.SIGKILL)
        if self.bot is not None and pid == self.bot.pid:
            self.bot.wait()
        return pid

    def stop_bot(self) -> None:
        if self.bot is None or self.bot.poll() is not None:
            return
        os.killpg(self.bot.pid, signal.SIGTERM)
        try:
            self.bot.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.bot.pid, signal.SIGKILL)
            self.bot.wait()

    def processes(self) -> dict[str, list[psutil.Process]]:
        """The processes of each part, for CPU and memory figures."""
        bot = psutil.Process(self.bot.pid) if self.bot else None
        rasa = psutil.Process(self.rasa.pid) if self.rasa.pid else None
        parts = {
            "bot": [bot, *bot.children(recursive=True)] if bot else [],
            "rasa": [rasa, *rasa.children(recursive=True)] if rasa else [],
            "generator": [psutil.Process()],
        }
        if self.database_url.startswith("postgresql"):
            parts["postgres"] = _listening_on(int(self.database_url.split(":")[-1].split("/")[0]))
        return parts


def _listening_on(port: int) -> list[psutil.Process]:
    for connection in psutil.net_connections("tcp"):
        if connection.laddr and connection.laddr.port == port and connection.pid:
            server = psutil.Process(connection.pid)
            return [server, *server.children(recursive=True)]
    return []


@asynccontextmanager
async def deployment(
    api: FakeBotApi,
    data_dir: Path,
    *,
    workers: int = 1,
    postgres: bool = False,
    **settings: str,
) -> AsyncIterator[Deployment]:
    """The whole deployment, started (the bot ready) and stopped on exit. ``postgres``: a
    throwaway PostgreSQL server, durable (fsync on) as a real one. ``settings``: more
    environment variables of the bot."""
    defaults = Settings()
    rasa = RasaServer(
        f"http://127.0.0.1:{free_port()}",
        secrets.token_urlsafe(16),
        project_dir=defaults.rasa_project_dir,
        rasa_venv=defaults.rasa_venv,
        log_dir=data_dir / "logs",
        startup_timeout_s=defaults.rasa_startup_timeout_s,
    )
    with ExitStack() as stack:
        server = stack.enter_context(running_postgres(durable=True)) if postgres else None
        database_url = server.url if server else f"sqlite+aiosqlite:///{data_dir / 'bot.db'}"
        env = os.environ | {
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "RASA_URL": rasa.url,
            "RASA_TOKEN": rasa.token,
            "RASA_AUTOSTART": "false",
            "TELEGRAM_MESSAGES_PER_S": str(LIFTED_TELEGRAM_LIMIT),
            "RETENTION_INTERVAL_H": "0",
            **api.settings(SECRET),
        }
        env = {key.upper(): value for key, value in env.items()} | {
            key.upper(): value for key, value in settings.items()
        }
        if workers > 1:
            env["CHROMA_URL"] = stack.enter_context(chroma_server(data_dir / "chroma"))
        await rasa.start()
        running = Deployment(api, data_dir, database_url, workers, rasa, env, server)
        try:
            await running.start_bot()
            yield running
        finally:
            running.stop_bot()
            await rasa.stop()
