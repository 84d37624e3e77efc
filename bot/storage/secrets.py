"""Secrets and files kept in the data directory, readable by the bot's own user only."""

from __future__ import annotations

import os
import secrets
import tempfile
from contextlib import suppress
from pathlib import Path

PRIVATE_DIR_MODE = 0o700


def private_dir(path: Path) -> Path:
    """``path`` created if missing, and closed to other users either way."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    path.chmod(PRIVATE_DIR_MODE)
    return path


def stored_secret(directory: Path, name: str) -> str:
    """The secret kept in ``directory/name``, generated on first use (file mode 0600)."""
    path = private_dir(directory) / name
    if not path.exists():
        # mkstemp creates the file 0600; link() is atomic and refuses to overwrite, so
        # processes racing on first start all end up with the one secret that won.
        handle, scratch = tempfile.mkstemp(dir=directory, prefix=f".{name}.")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as file:
                file.write(secrets.token_urlsafe(32))
            with suppress(FileExistsError):
                os.link(scratch, path)
        finally:
            os.unlink(scratch)
    return path.read_text(encoding="utf-8").strip()
