"""A Chroma server (`chroma run`, from the bot's virtualenv) on a free loopback port, as a
deployment with several bot processes runs it."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.conftest import unused_port

START_TIMEOUT_S = 120.0
POLL_S = 0.2
LOOPBACK = ("--host", "127.0.0.1")


@contextmanager
def chroma_server(directory: Path) -> Iterator[str]:
    """`chroma run` on a free loopback port; its URL."""
    port = unused_port()
    chroma = Path(sys.executable).with_name("chroma")
    with (directory.parent / "chroma.log").open("ab") as log:
        process = subprocess.Popen(
            [str(chroma), "run", "--path", str(directory), *LOOPBACK, "--port", str(port)],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                httpx.get(f"{url}/api/v2/heartbeat", timeout=1.0).raise_for_status()
                break
            except httpx.HTTPError:
                assert process.poll() is None and time.monotonic() < deadline, "chroma failed"
                time.sleep(POLL_S)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)
