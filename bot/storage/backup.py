"""Backups of the database, safe while the bot runs: SQLite's online backup API (a consistent
copy even in WAL mode, other writers wait at most a moment), PostgreSQL's ``pg_dump`` in its
custom format. Restoring replaces the database's content: stop every bot process first."""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from bot.storage.database import DATABASE_FILE_MODE, sqlite_path

PAGES_PER_STEP = 1024
"""SQLite pages copied at a time: writers are held up at most that long."""


class BackupError(Exception):
    pass


def backup(url: str, target: Path) -> None:
    """Write a backup of the database at ``url`` to ``target``."""
    path = sqlite_path(url)
    if path is not None:
        _copy_sqlite(path, target)
    else:
        _run(["pg_dump", "--format=custom", "--file", str(target)], url)
    target.chmod(DATABASE_FILE_MODE)


def restore(url: str, source: Path) -> None:
    """Replace the content of the database at ``url`` with the backup ``source``."""
    if not source.is_file():
        raise BackupError(f"no backup at {source}")
    path = sqlite_path(url)
    if path is not None:
        _copy_sqlite(source, path)
        path.chmod(DATABASE_FILE_MODE)
    else:
        _run(["pg_restore", "--clean", "--if-exists", "--no-owner", str(source)], url)


def _copy_sqlite(source: Path, target: Path) -> None:
    with sqlite3.connect(source) as origin, sqlite3.connect(target) as copy:
        origin.backup(copy, pages=PAGES_PER_STEP)
    with sqlite3.connect(target) as copy:  # a restored file must not keep a stale WAL mode
        copy.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _run(command: list[str], url: str) -> None:
    """A PostgreSQL client program against ``url``; the password goes by environment, never
    on the command line."""
    parsed = make_url(url)
    environment = os.environ | {
        "PGHOST": parsed.host or "",
        "PGPORT": str(parsed.port or ""),
        "PGUSER": parsed.username or "",
        "PGPASSWORD": parsed.password or "",
        "PGDATABASE": parsed.database or "",
    }
    finished = subprocess.run(
        [*command, "--dbname", parsed.database or ""],
        env={k: v for k, v in environment.items() if v},
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise BackupError(f"{command[0]} failed: {finished.stderr.strip()}")
