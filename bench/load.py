"""Load generator: citizens through the Telegram webhook at fixed offered rates, against the
deployment of `bench/deploy.py` (real `serve` processes, Rasa, SQLite or PostgreSQL) and the
loopback Bot API. Loopback only and bounded: every step posts a fixed number of updates over a
fixed time, then waits a bounded time for the last replies.

The realistic mix: each new citizen is a law question from the development set (60 %),
smalltalk (greeting, thanks; 20 %), a request for staff (10 %) or a complaint through the form
with a correction (10 %); a citizen sends their next message a few seconds after the reply
(``THINK_S``); 5 % of updates are delivered twice, as Telegram does when an answer is slow.
``--mix questions``: every update a new chat with a development-set question.

Reports per offered rate: the sustained rate, webhook → API call p50/p95/p99, errors (non-2xx
answers), messages lost and replies sent twice, CPU of each process (percent of one core),
memory of the bot, and the time per turn in each stage (from /metrics).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import statistics
import tempfile
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from http import HTTPStatus
from pathlib import Path
from typing import Any

import aiohttp
import httpx
import psutil
import uvloop
from prometheus_client.parser import text_string_to_metric_families

from bench.deploy import SECRET, Deployment, deployment
from bench.stats import markdown_table
from bot.delivery.store import DeliveryStore
from bot.storage.database import Database
from knowledge_base.evaluation import load_devset
from tests.fakes.telegram_api import FakeBotApi

THINK_S = 3.0
DUPLICATE_SHARE = 0.05
DRAIN_S = 60.0
RETRY_S = 1.0
"""Telegram delivers an update again after a non-2xx answer; here after this long."""
MAX_IN_FLIGHT = 512
SESSION_WEIGHTS = {"law": 0.6, "smalltalk": 0.2, "handoff": 0.1, "complaint": 0.1}
SMALLTALK = ["xin chào", "cảm ơn bạn nhé"]
HANDOFF = ["cho tôi gặp cán bộ tư vấn"]
COMPLAINT = [
    "Tôi muốn khiếu nại cửa hàng {shop} bán {product} hỏng mà không chịu đổi",
    "Có",
    "Đồng ý",
    "{shop}, {number} Lê Lợi, TP Huế",
    "{product}",
    "mua ngày {day}/11/2026, giá {price}.000đ",
    "{product} hỏng sau {days} ngày, cửa hàng hẹn mãi không đến sửa",
    "Tôi muốn được đổi {product} mới",
    "0912 345 678",
    "Bỏ qua",
    "sửa số điện thoại",
    "0987.654.321",
    "Xác nhận",
]
SHOPS = ["Điện máy Hoàng Long", "Siêu thị Minh Anh", "Cửa hàng Phúc Lộc", "Điện máy Bình Minh"]
PRODUCTS = ["tủ lạnh Samsung 300 lít", "máy giặt LG 9 kg", "điều hòa Daikin", "nồi cơm điện"]


@dataclass
class Session:
    chat: int
    kind: str
    texts: list[str]
    sent: int = 0


@dataclass
class Posted:
    chat: int
    kind: str
    posted_at: float
    accepted: bool = False
    replied_at: float | None = None


@dataclass
class StepResult:
    offered_per_s: float
    messages: int
    sustained_per_s: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    lost: int
    duplicate_replies: int
    cpu_percent: dict[str, float]
    bot_rss_mib: float
    load_average: float
    """The machine's one-minute load average at the end of the step (2 cores)."""
    stage_ms: dict[str, float] = field(default_factory=dict)
    nlu_cached_share: float = 0.0


class Load:
    """One offered rate for ``duration_s`` seconds."""

    def __init__(
        self, running: Deployment, rate: float, duration_s: float, mix: str, seed: int
    ) -> None:
        self._running = running
        self._rate = rate
        self._duration_s = duration_s
        self._mix = mix
        self._rng = random.Random(seed)
        self._questions = [q.text for q in load_devset()]
        self._ready: deque[tuple[float, Session]] = deque()
        self._waiting: dict[str, tuple[Posted, Session]] = {}
        self.posted: list[Posted] = []
        self.errors = 0
        self._tasks: set[asyncio.Task[None]] = set()

    def _new_session(self, chat: int) -> Session:
        """A citizen's messages. What citizens write in their own words (a question, a shop,
        a product, a date) differs from one citizen to the next, so that no cache of ours
        sees it twice; short answers ("có", "đồng ý", "xin chào") are the same for all."""
        question = f"{self._rng.choice(self._questions)} (câu {chat})"
        if self._mix == "questions":
            return Session(chat, "law", [question])
        kind = self._rng.choices(list(SESSION_WEIGHTS), list(SESSION_WEIGHTS.values()))[0]
        own_words = {
            "shop": self._rng.choice(SHOPS),
            "product": self._rng.choice(PRODUCTS),
            "number": self._rng.randint(1, 999),
            "day": self._rng.randint(1, 28),
            "price": self._rng.randint(100, 20_000),
            "days": self._rng.randint(2, 30),
        }
        texts = {
            "law": [question],
            "smalltalk": SMALLTALK,
            "handoff": HANDOFF,
            "complaint": [text.format(**own_words) for text in COMPLAINT],
        }[kind]
        return Session(chat, kind, texts)

    def on_delivered(self, at: float, chat: str) -> None:
        waiting = self._waiting.pop(chat, None)
        if waiting is None:
            return  # a further chunk of a long reply
        posted, session = waiting
        posted.replied_at = at
        if session.sent < len(session.texts):
            self._ready.append((at + THINK_S, session))

    async def run(self, chats: Iterator[int], updates: Iterator[int]) -> None:
        # aiohttp: about a quarter of httpx's CPU per request, which the bot would otherwise lose.
        client = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=30.0),
            connector=aiohttp.TCPConnector(limit=MAX_IN_FLIGHT),
        )
        started = time.monotonic()
        async with client:
            for n in range(round(self._rate * self._duration_s)):
                await asyncio.sleep(max(0.0, started + n / self._rate - time.monotonic()))
                if self._ready and self._ready[0][0] <= time.monotonic():
                    session = self._ready.popleft()[1]
                else:
                    session = self._new_session(next(chats))
                text = session.texts[session.sent]
                session.sent += 1
                posted = Posted(session.chat, session.kind, time.monotonic())
                self.posted.append(posted)
                self._waiting[str(session.chat)] = (posted, session)
                body = update(next(updates), session.chat, text)
                copies = 2 if self._rng.random() < DUPLICATE_SHARE else 1
                for _ in range(copies):
                    self._spawn(self._post(client, body, posted))
            self.offered_s = time.monotonic() - started
            deadline = time.monotonic() + DRAIN_S
            while self._waiting and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.gather(*self._tasks)

    def _spawn(self, work: Any) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _post(self, client: aiohttp.ClientSession, body: bytes, posted: Posted) -> None:
        headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
        deadline = posted.posted_at + DRAIN_S
        while time.monotonic() < deadline:
            try:
                async with client.post(
                    f"{self._running.url}/webhooks/telegram", data=body, headers=headers
                ) as response:
                    await response.read()
                    if response.status == HTTPStatus.OK:
                        posted.accepted = True
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            self.errors += 1
            await asyncio.sleep(RETRY_S)


def update(update_id: int, chat: int, text: str) -> bytes:
    person = {"id": chat, "first_name": "Lan"}
    message = {
        "message_id": update_id,
        "date": int(time.time()),
        "chat": person | {"type": "private"},
        "from": person | {"is_bot": False},
        "text": text,
    }
    return json.dumps({"update_id": update_id, "message": message}).encode()


def cpu_seconds(parts: dict[str, list[psutil.Process]]) -> dict[str, float]:
    """CPU seconds of each part so far, and of the bot in the kernel (``bot system``)."""
    seconds: dict[str, float] = {}
    for name, processes in parts.items():
        for process in processes:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            seconds[name] = seconds.get(name, 0.0) + times.user + times.system
            if name == "bot":
                seconds["bot system"] = seconds.get("bot system", 0.0) + times.system
    return seconds


def rss_mib(processes: list[psutil.Process]) -> float:
    total = 0
    for process in processes:
        try:
            total += process.memory_info().rss
        except psutil.NoSuchProcess:
            continue
    return total / 2**20


async def stage_sums(url: str) -> dict[str, tuple[float, float]]:
    """(seconds, count) of each stage and of the whole turn, from /metrics."""
    async with httpx.AsyncClient() as client:
        text = (await client.get(f"{url}/metrics")).text
    sums: dict[str, list[float]] = {}
    for family in text_string_to_metric_families(text):
        if family.name not in ("bot_stage_seconds", "bot_turn_seconds", "bot_nlu_seconds"):
            continue
        for sample in family.samples:
            name = sample.labels.get("stage") or family.name.removeprefix("bot_")
            if "outcome" in sample.labels:
                name = f"nlu_{sample.labels['outcome']}"
            slot = sums.setdefault(name, [0.0, 0.0])
            if sample.name.endswith("_sum"):
                slot[0] += sample.value
            elif sample.name.endswith("_count"):
                slot[1] += sample.value
    return {name: (s, c) for name, (s, c) in sums.items()}


def percentile(samples: list[float], q: int) -> float:
    if len(samples) < 2:
        return samples[0] * 1000 if samples else float("nan")
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1] * 1000


async def step(
    running: Deployment,
    rate: float,
    duration_s: float,
    mix: str,
    chats: Iterator[int],
    updates: Iterator[int],
) -> StepResult:
    load = Load(running, rate, duration_s, mix, seed=int(rate * 1000))
    running.api.on_delivered = load.on_delivered
    parts = running.processes()
    stages_before = await stage_sums(running.url)
    cpu_before, wall_before = cpu_seconds(parts), time.monotonic()
    calls_before = Counter(chat for _, chat in running.api.delivered)
    await load.run(chats, updates)
    wall = time.monotonic() - wall_before
    cpu_after = cpu_seconds(parts)
    stages_after = await stage_sums(running.url)
    running.api.on_delivered = None
    replied = [p for p in load.posted if p.replied_at is not None]
    latencies = [p.replied_at - p.posted_at for p in replied if p.replied_at is not None]
    first = min(p.posted_at for p in load.posted)
    last = max((p.replied_at for p in replied if p.replied_at), default=first)
    calls = Counter(chat for _, chat in running.api.delivered) - calls_before
    queued = await queued_per_chat(running.database_url)
    run_chats = {str(p.chat) for p in load.posted}
    stage_ms, counts = {}, {}
    for name, (seconds, count) in stages_after.items():
        before = stages_before.get(name, (0.0, 0.0))
        counts[name] = count - before[1]
        if count > before[1]:
            stage_ms[name] = (seconds - before[0]) / (count - before[1]) * 1000
    parses = counts.get("nlu_ok", 0) + counts.get("nlu_cached", 0)
    return StepResult(
        offered_per_s=rate,
        messages=len(load.posted),
        sustained_per_s=len(replied) / max(last - first, 1e-9),
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        p99_ms=percentile(latencies, 99),
        errors=load.errors,
        lost=sum(1 for p in load.posted if p.accepted and p.replied_at is None),
        duplicate_replies=sum(max(0, calls[c] - queued.get(c, 0)) for c in run_chats),
        cpu_percent={
            name: round((cpu_after[name] - cpu_before.get(name, 0.0)) / wall * 100, 1)
            for name in cpu_after
        },
        bot_rss_mib=round(rss_mib(parts["bot"]), 1),
        load_average=round(os.getloadavg()[0], 1),
        stage_ms={k: round(v, 2) for k, v in sorted(stage_ms.items())},
        nlu_cached_share=round(counts.get("nlu_cached", 0) / parses, 2) if parses else 0.0,
    )


async def queued_per_chat(database_url: str) -> dict[str, int]:
    """API calls the bot queued for each chat: a chat that got more was sent one twice."""
    database = Database(database_url)
    try:
        return await DeliveryStore(database).sent_per_chat("telegram")
    finally:
        await database.dispose()


async def measure(
    rates: list[float], duration_s: float, mix: str, workers: int, postgres: bool, data_dir: Path
) -> list[StepResult]:
    chats = itertools.count(1_000_000)
    updates = itertools.count(1)
    results = []
    async with (
        FakeBotApi() as api,
        deployment(api, data_dir, workers=workers, postgres=postgres) as running,
    ):
        await step(running, 5.0, 10.0, "questions", chats, updates)  # warm-up, not reported
        for rate in rates:
            result = await step(running, rate, duration_s, mix, chats, updates)
            results.append(result)
            print(json.dumps(asdict(result)), flush=True)
    return results


def table(results: list[StepResult]) -> str:
    parts = sorted({name for r in results for name in r.cpu_percent})
    return markdown_table(
        [
            "offered /s",
            "sustained /s",
            "p50 ms",
            "p95 ms",
            "p99 ms",
            "errors",
            "lost",
            "sent twice",
            *[f"CPU {name} %" for name in parts],
            "bot RSS MiB",
            "load average",
        ],
        [
            [
                f"{r.offered_per_s:g}",
                f"{r.sustained_per_s:.1f}",
                f"{r.p50_ms:.0f}",
                f"{r.p95_ms:.0f}",
                f"{r.p99_ms:.0f}",
                r.errors,
                r.lost,
                r.duplicate_replies,
                *[f"{r.cpu_percent.get(name, 0):.0f}" for name in parts],
                f"{r.bot_rss_mib:.0f}",
                f"{r.load_average:.1f}",
            ]
            for r in results
        ],
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--rates", default="10,20,30,40,50", help="offered updates/s, comma-separated"
    )
    parser.add_argument("--duration", type=float, default=30.0, help="seconds per rate")
    parser.add_argument("--mix", choices=["realistic", "questions"], default="realistic")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--postgres", action="store_true", help="a throwaway PostgreSQL server")
    parser.add_argument("--out", default="var/bench/load.json")
    args = parser.parse_args()
    rates = [float(r) for r in args.rates.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        results = uvloop.run(
            measure(rates, args.duration, args.mix, args.workers, args.postgres, Path(tmp))
        )
    print(table(results))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps([asdict(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
