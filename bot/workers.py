"""What the worker processes of `serve --workers N` share, set up once by the parent: the
schema, one Rasa server (when none answers and one may be started), and a directory where
every worker's Prometheus metrics meet."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from bot.metrics import MULTIPROCESS_DIR_VARIABLE
from bot.nlu.server import RasaServer, resolve_rasa_token
from bot.runtime import Progress
from bot.settings import Settings
from bot.storage.database import migrate
from bot.storage.secrets import private_dir


class WorkersNeedSharedIndex(Exception):
    pass


@contextmanager
def shared_by_workers(settings: Settings, workers: int, progress: Progress) -> Iterator[None]:
    """The workers (started inside the block) find the schema migrated and Rasa running, and
    read their settings from the environment, which this block completes."""
    if not settings.chroma_url:
        raise WorkersNeedSharedIndex(
            "Several workers need a Chroma server: run `chroma run --path <dir>` and set "
            "CHROMA_URL (one process only may own a Chroma directory)."
        )
    private_dir(settings.data_dir)
    asyncio.run(migrate(settings.resolved_database_url))
    token = resolve_rasa_token(settings)
    server = RasaServer.from_settings(settings, token, log=progress)
    if settings.rasa_autostart and len(settings.rasa_urls) == 1:
        asyncio.run(server.start())
    metrics_dir = settings.data_dir / f"metrics-{os.getpid()}"
    shutil.rmtree(metrics_dir, ignore_errors=True)
    metrics_dir.mkdir()
    os.environ |= {
        "RASA_TOKEN": token,
        "RASA_AUTOSTART": "false",
        "BOT_WORKERS": str(workers),
        MULTIPROCESS_DIR_VARIABLE: str(metrics_dir),
    }
    progress(f"{workers} worker processes")
    try:
        yield
    finally:
        asyncio.run(server.stop())
        shutil.rmtree(metrics_dir, ignore_errors=True)
