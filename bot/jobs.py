"""Background jobs of `serve`: the retention job, run by one process of many per interval."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import asdict
from datetime import timedelta

from bot.storage.database import Database
from bot.storage.retention import RetentionPolicy, apply_retention
from bot.storage.switches import JobRuns

log = logging.getLogger(__name__)
RETENTION_JOB = "retention"
CHECK_EVERY_S = 600.0
"""How often each process asks whether the job is due (the job itself runs once an interval)."""


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


async def retention_when_due(
    database: Database, policy: RetentionPolicy, every: timedelta, check_s: float = CHECK_EVERY_S
) -> None:
    runs = JobRuns(database)
    while True:
        try:
            if await runs.claim(RETENTION_JOB, every, process_name()):
                report = await apply_retention(database, policy)
                log.info("retention run", extra={"retention": asdict(report)})
        except Exception:  # the database may be away; try again at the next check
            log.exception("retention job failed")
        await asyncio.sleep(min(check_s, every.total_seconds()))


@asynccontextmanager
async def running_jobs(
    database: Database, policy: RetentionPolicy, every: timedelta
) -> AsyncIterator[None]:
    """The jobs run while the context is open; ``every`` zero: no retention job."""
    task = asyncio.create_task(retention_when_due(database, policy, every)) if every else None
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
