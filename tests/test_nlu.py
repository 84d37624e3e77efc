"""Rasa NLU: intents from the real model, client failure modes, training, server lifecycle."""

from __future__ import annotations

import json
import os
import socket
import stat
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from bot.nlu.client import Entity, NluResult, NluUnavailable, RasaClient
from bot.nlu.model import RasaSetupError, ensure_model, model_path
from bot.nlu.server import RasaServer, resolve_rasa_token
from bot.settings import Settings

SETTINGS = Settings()


def _quiet(message: str) -> None:
    """Progress sink for calls under test."""


def _port_is_open(url: str) -> bool:
    host_port = httpx.URL(url)
    with socket.socket() as probe:
        return probe.connect_ex((host_port.host, host_port.port or 80)) == 0


@pytest.fixture(scope="module")
async def nlu(rasa_server: RasaServer) -> AsyncIterator[RasaClient]:
    client = RasaClient(rasa_server.url, rasa_server.token, timeout_s=10.0)
    yield client
    await client.aclose()


# Phrasings that are not in rasa_project/data/nlu.yml: diacritics, none, and chat shorthand.
UNSEEN = [
    ("xin chào, ad có đó không", "greet"),
    ("cam on ad nhieu lam", "thanks"),
    ("thôi mình off nhé, bye", "goodbye"),
    ("ban co phai robot khong", "bot_identity"),
    ("cho e nói chuyện vs nhân viên tư vấn đc ko", "ask_human"),
    ("tôi muốn khiếu nại cửa hàng bán laptop lỗi cho tôi", "complain_business"),
    ("shop ban hang gia cho minh, minh muon to cao shop", "complain_business"),
    ("hàng mua online bị hỏng thì có được đổi không", "ask_law_purchase"),
    ("sp bh 6 thang ma hong thi shop co phai sua mien phi ko", "ask_law_warranty"),
    ("quảng cáo nói sai công dụng sản phẩm thì bị xử lý ra sao", "ask_law_marketing"),
    ("ok đồng ý nhé", "affirm"),
    ("uh dc", "affirm"),
    ("ko đâu ad", "deny"),
    ("khong can dau", "deny"),
    ("hồ sơ KN-2026-000457 của mình giờ sao rồi", "check_case_status"),
    ("kiem tra giup e don khieu nai KN-2026-000900", "check_case_status"),
    ("đơn kn của mk xử lý tới đâu rồi ad", "check_case_status"),
    ("thôi hủy đơn đi", "cancel"),
    ("dung lai, ko khieu nai nua", "cancel"),
    ("cho mình quay lại nói chuyện với bot", "back_to_bot"),
    ("khong can nv nua, ve lai bot", "back_to_bot"),
    ("cho hỏi tỷ số trận bóng tối qua", "out_of_scope"),
    ("lam the nao de xin visa di han quoc", "out_of_scope"),
]


@pytest.mark.rasa
@pytest.mark.parametrize(("text", "intent"), UNSEEN)
async def test_intent_of_unseen_phrasing(nlu: RasaClient, text: str, intent: str) -> None:
    result = await nlu.parse(text)
    assert result.intent == intent
    assert result.confidence > 0.5


@pytest.mark.rasa
async def test_platform_entity_spelling_maps_to_one_value(nlu: RasaClient) -> None:
    result = await nlu.parse("mua hàng trên sopi bị lỗi thì sao")
    assert Entity("platform", "Shopee", 14, 18) in result.entities


@pytest.mark.rasa
async def test_case_number_and_phone_are_extracted(nlu: RasaClient) -> None:
    text = "hồ sơ KN-2026-000457 của tôi sao rồi, sđt 0912345678"
    result = await nlu.parse(text)
    start = text.index("KN-")
    assert Entity("case_number", "KN-2026-000457", start, start + 14) in result.entities
    start = text.index("0912")
    assert Entity("phone", "0912345678", start, start + 10) in result.entities
    assert len(set(result.entities)) == len(result.entities)


@pytest.mark.rasa
def test_the_token_is_never_on_the_servers_command_line(rasa_server: RasaServer) -> None:
    """Every user of the machine can read a process's command line (``ps``); the token reaches
    Rasa by its environment, which only its owner can read."""
    assert rasa_server.pid is not None
    command_line = Path(f"/proc/{rasa_server.pid}/cmdline").read_bytes().decode()
    assert "run" in command_line and rasa_server.token not in command_line


async def test_wrong_token_is_unavailable(rasa_server: RasaServer) -> None:
    client = RasaClient(rasa_server.url, "not-the-token", timeout_s=5.0)
    assert not await client.is_up()
    with pytest.raises(NluUnavailable, match="401"):
        await client.parse("xin chào")
    await client.aclose()


async def test_nothing_listening_is_unavailable(free_port: int) -> None:
    client = RasaClient(f"http://127.0.0.1:{free_port}", "token", timeout_s=1.0)
    assert not await client.is_up()
    with pytest.raises(NluUnavailable):
        await client.parse("xin chào")
    await client.aclose()


def _answering(status: int, body: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(status, text=body))
    )


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (500, '{"error": "boom"}'),
        (200, "not json"),
        (200, '{"entities": []}'),
        (200, '{"intent": {"name": 3, "confidence": "high"}}'),
    ],
)
async def test_bad_answers_are_unavailable(status: int, body: str) -> None:
    client = RasaClient("http://rasa", "token", timeout_s=1.0, client=_answering(status, body))
    with pytest.raises(NluUnavailable):
        await client.parse("xin chào")


async def test_timeout_is_unavailable() -> None:
    def slow(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("too slow", request=request)

    http = httpx.AsyncClient(transport=httpx.MockTransport(slow))
    with pytest.raises(NluUnavailable):
        await RasaClient("http://rasa", "token", 1.0, client=http).parse("xin chào")


async def test_parse_sends_text_and_token_and_reads_result() -> None:
    seen: list[httpx.Request] = []
    payload = {
        "intent": {"name": "ask_law", "confidence": 0.9},
        "entities": [{"entity": "platform", "value": "Shopee", "start": 0, "end": 4, "extra": 1}],
    }

    def rasa(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json=payload)

    http = httpx.AsyncClient(transport=httpx.MockTransport(rasa))
    result = await RasaClient("http://rasa/", "s3cret", 1.0, client=http).parse("sopi")
    assert result == NluResult("ask_law", 0.9, (Entity("platform", "Shopee", 0, 4),))
    assert seen[0].url == "http://rasa/model/parse?token=s3cret"
    assert json.loads(seen[0].content) == {"text": "sopi"}


async def test_an_entity_found_by_two_extractors_is_kept_once() -> None:
    phone = {"entity": "phone", "value": "0912345678", "start": 4, "end": 14}
    payload = {"intent": {"name": "affirm", "confidence": 0.9}, "entities": [phone, phone]}
    http = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda _: httpx.Response(200, json=payload))
    )
    result = await RasaClient("http://rasa", "token", 1.0, client=http).parse("số 0912345678")
    assert result.entities == (Entity("phone", "0912345678", 4, 14),)


@pytest.mark.rasa
def test_ensure_model_twice_does_not_retrain(rasa_server: RasaServer) -> None:
    path = model_path(SETTINGS.rasa_project_dir)
    trained_at = path.stat().st_mtime_ns
    assert ensure_model(SETTINGS.rasa_project_dir, SETTINGS.rasa_venv, _quiet) == path
    assert path.stat().st_mtime_ns == trained_at


@pytest.mark.rasa
async def test_running_server_is_reused_and_left_running(
    rasa_server: RasaServer, tmp_path: Path
) -> None:
    reuser = RasaServer(
        rasa_server.url,
        rasa_server.token,
        project_dir=SETTINGS.rasa_project_dir,
        rasa_venv=tmp_path / "no-venv",  # would fail if it tried to start anything
        log_dir=tmp_path,
        log=_quiet,
    )
    async with reuser:
        assert not reuser.owns_process
    assert _port_is_open(rasa_server.url)


@pytest.mark.rasa
async def test_stop_closes_the_server_we_started(free_port: int, tmp_path: Path) -> None:
    server = RasaServer(
        f"http://127.0.0.1:{free_port}",
        "token",
        project_dir=SETTINGS.rasa_project_dir,
        rasa_venv=SETTINGS.rasa_venv,
        log_dir=tmp_path,
        startup_timeout_s=SETTINGS.rasa_startup_timeout_s,
        log=_quiet,
    )
    await server.start()
    assert server.owns_process
    assert _port_is_open(server.url)
    await server.stop()
    assert not server.owns_process
    assert not _port_is_open(server.url)


def _project(root: Path) -> Path:
    project = root / "project"
    (project / "data").mkdir(parents=True)
    for name in ("config.yml", "domain.yml", "data/nlu.yml"):
        (project / name).write_text(f"# {name}\n", encoding="utf-8")
    return project


def _fake_venv(root: Path, script: str) -> Path:
    """A virtualenv whose `bin/rasa`, and `rasa.__main__.main` for its `bin/python`, run the
    given Python script."""
    venv = root / "venv"
    rasa = venv / "bin" / "rasa"
    rasa.parent.mkdir(parents=True)
    rasa.write_text(f"#!{sys.executable}\n{script}", encoding="utf-8")
    rasa.chmod(0o755)
    package = venv / "fake-site" / "rasa"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "__main__.py").write_text(f"def main():\n    exec({script!r})\n", encoding="utf-8")
    python = venv / "bin" / "python"
    python.write_text(
        f'#!/bin/sh\nPYTHONPATH="{package.parent}" exec "{sys.executable}" "$@"\n', encoding="utf-8"
    )
    python.chmod(0o755)
    return venv


FAKE_TRAIN = """
import sys
from pathlib import Path
args = sys.argv[1:]
out = Path(args[args.index("--out") + 1])
(out / (args[args.index("--fixed-model-name") + 1] + ".tar.gz")).write_text("model")
"""


def test_training_is_keyed_by_content_and_removes_older_models(tmp_path: Path) -> None:
    project = _project(tmp_path)
    venv = _fake_venv(tmp_path, FAKE_TRAIN)
    first = ensure_model(project, venv, _quiet)
    (project / "data" / "nlu.yml").write_text("# changed\n", encoding="utf-8")
    second = ensure_model(project, venv, _quiet)
    assert first != second
    assert sorted((project / "models").glob("nlu-*.tar.gz")) == [second]


def test_missing_rasa_venv_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(RasaSetupError, match="make rasa-venv"):
        ensure_model(_project(tmp_path), tmp_path / "missing", _quiet)


FAKE_HANGING_SERVER = """
import os, sys, time
open(os.environ["FAKE_PID_FILE"], "w").write(str(os.getpid()))
print("loading model, slowly", flush=True)
time.sleep(60)
"""


async def test_server_that_never_answers_is_killed_with_its_log_in_the_error(
    tmp_path: Path, free_port: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = _project(tmp_path)
    model_path(project).parent.mkdir()
    model_path(project).write_text("model", encoding="utf-8")
    pid_file = tmp_path / "pid"
    monkeypatch.setenv("FAKE_PID_FILE", str(pid_file))
    server = RasaServer(
        f"http://127.0.0.1:{free_port}",
        "token",
        project_dir=project,
        rasa_venv=_fake_venv(tmp_path, FAKE_HANGING_SERVER),
        log_dir=tmp_path / "logs",
        startup_timeout_s=2.0,
        log=_quiet,
    )
    with pytest.raises(RasaSetupError, match="loading model, slowly") as error:
        await server.start()
    assert str(server.log_file) in str(error.value)
    assert not server.owns_process
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text()), 0)


async def test_no_autostart_means_no_process(tmp_path: Path, free_port: int) -> None:
    server = RasaServer(
        f"http://127.0.0.1:{free_port}",
        "token",
        project_dir=_project(tmp_path),
        rasa_venv=tmp_path / "missing",
        log_dir=tmp_path,
        autostart=False,
        log=_quiet,
    )
    with pytest.raises(RasaSetupError, match="autostart is off"):
        await server.start()


def test_generated_token_is_private_and_reused(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "var", rasa_token="")
    token = resolve_rasa_token(settings)
    assert len(token) >= 32
    assert resolve_rasa_token(settings) == token
    token_file = tmp_path / "var" / "rasa-token"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert sorted(path.name for path in token_file.parent.iterdir()) == ["rasa-token"]
    assert resolve_rasa_token(Settings(data_dir=tmp_path, rasa_token="configured")) == "configured"
