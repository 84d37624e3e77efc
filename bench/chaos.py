"""Long fault runs through the Telegram webhook against a loopback Bot API (make bench).

1. A 30 s platform outage in the middle of a steady load: every reply is delivered once, in
   order per chat, after the platform comes back.
2. The SQLite database locked by another process for 5 s, twice, in the middle of a load: sends
   go through, recording them waits; no reply is sent twice.
3. 1 MB of adversarial text through the redaction patterns, and a webhook body of 1 MB.

Reports lost replies, duplicates, chats out of order and the time to catch up.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.stats import markdown_table
from bench.turns import free_port
from bot.app import create_app
from bot.core.safety import redact
from bot.settings import Settings
from bot.storage.database import sqlite_path
from tests.fakes.loopback import serving
from tests.fakes.telegram_api import FakeBotApi

SECRET = "chaos-secret"
CHATS = 30
MESSAGES_PER_CHAT = 3
OFFERED_PER_S = 2.0
OUTAGE_AT_S, OUTAGE_S = 5.0, 30.0
LOCKS_AT_S, LOCK_S = (5.0, 20.0), 5.0
TEXTS = ("xin chào", "cảm ơn bạn", "tạm biệt")


def update(n: int, chat: int, text: str) -> dict[str, Any]:
    person = {"id": chat, "first_name": "Lan"}
    return {
        "update_id": n,
        "message": {
            "message_id": n,
            "date": int(time.time()),
            "chat": person | {"type": "private"},
            "from": person | {"is_bot": False},
            "text": text,
        },
    }


async def steady_load(url: str, fault: Any, posted: dict[str, list[float]]) -> float:
    """Post every chat's messages at a fixed offered rate while ``fault`` runs, noting when
    each was accepted in ``posted``; returns when the last one was (monotonic)."""
    order = [(chat, text) for text in TEXTS[:MESSAGES_PER_CHAT] for chat in range(CHATS)]
    started = time.monotonic()
    fault_task = asyncio.create_task(fault(started))
    async with httpx.AsyncClient(timeout=60) as client:
        for n, (chat, text) in enumerate(order, 1):
            await asyncio.sleep(max(0.0, started + n / OFFERED_PER_S - time.monotonic()))
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            while True:  # as Telegram does: deliver again until the webhook answers 2xx
                response = await client.post(
                    f"{url}/webhooks/telegram", json=update(n, 50_000 + chat, text), headers=headers
                )
                if response.status_code == 200:
                    posted.setdefault(str(50_000 + chat), []).append(time.monotonic())
                    break
                await asyncio.sleep(1.0)
    await fault_task
    return time.monotonic()


async def run(name: str, data_dir: Path, fault: Any, **settings: Any) -> dict[str, Any]:
    async with FakeBotApi() as api:
        config = Settings(
            data_dir=data_dir,
            rasa_url=f"http://127.0.0.1:{free_port()}",
            delivery_backoff_cap_s=5.0,
            **api.settings(SECRET),
            **settings,
        )
        app = create_app(config, lambda m: print(m, file=sys.stderr))
        async with serving(app, "on") as url:
            database = sqlite_path(config.resolved_database_url)
            posted: dict[str, list[float]] = {}
            last_posted = await steady_load(
                url, lambda started: fault(api, database, started), posted
            )
            expected = CHATS * MESSAGES_PER_CHAT
            deadline = time.monotonic() + 600
            while len(api.delivered) < expected and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            caught_up = time.monotonic() - last_posted
            await asyncio.sleep(5.0)  # anything sent twice would arrive by now
            counts = await app.state.delivery.store.counts()
    per_chat: dict[str, list[str]] = {}
    for params in api.calls_of("sendMessage"):
        per_chat.setdefault(str(params["chat_id"]), []).append(str(params["text"]))
    sent = Counter(chat for _, chat in api.delivered)
    replied: dict[str, list[float]] = {}
    for at, chat in sorted(api.delivered):
        replied.setdefault(chat, []).append(at)
    waits = [
        reply - asked
        for chat, times in posted.items()
        for asked, reply in zip(times, replied.get(chat, []), strict=False)
    ]
    in_order = sum(
        1
        for texts in per_chat.values()
        if [t for t in texts if _reply_of(t)]
        == sorted([t for t in texts if _reply_of(t)], key=_reply_of)
    )
    return {
        "run": name,
        "messages": expected,
        "lost": expected - sum(min(n, MESSAGES_PER_CHAT) for n in sent.values()),
        "duplicates": sum(max(0, n - MESSAGES_PER_CHAT) for n in sent.values()),
        "chats_in_order": f"{in_order}/{CHATS}",
        "caught_up_s": round(caught_up, 1),
        "longest_wait_s": round(max(waits, default=0.0), 1),
        "outbox": counts,
    }


def _reply_of(text: str) -> int:
    """Which of the chat's messages a reply answers (0 for a reply to none we know)."""
    for n, marker in enumerate(("Xin chào", "Không có gì", "Chào bạn"), 1):
        if text.startswith(marker):
            return n
    return 0


async def outage(api: FakeBotApi, database: Path | None, started: float) -> None:
    await asyncio.sleep(OUTAGE_AT_S)
    api.down_for(OUTAGE_S)


async def locks(api: FakeBotApi, database: Path | None, started: float) -> None:
    assert database is not None
    for at in LOCKS_AT_S:
        await asyncio.sleep(max(0.0, started + at - time.monotonic()))
        await asyncio.to_thread(_hold_lock, database, LOCK_S)


def _hold_lock(database: Path, seconds: float) -> None:
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("BEGIN EXCLUSIVE")
    threading.Event().wait(seconds)
    connection.rollback()
    connection.close()


def adversarial_inputs() -> list[dict[str, Any]]:
    rows = []
    for name, text in [
        ("letters", "a" * 1_000_000),
        ("digits then a letter", "0" * 1_000_000 + "x"),
        ("spaced digits", "1 " * 500_000),
        ("at signs", "a@" * 500_000),
        ("labels", "stk 1" * 200_000),
    ]:
        started = time.perf_counter()
        redact(text)
        rows.append({"input": name, "chars": len(text), "seconds": time.perf_counter() - started})
    return rows


def main() -> None:
    results = []
    for name, fault, extra in [
        (f"{OUTAGE_S:.0f} s Bot API outage", outage, {}),
        (f"SQLite locked {LOCK_S:.0f} s, twice", locks, {}),
    ]:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(asyncio.run(run(name, Path(tmp), fault, **extra)))
    print(
        markdown_table(
            [
                "run",
                "messages",
                "lost",
                "duplicates",
                "chats in order",
                "longest wait for a reply",
                "all delivered after the last post",
            ],
            [
                [
                    r["run"],
                    r["messages"],
                    r["lost"],
                    r["duplicates"],
                    r["chats_in_order"],
                    f"{r['longest_wait_s']} s",
                    f"{r['caught_up_s']} s",
                ]
                for r in results
            ],
        )
    )
    redaction = adversarial_inputs()
    print()
    print(
        markdown_table(
            ["adversarial input (redaction)", "characters", "seconds"],
            [[r["input"], f"{r['chars']:,}", f"{r['seconds']:.2f}"] for r in redaction],
        )
    )
    out = Path("var/bench/chaos.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"runs": results, "redaction": redaction}, indent=2, default=str))


if __name__ == "__main__":
    main()
