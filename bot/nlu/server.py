"""A `rasa run` server: reuse one that already answers, otherwise start (and later stop) our own."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path
from types import TracebackType
from typing import IO
from urllib.parse import urlsplit

from bot.nlu.client import RasaClient
from bot.nlu.model import Log, RasaSetupError, ensure_model, rasa_env, rasa_executable, tail
from bot.settings import Settings
from bot.storage.secrets import stored_secret

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
POLL_INTERVAL_S = 0.5
STOP_GRACE_S = 5.0
TOKEN_LAUNCHER = Path(__file__).with_name("rasa_with_token.py")


def resolve_rasa_token(settings: Settings) -> str:
    """The configured token, else one generated once and kept in `data_dir/rasa-token` (0600)."""
    return settings.rasa_token or stored_secret(settings.data_dir, "rasa-token")


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class RasaServer:
    """Owns a `rasa run` subprocess only when it had to start one; `stop()` ends only that."""

    def __init__(
        self,
        url: str,
        token: str,
        *,
        project_dir: Path,
        rasa_venv: Path,
        log_dir: Path,
        autostart: bool = True,
        startup_timeout_s: float = 180.0,
        log: Log = _stderr,
    ) -> None:
        self.url = url.rstrip("/")
        self.token = token
        self._project_dir = project_dir.absolute()
        self._rasa_venv = rasa_venv
        self._log_dir = log_dir
        self._autostart = autostart
        self._startup_timeout_s = startup_timeout_s
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None
        self._output: IO[bytes] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, token: str, log: Log = _stderr) -> RasaServer:
        return cls(
            settings.rasa_urls[0],
            token,
            project_dir=settings.rasa_project_dir,
            rasa_venv=settings.rasa_venv,
            log_dir=settings.data_dir / "logs",
            autostart=settings.rasa_autostart,
            startup_timeout_s=settings.rasa_startup_timeout_s,
            log=log,
        )

    @property
    def owns_process(self) -> bool:
        return self._process is not None

    @property
    def pid(self) -> int | None:
        """The process we started, if we did."""
        return self._process.pid if self._process is not None else None

    @property
    def log_file(self) -> Path:
        return self._log_dir / f"rasa-{self._port}.log"

    @property
    def _port(self) -> int:
        parts = urlsplit(self.url)
        return parts.port or (443 if parts.scheme == "https" else 80)

    async def start(self) -> None:
        if self._process is not None:
            return
        probe = RasaClient(self.url, self.token, timeout_s=2.0)
        try:
            if await probe.is_up():
                self._log(f"Using the Rasa server already running at {self.url}")
                return
            self._check_can_start()
            model = await asyncio.to_thread(
                ensure_model, self._project_dir, self._rasa_venv, self._log
            )
            process = self._spawn(model)
            try:
                await self._wait_until_up(probe, process)
                await self._warm_up()
            except BaseException:
                await self.stop()
                raise
        finally:
            await probe.aclose()

    def _check_can_start(self) -> None:
        host = urlsplit(self.url).hostname or ""
        if not self._autostart:
            raise RasaSetupError(f"No Rasa server answers at {self.url} and autostart is off.")
        if host not in LOOPBACK_HOSTS:
            raise RasaSetupError(
                f"No Rasa server answers at {self.url}; only a loopback URL can be started here."
            )

    def _spawn(self, model: Path) -> subprocess.Popen[bytes]:
        python = rasa_executable(self._rasa_venv).with_name("python")
        self._log_dir.mkdir(parents=True, exist_ok=True)
        self._output = self.log_file.open("wb")
        command = [
            str(python), str(TOKEN_LAUNCHER), "run", "--enable-api",
            "-i", urlsplit(self.url).hostname or "127.0.0.1", "-p", str(self._port),
            "-m", str(model),
        ]  # fmt: skip
        self._log(f"Starting Rasa at {self.url} (20-60 s); log: {self.log_file}")
        self._process = subprocess.Popen(
            command,
            cwd=self._project_dir,
            env=rasa_env() | {"RASA_AUTH_TOKEN": self.token},
            stdin=subprocess.DEVNULL,
            stdout=self._output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() can end all of it
        )
        return self._process

    async def _wait_until_up(self, probe: RasaClient, process: subprocess.Popen[bytes]) -> None:
        started = time.monotonic()
        deadline = started + self._startup_timeout_s
        while not await probe.is_up():
            if process.poll() is not None:
                raise RasaSetupError(
                    f"Rasa exited with code {process.returncode} while starting; "
                    f"log {self.log_file}:\n{tail(self.log_file)}"
                )
            if time.monotonic() > deadline:
                raise RasaSetupError(
                    f"Rasa did not answer at {self.url} within {self._startup_timeout_s:.0f} s; "
                    f"log {self.log_file}:\n{tail(self.log_file)}"
                )
            await asyncio.sleep(POLL_INTERVAL_S)
        self._log(f"Rasa is up at {self.url} after {time.monotonic() - started:.0f} s")

    async def _warm_up(self) -> None:
        """Parse once: a fresh server's first parse builds its graph and can take seconds, which
        would otherwise hit the first citizen's message (and its short timeout)."""
        client = RasaClient(self.url, self.token, timeout_s=self._startup_timeout_s)
        try:
            await client.parse("xin chào")
        finally:
            await client.aclose()

    async def stop(self) -> None:
        """Terminate the process group we started: SIGTERM, then SIGKILL after a grace period."""
        process, self._process = self._process, None
        if process is not None:
            await _end_process_group(process)
        if self._output is not None:
            self._output.close()
            self._output = None

    async def __aenter__(self) -> RasaServer:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()


async def _end_process_group(process: subprocess.Popen[bytes]) -> None:
    # The group id is the leader's pid; signal it only while the leader is not reaped yet,
    # so the id cannot belong to someone else's process.
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if process.poll() is not None:
            return
        with suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        deadline = time.monotonic() + STOP_GRACE_S
        while process.poll() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
