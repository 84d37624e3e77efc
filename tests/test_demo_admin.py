"""`python -m bot users demo-admin`, which `make demo` runs: one local admin, same password."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.console.auth import Accounts
from bot.storage.database import Database
from tests.conftest import fresh_database_url


def demo_admin(data_dir: Path, database_url: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "users", "demo-admin"],
        env={
            **os.environ,
            "DATA_DIR": str(data_dir),
            "DATABASE_URL": database_url,
            "COLUMNS": "300",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stderr


async def test_demo_admin_is_created_once_and_can_log_in(tmp_path: Path) -> None:
    url = fresh_database_url(tmp_path)
    first, second = demo_admin(tmp_path, url), demo_admin(tmp_path, url)
    password = (tmp_path / "demo-admin.txt").read_text()
    assert password in first and first == second
    assert (tmp_path / "demo-admin.txt").stat().st_mode & 0o777 == 0o600
    assert "/console/login" in first
    database = Database(url)
    try:
        assert await Accounts(database).login("demo-admin", password, "127.0.0.1")
    finally:
        await database.dispose()
