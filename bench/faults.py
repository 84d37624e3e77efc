"""Fault runs on the deployment of `bench/deploy.py` (real processes, loopback only, bounded):
a steady load through the Telegram webhook while one part fails, then a bounded wait for every
reply.

1. kill -9 one of two bot workers (PostgreSQL) in the middle of the load; uvicorn's supervisor
   starts another. kill -9 the only bot process (SQLite) and start it again 5 s later. Every
   accepted message must be answered exactly once.
2. Rasa stopped for 30 s, then started again: answers come from retrieval meanwhile. (The load
   ends before Rasa is back, so its return is not exercised here.)
3. PostgreSQL stopped for 10 s: webhooks answer 503, Telegram (the generator) delivers again;
   nothing is lost.
4. The Bot API down for a minute: the outbox retries and catches up, in order per chat.

Each chat sends a law question (its own words), «cảm ơn bạn» and «tạm biệt» without waiting for
the replies, so that the order of the replies can be checked. Reports accepted messages, lost
ones, replies sent twice, chats whose replies came out of order, webhook answers other than 200,
the longest wait for a reply and how long after the fault ended everything was answered.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import uvloop

from bench.deploy import SECRET, Deployment, deployment
from bench.load import queued_per_chat, stage_sums, update
from bench.stats import markdown_table
from knowledge_base.evaluation import load_devset
from tests.fakes.telegram_api import FakeBotApi

CHATS = 100
OFFERED_PER_S = 10.0
FAULT_AT_S = 10.0
DRAIN_S = 240.0
RETRY_S = 1.0
THANKS, GOODBYE = "cảm ơn bạn", "tạm biệt"

Fault = Callable[[Deployment], Awaitable[None]]


@dataclass
class FaultResult:
    run: str
    messages: int
    accepted: int
    lost: int
    sent_twice: int
    chats_in_order: str
    webhook_errors: int
    longest_wait_s: float
    answered_after_fault_s: float
    nlu: dict[str, int]


def _reply_rank(text: str) -> int:
    """Which of a chat's three messages a reply answers."""
    if text.startswith("Không có gì"):
        return 2
    if text.startswith("Chào bạn") or text.startswith("Tạm biệt"):
        return 3
    return 1


async def _post(client: httpx.AsyncClient, url: str, body: bytes, errors: list[int]) -> bool:
    """Deliver as Telegram does: again after any answer but 200, for a bounded time."""
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    deadline = time.monotonic() + DRAIN_S
    while time.monotonic() < deadline:
        try:
            response = await client.post(f"{url}/webhooks/telegram", content=body, headers=headers)
            if response.status_code == httpx.codes.OK:
                return True
            errors.append(response.status_code)
        except httpx.TransportError:
            errors.append(0)
        await asyncio.sleep(RETRY_S)
    return False


async def run(name: str, running: Deployment, fault: Fault) -> FaultResult:
    questions = [q.text for q in load_devset()]
    chats = [2_000_000 + n for n in range(CHATS)]
    order = [(chat, f"{questions[chat % len(questions)]} (câu {chat})") for chat in chats]
    order += [(chat, THANKS) for chat in chats] + [(chat, GOODBYE) for chat in chats]
    posted: dict[str, list[float]] = {}
    errors: list[int] = []
    accepted = 0
    nlu_before = await stage_sums(running.url)
    delivered_before = len(running.api.delivered)
    started = time.monotonic()

    async def timed_fault() -> float:
        await asyncio.sleep(FAULT_AT_S)
        await fault(running)
        return time.monotonic()

    fault_task = asyncio.create_task(timed_fault())
    async with httpx.AsyncClient(timeout=30.0) as client:
        sends = []
        for n, (chat, text) in enumerate(order):
            await asyncio.sleep(max(0.0, started + n / OFFERED_PER_S - time.monotonic()))
            posted.setdefault(str(chat), []).append(time.monotonic())
            body = update(next(_update_ids), chat, text)
            sends.append(asyncio.create_task(_post(client, running.url, body, errors)))
        accepted = sum(await asyncio.gather(*sends))
    fault_ended = await fault_task
    deadline = time.monotonic() + DRAIN_S
    wanted = {str(chat) for chat in chats}

    def answered() -> Counter[str]:
        return Counter(c for _, c in running.api.delivered[delivered_before:] if c in wanted)

    while sum(min(n, 3) for n in answered().values()) < accepted and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    last_reply = max((at for at, c in running.api.delivered[delivered_before:] if c in wanted))
    await asyncio.sleep(5.0)  # anything sent twice would arrive by now
    texts: dict[str, list[str]] = {}
    for params in running.api.calls_of("sendMessage"):
        if str(params["chat_id"]) in wanted:
            texts.setdefault(str(params["chat_id"]), []).append(str(params["text"]))
    ranks = {chat: [_reply_rank(t) for t in ts] for chat, ts in texts.items()}
    replies: dict[str, list[float]] = {}
    for at, chat in running.api.delivered[delivered_before:]:
        if chat in wanted:
            replies.setdefault(chat, []).append(at)
    waits = [
        reply - asked
        for chat, asked_at in posted.items()
        for asked, reply in zip(asked_at, replies.get(chat, []), strict=False)
    ]
    calls = answered()
    queued = await queued_per_chat(running.database_url)
    nlu_after = await stage_sums(running.url)
    return FaultResult(
        run=name,
        messages=len(order),
        accepted=accepted,
        lost=accepted - sum(1 for chat in wanted for _ in range(min(calls[chat], 3))),
        sent_twice=sum(max(0, calls[chat] - queued.get(chat, 0)) for chat in wanted),
        chats_in_order=f"{sum(1 for r in ranks.values() if r == sorted(r))}/{CHATS}",
        webhook_errors=len(errors),
        longest_wait_s=round(max(waits, default=0.0), 1),
        answered_after_fault_s=round(max(0.0, last_reply - fault_ended), 1),
        nlu={
            outcome: int(nlu_after.get(f"nlu_{outcome}", (0, 0))[1])
            - int(nlu_before.get(f"nlu_{outcome}", (0, 0))[1])
            for outcome in ("ok", "cached", "unavailable")
        },
    )


_update_ids = itertools.count(10_000_000)


async def kill_a_worker(running: Deployment) -> None:
    running.kill_worker()


def kill_and_restart_after(seconds: float) -> Fault:
    """kill -9 the only bot process, start it again ``seconds`` later."""

    async def fault(running: Deployment) -> None:
        running.kill_worker()
        await asyncio.sleep(seconds)
        await running.start_bot()

    return fault


def stop_rasa_for(seconds: float) -> Fault:
    async def fault(running: Deployment) -> None:
        await running.rasa.stop()
        await asyncio.sleep(seconds)
        await running.rasa.start()  # answers again once its model is loaded

    return fault


def stop_database_for(seconds: float) -> Fault:
    async def fault(running: Deployment) -> None:
        assert running.postgres is not None
        await asyncio.to_thread(running.postgres.stop)
        await asyncio.sleep(seconds)
        await asyncio.to_thread(running.postgres.start)

    return fault


def platform_down_for(seconds: float) -> Fault:
    async def fault(running: Deployment) -> None:
        running.api.down_for(seconds)
        await asyncio.sleep(seconds)

    return fault


RUNS: list[tuple[str, dict[str, Any], Fault]] = [
    ("kill -9 one of 2 workers (PostgreSQL)", {"workers": 2, "postgres": True}, kill_a_worker),
    ("kill -9 the only process (SQLite), restarted 5 s later", {}, kill_and_restart_after(5.0)),
    ("Rasa stopped 30 s", {}, stop_rasa_for(30.0)),
    ("PostgreSQL stopped 10 s", {"postgres": True}, stop_database_for(10.0)),
    ("Bot API down 60 s", {"DELIVERY_BACKOFF_CAP_S": "5"}, platform_down_for(60.0)),
]


async def main_async(names: list[str]) -> list[FaultResult]:
    results = []
    for name, options, fault in RUNS:
        if names and not any(wanted in name for wanted in names):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            async with FakeBotApi() as api, deployment(api, Path(tmp), **options) as running:
                result = await run(name, running, fault)
        results.append(result)
        print(json.dumps(asdict(result), ensure_ascii=False), flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="*", help="only the runs whose name contains one of these")
    results = uvloop.run(main_async(parser.parse_args().runs))
    print(
        markdown_table(
            [
                "run",
                "messages (accepted)",
                "lost",
                "sent twice",
                "chats in order",
                "webhook answers ≠ 200",
                "longest wait",
                "all answered, after the fault",
                "NLU ok / cached / unavailable",
            ],
            [
                [
                    r.run,
                    f"{r.messages} ({r.accepted})",
                    r.lost,
                    r.sent_twice,
                    r.chats_in_order,
                    r.webhook_errors,
                    f"{r.longest_wait_s} s",
                    f"{r.answered_after_fault_s} s",
                    f"{r.nlu['ok']} / {r.nlu['cached']} / {r.nlu['unavailable']}",
                ]
                for r in results
            ],
        )
    )
    out = Path("var/bench/faults.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in results], indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
