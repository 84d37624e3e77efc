"""Switches and job runs shared by every bot process through the database: the maintenance
notice (the core's ``MaintenanceSwitch``) and "has this job run lately" for jobs that one
process of many should run."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from bot.storage.database import Database
from bot.storage.models import AuditEntry, ServiceSetting, utcnow

log = logging.getLogger(__name__)
MAINTENANCE = "maintenance"
MAINTENANCE_CHECK_S = 5.0
"""How long a process keeps what it read of the switch: turning it on or off reaches every
process within this time, and a turn costs no extra query."""
NEVER = datetime(1970, 1, 1, tzinfo=UTC)


class Maintenance:
    """The maintenance switch: while on, citizens get the operator's notice (staff keep
    working). ``keep_fresh`` reads it in the background, so that a turn never waits for it."""

    def __init__(
        self,
        database: Database,
        check_s: float = MAINTENANCE_CHECK_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sessions = database.sessions
        self._check_s = check_s
        self._clock = clock
        self._read_at: float | None = None
        self._notice: str | None = None

    async def notice(self) -> str | None:
        """The operator's notice while maintenance is on, else None (as read at most
        ``check_s`` ago)."""
        if self._read_at is None or self._clock() - self._read_at >= self._check_s:
            await self.refresh()
        return self._notice

    async def refresh(self) -> None:
        self._notice = await self.current()
        self._read_at = self._clock()

    async def keep_fresh(self) -> None:
        """Read the switch twice per ``check_s`` until cancelled; a failed read keeps the last
        value (the database may be away for a moment)."""
        while True:
            try:
                await self.refresh()
            except Exception:
                log.warning("could not read the maintenance switch", exc_info=True)
            await asyncio.sleep(self._check_s / 2)

    async def current(self) -> str | None:
        """The notice as stored right now (no cache)."""
        async with self._sessions() as session:
            row = await session.get(ServiceSetting, MAINTENANCE, populate_existing=True)
        if row is None or not row.value.get("on"):
            return None
        return str(row.value.get("message") or "")

    async def switch(self, on: bool, message: str, actor: str) -> None:
        """Turn maintenance on (with ``message``) or off; audited."""
        value: dict[str, object] = {"on": on, "message": message if on else ""}
        async with self._sessions() as session, session.begin():
            row = await session.get(ServiceSetting, MAINTENANCE, with_for_update=True)
            before = dict(row.value) if row is not None else None
            if row is None:
                session.add(ServiceSetting(key=MAINTENANCE, value=value, updated_by=actor))
            else:
                row.value, row.updated_at, row.updated_by = value, utcnow(), actor
            session.add(
                AuditEntry(
                    actor=actor,
                    action="maintenance_on" if on else "maintenance_off",
                    target=MAINTENANCE,
                    before=before,
                    after=value,
                )
            )
        self._read_at = None


class JobRuns:
    """When shared jobs last ran: ``claim`` lets exactly one process run a job per interval."""

    def __init__(self, database: Database) -> None:
        self._sessions = database.sessions

    async def claim(self, job: str, every: timedelta, actor: str) -> bool:
        """True when ``job`` has not run within ``every`` and this caller now owns the run."""
        now = utcnow()
        with suppress(IntegrityError):  # another process added the row at the same moment
            async with self._sessions() as session, session.begin():
                if await session.get(ServiceSetting, job) is None:
                    session.add(ServiceSetting(key=job, value={}, updated_at=NEVER))
        async with self._sessions() as session, session.begin():
            result = await session.execute(
                update(ServiceSetting)
                .where(ServiceSetting.key == job, ServiceSetting.updated_at <= now - every)
                .values(updated_at=now, updated_by=actor)
            )
        return bool(result.rowcount)  # type: ignore[attr-defined]
