"""Operating the service: the maintenance switch, retention, shared rate limits, backups,
metrics and structured logs, on the test's database (SQLite, or PostgreSQL in the second
pass)."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select

from bot.console.auth import Accounts, Staff
from bot.core import catalogue
from bot.core.messages import Action, IncomingMessage
from bot.delivery.pacing import Limits, LocalPacing, SharedPacing
from bot.logs import configure_logging
from bot.nlu.client import RasaClient
from bot.nlu.server import RasaServer
from bot.storage.database import Database
from bot.storage.models import (
    AuditEntry,
    Case,
    Conversation,
    Message,
    StaffUser,
    utcnow,
)
from bot.storage.retention import RetentionMode, RetentionPolicy, apply_retention
from bot.storage.switches import JobRuns
from knowledge_base.service import KnowledgeBase
from tests.conftest import BotUnderTest
from tests.platform_support import (
    Platforms,
    bot_url,
    eventually,
    platforms,
    post_telegram,
    telegram_text,
)

__all__ = ["bot_url", "platforms"]  # the fixtures, imported for pytest

NOTICE = "Hệ thống đang nâng cấp đến 22 giờ."


@pytest.fixture
async def bot(
    database: Database, knowledge_base: KnowledgeBase, rasa_server: RasaServer
) -> AsyncIterator[BotUnderTest]:
    client = RasaClient(rasa_server.url, rasa_server.token, timeout_s=10.0)
    yield BotUnderTest(database, knowledge_base, client)
    await client.aclose()


def citizen(chat: str, text: str) -> IncomingMessage:
    return IncomingMessage("test", chat, chat, text)


def cli(database_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=os.environ | {"DATA_DIR": str(data_dir), "DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        check=True,
    )


# The maintenance switch


@pytest.mark.rasa
async def test_under_maintenance_citizens_get_the_notice_and_hotline_while_staff_keep_working(
    bot: BotUnderTest, database: Database
) -> None:
    handed_over = await bot.say(citizen("held", "cho tôi gặp cán bộ"))
    assert handed_over is not None and handed_over.action is Action.HANDOFF
    staff_id = await Accounts(database).add_user("lan", "Trần Thị Lan", "staff", "mat-khau-1234")
    staff = Staff(staff_id, "lan", "Trần Thị Lan", "staff", csrf_token="")
    held, *_ = await bot.records.transcript("test", "held")

    await bot.maintenance.switch(True, NOTICE, "test")
    reply = await bot.say(citizen("new", "mua hàng online bị lỗi có được đổi trả không"))
    assert reply is not None and reply.action is Action.MAINTENANCE
    assert NOTICE in reply.text and "1800.6838" in reply.text
    assert await bot.say(citizen("held", "chào anh, tôi vẫn chờ")) is None  # staff answer it
    await bot.conversations.claim(held.conversation_id, staff)
    await bot.conversations.reply(held.conversation_id, staff, "Chào chị, tôi là Lan.")
    transcript = await bot.records.transcript("test", "held")
    assert [m.text for m in transcript if m.author == "staff:lan"] == ["Chào chị, tôi là Lan."]

    await bot.maintenance.switch(False, "", "test")
    greeting = await bot.say(citizen("new", "xin chào"))
    assert greeting is not None and greeting.action is Action.SMALLTALK


async def test_the_switch_from_the_command_line_reaches_running_processes_and_is_audited(
    database: Database, tmp_path: Path
) -> None:
    from bot.storage.switches import Maintenance

    running = Maintenance(database, check_s=0.2)
    assert await running.notice() is None
    cli(database.url, tmp_path, "maintenance", "on", "--message", NOTICE)
    await asyncio.sleep(0.3)
    assert await running.notice() == NOTICE
    status = json.loads(cli(database.url, tmp_path, "maintenance", "status").stdout)
    assert status == {"maintenance": True, "message": NOTICE}
    cli(database.url, tmp_path, "maintenance", "off")
    await asyncio.sleep(0.3)
    assert await running.notice() is None
    async with database.sessions() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["maintenance_on", "maintenance_off"]


# Retention


async def _conversation(
    database: Database, chat: str, age_days: int, case_age_days: int | None = None
) -> int:
    """A conversation whose messages are ``age_days`` old, with a case of ``case_age_days``."""
    moment = utcnow() - timedelta(days=age_days)
    async with database.sessions() as session, session.begin():
        conversation = Conversation(platform="telegram", chat_id=chat, user_id=chat, state="bot")
        session.add(conversation)
        await session.flush()
        texts = (("in", f"tôi ở {chat}, sđt [số điện thoại]"), ("out", "Theo Điều 9…"))
        session.add_all(
            Message(
                conversation_id=conversation.id,
                direction=direction,
                text=text,
                intent="ask_law_purchase",
                created_at=moment,
            )
            for direction, text in texts
        )
        if case_age_days is not None:
            session.add(
                Case(
                    number=f"KN-{chat}",
                    conversation_id=conversation.id,
                    kind="complaint",
                    reason="complaint",
                    fields={"phone": "0912345678", "business": "Điện máy Hoàng Long"},
                    created_at=utcnow() - timedelta(days=case_age_days),
                )
            )
        return conversation.id


@pytest.mark.parametrize("mode", list(RetentionMode))
async def test_retention_removes_old_texts_keeps_recent_ones_and_cases_for_their_period(
    database: Database, mode: RetentionMode
) -> None:
    old = await _conversation(database, "old", age_days=400)
    recent = await _conversation(database, "recent", age_days=10)
    with_live_case = await _conversation(database, "case-live", age_days=400, case_age_days=400)
    with_old_case = await _conversation(database, "case-old", age_days=4000, case_age_days=4000)
    policy = RetentionPolicy(conversation_days=365, case_days=3650, mode=mode)

    report = await apply_retention(database, policy)

    assert report.conversations == 2 and report.cases == 1
    async with database.sessions() as session:
        texts = {
            conversation: list(
                await session.scalars(
                    select(Message.text).where(Message.conversation_id == conversation)
                )
            )
            for conversation in (old, recent, with_live_case, with_old_case)
        }
        cases = {c.conversation_id: c for c in await session.scalars(select(Case))}
        chats = set(await session.scalars(select(Conversation.chat_id)))
        [audit] = await session.scalars(select(AuditEntry))
    assert "tôi ở recent" in texts[recent][0] and "tôi ở case-live" in texts[with_live_case][0]
    assert cases[with_live_case].fields["phone"] == "0912345678"
    assert {"recent", "case-live"} <= chats and not {"old", "case-old"} & chats
    if mode is RetentionMode.ANONYMISE:
        assert texts[old] == [catalogue.RETAINED_TEXT] * 2  # rows kept for the reports
        assert cases[with_old_case].fields == {}
    else:
        assert texts[old] == [] and with_old_case not in cases
    assert audit.actor == "system:retention" and audit.after == report.__dict__
    again = await apply_retention(database, policy)
    assert again.conversations == 0


async def test_one_process_of_many_runs_a_job_per_interval(database: Database) -> None:
    first, second = JobRuns(database), JobRuns(database)
    every = timedelta(hours=24)
    claims = await asyncio.gather(
        *(runs.claim("retention", every, "p") for runs in [first, second])
    )
    assert sorted(claims) == [False, True]
    assert not await first.claim("retention", every, "p")
    assert await first.claim("retention", timedelta(0), "p")


async def test_retention_from_the_command_line(database: Database, tmp_path: Path) -> None:
    await _conversation(database, "old", age_days=4000)
    result = cli(database.url, tmp_path, "retention", "run")
    assert json.loads(result.stdout)["conversations"] == 1


# Rate limits shared by processes


async def test_two_processes_together_keep_within_the_platform_limit(database: Database) -> None:
    """10 calls/s for the platform: 20 calls from two processes take about a second (the first
    ten at once), where two in-memory limiters would let all twenty go at once."""
    limits = Limits(overall_per_second=10.0, per_chat_per_second=100.0)
    processes = [SharedPacing(database, "telegram", limits) for _ in range(2)]
    started = time.monotonic()
    await asyncio.gather(*(processes[n % 2].wait_turn(f"chat-{n}") for n in range(20)))
    assert time.monotonic() - started >= 0.85
    in_memory = [LocalPacing(limits) for _ in range(2)]
    started = time.monotonic()
    await asyncio.gather(*(in_memory[n % 2].wait_turn(f"chat-{n}") for n in range(20)))
    assert time.monotonic() - started < 0.5


async def test_one_chat_gets_one_call_a_second_across_processes(database: Database) -> None:
    limits = Limits(overall_per_second=100.0, per_chat_per_second=1.0)
    first, second = (SharedPacing(database, "zalo", limits) for _ in range(2))
    started = time.monotonic()
    await asyncio.gather(first.wait_turn("c1"), second.wait_turn("c1"), first.wait_turn("c1"))
    assert time.monotonic() - started >= 1.9


# Backups


async def test_a_backup_restores_the_database_as_it_was(database: Database, tmp_path: Path) -> None:
    accounts = Accounts(database)
    await accounts.add_user("lan", "Trần Thị Lan", "staff", "mat-khau-1234")
    backup = tmp_path / "bot.backup"
    cli(database.url, tmp_path, "backup", str(backup))
    assert backup.stat().st_mode & 0o777 == 0o600
    await accounts.add_user("minh", "Lê Minh", "staff", "mat-khau-5678")
    await database.dispose()
    cli(database.url, tmp_path, "restore", str(backup))
    async with database.sessions() as session:
        names = list(await session.scalars(select(StaffUser.username)))
    assert names == ["lan"]
    assert await accounts.login("lan", "mat-khau-1234", "127.0.0.1")


# Metrics and logs


async def scrape(url: str) -> dict[str, float]:
    """Every sample of /metrics by its name and labels, as in the text format."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    return {
        sample.name + json.dumps(sample.labels, sort_keys=True): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def sample(name: str, **labels: str) -> str:
    return name + json.dumps(labels, sort_keys=True)


@pytest.mark.rasa
async def test_metrics_count_turns_webhooks_and_the_backlog(
    platforms: Platforms, bot_url: str
) -> None:
    """The counters live as long as the process (other tests' turns included): compared
    before and after one message."""
    before = await scrape(bot_url)
    assert (await post_telegram(bot_url, telegram_text(880, "xin chào"))).status_code == 200
    await eventually(lambda: bool(platforms.telegram.calls_of("sendMessage")))
    after = await scrape(bot_url)
    for counted in (
        sample("bot_turns_total", action="smalltalk", platform="telegram"),
        sample("bot_webhooks_total", platform="telegram", status="200"),
        sample("bot_intents_total", intent="greet"),
        sample("bot_stage_seconds_count", stage="Understand"),
        sample("bot_turn_seconds_count", platform="telegram"),
        sample("bot_nlu_seconds_count", outcome="ok"),
    ):
        assert after[counted] - before.get(counted, 0.0) == 1.0, counted
    assert after[sample("bot_inbox_messages", status="dead")] == 0.0
    assert after[sample("bot_inbox_messages", status="pending")] == 0.0


async def test_metrics_can_ask_for_a_token(tmp_path: Path, rasa_server: RasaServer) -> None:
    from bot.app import create_app
    from tests.conftest import bot_settings
    from tests.fakes.loopback import serving

    settings = bot_settings(tmp_path, rasa_server, metrics_token="scrape-me")
    app = create_app(settings, lambda _: None)
    async with serving(app, "on") as url, httpx.AsyncClient() as client:
        assert (await client.get(f"{url}/metrics")).status_code == 401
        bearer = {"Authorization": "Bearer scrape-me"}
        assert (await client.get(f"{url}/metrics", headers=bearer)).status_code == 200


def test_json_logs_are_one_object_a_line_with_personal_data_redacted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    root = logging.getLogger()
    kept = root.handlers[:], root.level
    try:
        configure_logging("json", "INFO")
        log = logging.getLogger("bot.test")
        log.info("gọi lại số %s", "0912 345 678", extra={"chat": "số 0987654321"})
        try:
            raise ValueError("CCCD 001099012345")
        except ValueError:
            log.exception("thất bại")
    finally:
        root.handlers[:], _ = kept
        root.setLevel(kept[1])
    lines: list[dict[str, Any]] = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [line["level"] for line in lines] == ["INFO", "ERROR"]
    assert "0912" not in lines[0]["message"] and "0987654321" not in lines[0]["chat"]
    assert "001099012345" not in lines[1]["exc_info"] and "ValueError" in lines[1]["exc_info"]
    assert lines[0]["time"][:4].isdigit()


async def test_a_conversation_is_created_without_holding_the_turns_connection(
    database: Database,
) -> None:
    """Two turns of one new chat at once: one conversation, and neither waits for a second
    connection (the turn's transaction begins once the conversation exists)."""
    from bot.storage.conversations import ConversationRecords

    records = ConversationRecords(database)
    message = IncomingMessage("telegram", "new-chat", "u", "xin chào", "m1")

    async def turn() -> int:
        async with records.for_message(message) as conversation:
            return conversation.id

    first, second = await asyncio.gather(turn(), turn())
    assert first == second
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Conversation)) == 1


# Several worker processes behind one port


@pytest.mark.rasa
async def test_two_worker_processes_answer_every_message_once_and_report_together(
    tmp_path: Path, rasa_server: RasaServer
) -> None:
    """`serve --workers 2` with a Chroma server: each webhook is taken by either worker, every
    message is answered once, and /metrics counts the turns of both."""
    from tests.chroma import chroma_server
    from tests.conftest import bot_settings, unused_port
    from tests.fakes.telegram_api import FakeBotApi

    port = unused_port()
    url = f"http://127.0.0.1:{port}"
    async with FakeBotApi() as api:
        with chroma_server(tmp_path / "chroma") as chroma_url:
            settings = bot_settings(tmp_path, rasa_server, **api.settings("s3cret"))
            environment = os.environ | {
                "DATA_DIR": str(tmp_path),
                "DATABASE_URL": settings.resolved_database_url,
                "CHROMA_URL": chroma_url,
                "RASA_URL": rasa_server.url,
                "RASA_TOKEN": rasa_server.token,
                "RASA_AUTOSTART": "false",
                **{key.upper(): value for key, value in api.settings("s3cret").items()},
            }
            serve = subprocess.Popen(
                [sys.executable, "-m", "bot", "serve", "--port", str(port), "--workers", "2"],
                env=environment,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                async with httpx.AsyncClient(timeout=5.0) as client:
                    await eventually(lambda: _answers(url, "/readyz"), timeout_s=120)
                    workers = psutil.Process(serve.pid).children()
                    assert sum("spawn_main" in " ".join(w.cmdline()) for w in workers) == 2
                    for chat in range(20):
                        update = telegram_text(7000 + chat, "xin chào")
                        sent = await client.post(
                            f"{url}/webhooks/telegram",
                            json=update,
                            headers={"X-Telegram-Bot-Api-Secret-Token": "s3cret"},
                        )
                        assert sent.status_code == 200
                    await eventually(lambda: len(api.calls_of("sendMessage")) >= 20)
                    await asyncio.sleep(1.0)
                    chats = Counter(str(p["chat_id"]) for p in api.calls_of("sendMessage"))
                    assert len(chats) == 20 and set(chats.values()) == {1}
                    totals = await scrape(url)
                    turns = totals[
                        sample("bot_turns_total", action="smalltalk", platform="telegram")
                    ]
                    assert turns == 20.0
            finally:
                serve.terminate()
                serve.wait(timeout=60)


def _answers(url: str, path: str) -> bool:
    try:
        return httpx.get(f"{url}{path}", timeout=2.0).status_code == httpx.codes.OK
    except httpx.TransportError:
        return False
