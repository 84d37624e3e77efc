"""The command-line contract other tools rely on, run as a real subprocess."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.nlu.server import RasaServer
from tests.conftest import unused_port

LAW_QUESTION = "mua hàng online bị lỗi có được đổi trả không"
CONSUMER_DOCS = {"19/2023/QH15", "55/2024/NĐ-CP", "122/2025/QH15", "248/2026/NĐ-CP"}


def run_bot(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=400,
        check=False,
    )


@pytest.fixture(scope="module")
def data_env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    return {"DATA_DIR": str(tmp_path_factory.mktemp("data"))}


def test_search_json_prints_clause_level_hits(data_env: dict[str, str]) -> None:
    result = run_bot(["search", "--json", "-k", "3", "hợp đồng theo mẫu phải công khai"], data_env)
    assert result.returncode == 0, result.stderr
    hits = json.loads(result.stdout)["hits"]
    assert len(hits) == 3
    for hit in hits:
        assert set(hit) == {"doc", "article", "clause", "id", "title", "score", "text"}
        assert hit["id"].startswith(f"{hit['doc']}#d{hit['article']}")


def test_search_jsonl_answers_every_line(data_env: dict[str, str]) -> None:
    lines = [{"id": "a", "text": "bảo hành"}, {"id": "b", "text": "khieu nai o dau"}]
    stdin = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n{broken\n"
    result = run_bot(["search", "--jsonl", "-k", "2"], data_env, stdin)
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["a", "b", None]
    assert len(out[0]["hits"]) == 2 and out[2]["hits"] == []


def test_ask_uses_a_running_rasa(data_env: dict[str, str], rasa_server: RasaServer) -> None:
    env = {**data_env, "RASA_URL": rasa_server.url, "RASA_TOKEN": rasa_server.token}
    stdin = "\n".join(
        json.dumps(q, ensure_ascii=False)
        for q in [
            {"id": "1", "text": LAW_QUESTION},
            {"id": "2", "text": "xin chào"},
            {"id": "3", "text": "cho tôi gặp nhân viên"},
            {"id": "4", "text": "dự báo thời tiết ngày mai"},
        ]
    )
    result = run_bot(["ask", "--jsonl"], env, stdin)
    assert result.returncode == 0, result.stderr
    out = {o["id"]: o for o in map(json.loads, result.stdout.splitlines())}
    assert out["1"]["action"] == "answer"
    assert out["1"]["citations"][0]["doc"] in CONSUMER_DOCS
    assert out["1"]["intent"]["name"].startswith("ask_law")
    assert [out[i]["action"] for i in "234"] == ["smalltalk", "handoff", "out_of_scope"]


def test_ask_starts_rasa_itself_and_stops_it(tmp_path: Path) -> None:
    port = unused_port()
    env = {"DATA_DIR": str(tmp_path), "RASA_URL": f"http://127.0.0.1:{port}"}
    stdin = json.dumps({"id": "1", "text": LAW_QUESTION}, ensure_ascii=False) + "\n"
    result = run_bot(["ask", "--jsonl"], env, stdin)
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    answer = json.loads(line)
    assert answer["action"] == "answer"
    assert answer["intent"]["name"].startswith("ask_law") and answer["intent"]["confidence"] > 0
    assert answer["citations"] and answer["citations"][0]["doc"] in CONSUMER_DOCS
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0, "the Rasa server we started still runs"
