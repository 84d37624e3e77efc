"""The editors' command line as other tools use it (real subprocesses, a fresh data directory),
and several bot processes picking up a generation published by another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import unused_port
from tests.editing_support import (
    CONTRACT_QUESTION,
    MALFORMED_LINES,
    NEW_WORDING,
    amended_law_docx,
    docx_bytes,
    truncated_law_text,
)
from tests.test_cli import run_bot

HELD_EXIT = 3
STARTUP_S = 120
PICKUP_S = 30


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"DATA_DIR": str(tmp_path_factory.mktemp("kb-cli"))}


def json_line(result: subprocess.CompletedProcess) -> dict[str, object]:
    (line,) = result.stdout.splitlines()
    return json.loads(line)


def test_import_publish_history_and_events(env: dict[str, str], tmp_path: Path) -> None:
    imported = run_bot(
        ["kb", "import", str(amended_law_docx(tmp_path / "luat.docx")), "--json"], env
    )
    assert imported.returncode == 0, imported.stderr
    draft = json_line(imported)
    assert draft == {"draft": draft["draft"], "doc": "19/2023/QH15", "articles": 80, "warnings": []}

    published = run_bot(["kb", "publish", str(draft["draft"]), "--json"], env)
    assert published.returncode == 0, published.stderr
    assert json_line(published) == {"published": True, "doc": "19/2023/QH15", "version": 2}

    history = run_bot(["kb", "history", "19/2023/QH15", "--json"], env)
    found = json_line(history)
    assert found["doc"] == "19/2023/QH15"
    assert [(v["version"], v["effective"], v["by"]) for v in found["versions"]] == [
        (1, "2024-07-01", "corpus"),
        (2, "2024-07-01", "cli"),
    ]
    assert found["versions"][1]["published_at"].startswith("20")

    amended = run_bot(
        ["kb", "amend", "05/2007/QH12", "--by", "78/2025/QH15", "--date", "2026-01-01"], env
    )
    assert amended.returncode == 0, amended.stderr
    repealed = run_bot(["kb", "repeal", "55/2024/NĐ-CP", "--date", "2026-02-01"], env)
    assert repealed.returncode == 0, repealed.stderr
    unknown = run_bot(["kb", "repeal", "1/1999/QH10", "--date", "2026-02-01"], env)
    assert unknown.returncode == 1 and "Không có văn bản" in unknown.stderr


def test_a_malformed_file_is_imported_with_warnings_and_never_published(
    env: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "loi.docx"
    path.write_bytes(docx_bytes(MALFORMED_LINES))
    imported = json_line(run_bot(["kb", "import", str(path), "--json"], env))
    assert imported["doc"] == "88/2026/QH15"
    assert "Điều 2: số điều bị lặp lại" in imported["warnings"]
    refused = run_bot(["kb", "publish", str(imported["draft"]), "--json"], env)
    assert refused.returncode == 1 and "Chưa thể xuất bản" in refused.stderr
    assert refused.stdout == ""


def test_a_publish_held_by_the_gate_exits_3(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "luat-cat.txt"
    path.write_text(truncated_law_text(), encoding="utf-8")
    imported = json_line(run_bot(["kb", "import", str(path), "--json"], env))
    held = run_bot(["kb", "publish", str(imported["draft"]), "--json"], env)
    assert held.returncode == HELD_EXIT, held.stderr
    result = json_line(held)
    assert result["published"] is False and "Recall@3" in result["held"]
    assert result["worse"] and {"question", "before", "after", "now_first"} <= set(
        result["worse"][0]
    )


@pytest.fixture
def two_bots(tmp_path: Path) -> Iterator[tuple[dict[str, str], list[str]]]:
    """Two `serve` processes on one data directory (one database, one index folder); NLU off,
    so law questions are answered from retrieval."""
    env = {
        "DATA_DIR": str(tmp_path),
        "RASA_AUTOSTART": "false",
        "RASA_URL": f"http://127.0.0.1:{unused_port()}",
        "KB_RELOAD_S": "0.5",
    }
    first = run_bot(["index"], env)  # the first generation, built once before both start
    assert first.returncode == 0, first.stderr
    ports = [unused_port(), unused_port()]
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--port", str(port)],
            env={**os.environ, **env},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    try:
        for url in urls:
            wait_until(lambda url=url: _up(url), STARTUP_S)
        yield env, urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def _up(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=2).status_code in (200, 503)
    except httpx.HTTPError:
        return False


def wait_until(condition: Callable[[], bool], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.5)


def answer(url: str) -> str:
    reply = httpx.post(f"{url}/api/chat", json={"text": CONTRACT_QUESTION}, timeout=30)
    return str(reply.json()["text"])


def test_every_bot_process_answers_from_a_new_generation(
    two_bots: tuple[dict[str, str], list[str]], tmp_path: Path
) -> None:
    env, urls = two_bots
    assert all(NEW_WORDING not in answer(url) for url in urls)
    path = amended_law_docx(tmp_path / "luat.docx")
    draft = json_line(run_bot(["kb", "import", str(path), "--json"], env))
    published = run_bot(["kb", "publish", str(draft["draft"]), "--json"], env)
    assert json_line(published)["published"] is True, published.stderr
    for url in urls:
        wait_until(lambda url=url: NEW_WORDING in answer(url), PICKUP_S)
