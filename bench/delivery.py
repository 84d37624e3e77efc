"""Webhook deliveries through each connector into loopback platform servers.

2,000 deliveries per platform, 10% of them delivered twice, 5% of API calls failing once
(Telegram: 429 with retry_after=1; Zalo: HTTP 500). Every delivery is a development-set question
from its own chat, answered by the whole bot (real Rasa, index, SQLite). The platforms' own rate
limits are lifted here so that the figures measure our overhead, not Telegram's 30 messages/s.
Reports messages lost, duplicate replies, webhook-to-API-call latency and throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.stats import markdown_table, percentiles_ms
from bench.turns import free_port
from bot.app import create_app
from bot.settings import Settings
from connectors.telegram import TelegramConnector
from connectors.zalo import ZaloConnector
from knowledge_base.evaluation import load_devset
from tests.fakes.loopback import serving
from tests.fakes.telegram_api import FakeBotApi
from tests.fakes.zalo_api import FakeZaloApi, signed_webhook, text_event

DELIVERIES = 2000
DUPLICATE_SHARE = 0.10
FAILING_SHARE = 0.05
SECRET = "bench-secret"
APP_ID, APP_SECRET, OA_SECRET = "1234567890", "app-secret", "oa-secret-key"


def telegram_request(n: int, text: str) -> tuple[bytes, dict[str, str]]:
    person = {"id": 10_000 + n, "first_name": "Lan"}
    update = {
        "update_id": n + 1,
        "message": {
            "message_id": 1,
            "date": int(time.time()),
            "chat": person | {"type": "private"},
            "from": person | {"is_bot": False},
            "text": text,
        },
    }
    headers = {"Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": SECRET}
    return json.dumps(update).encode(), headers


def zalo_request(n: int, text: str) -> tuple[bytes, dict[str, str]]:
    event = text_event(APP_ID, str(10_000 + n), text, f"m{n}")
    return signed_webhook(event, app_id=APP_ID, oa_secret_key=OA_SECRET)


async def flaky(calls: Any, fail_once: Any) -> None:
    """Make one API call in twenty fail once, spread over the run."""
    seen = 0
    while True:
        await asyncio.sleep(0.01)
        while len(calls()) - seen >= round(1 / FAILING_SHARE):
            seen += round(1 / FAILING_SHARE)
            fail_once()


async def measure(
    platform: str, settings: Settings, api: Any, delivered: Any, total: int
) -> dict[str, Any]:
    questions = [q.text for q in load_devset()]
    unique = total - round(total * DUPLICATE_SHARE)
    deliveries = [(n, questions[n % len(questions)]) for n in range(unique)]
    deliveries += random.Random(7).sample(deliveries, total - unique)
    random.Random(8).shuffle(deliveries)
    posted: dict[str, float] = {}
    make = telegram_request if platform == "telegram" else zalo_request
    app = create_app(settings, lambda m: print(m, file=sys.stderr))
    async with serving(app, "on") as url:
        failures = asyncio.create_task(flaky(api.calls_list, api.fail_once))
        started = time.monotonic()
        limit = asyncio.Semaphore(16)
        async with httpx.AsyncClient(timeout=60) as client:

            async def post(n: int, text: str) -> None:
                body, headers = make(n, text)
                async with limit:
                    posted.setdefault(str(10_000 + n), time.monotonic())
                    response = await client.post(
                        f"{url}/webhooks/{platform}", content=body, headers=headers
                    )
                    response.raise_for_status()

            await asyncio.gather(*(post(n, text) for n, text in deliveries))
            deadline = time.monotonic() + 300
            while len({chat for _, chat in delivered()}) < unique and time.monotonic() < deadline:
                await asyncio.sleep(0.2)
            await asyncio.sleep(3.0)  # anything sent twice would arrive by now
        elapsed = time.monotonic() - started
        failures.cancel()
        counts = await app.state.delivery.store.counts()
        chunks = await app.state.delivery.store.sent_per_chat(platform)
    first_reply = {}
    for at, chat in sorted(delivered()):
        first_reply.setdefault(chat, at)
    per_chat = Counter(chat for _, chat in delivered())
    latencies = [first_reply[chat] - posted[chat] for chat in first_reply]
    p50, p95 = percentiles_ms(latencies)
    return {
        "platform": platform,
        "deliveries": total,
        "unique_messages": unique,
        "lost": unique - len(first_reply),
        "duplicate_replies": sum(max(0, per_chat[c] - chunks.get(c, 0)) for c in per_chat),
        "failed_api_calls_injected": api.injected(),
        "outbox": counts,
        "p50_ms": p50,
        "p95_ms": p95,
        "messages_per_s": unique / elapsed,
        "seconds": elapsed,
    }


class TelegramView:
    def __init__(self, api: FakeBotApi) -> None:
        self.api = api
        self._injected = 0

    def calls_list(self) -> list[Any]:
        return self.api.calls_of("sendMessage")

    def fail_once(self) -> None:
        self._injected += 1
        self.api.fail_next("sendMessage", status=429, retry_after=1)

    def injected(self) -> int:
        return self._injected

    def delivered(self) -> list[tuple[float, str]]:
        return list(self.api.delivered)


class ZaloView:
    def __init__(self, api: FakeZaloApi) -> None:
        self.api = api
        self._injected = 0

    def calls_list(self) -> list[Any]:
        return self.api.sent

    def fail_once(self) -> None:
        self._injected += 1
        self.api.fail_next(-1, "Internal error", status_code=500)

    def injected(self) -> int:
        return self._injected

    def delivered(self) -> list[tuple[float, str]]:
        return [(s.at, s.user_id) for s in self.api.sent]


async def run(platform: str, data_dir: Path, total: int) -> dict[str, Any]:
    # Lift the platforms' published limits: measure our overhead, not theirs.
    for connector in (TelegramConnector, ZaloConnector):
        connector.overall_per_second = 2000.0
        connector.per_chat_per_second = 100.0
    base = {
        "data_dir": data_dir,
        "rasa_url": f"http://127.0.0.1:{free_port()}",
        "telegram_messages_per_s": TelegramConnector.overall_per_second,
    }
    if platform == "telegram":
        async with FakeBotApi() as api:
            settings = Settings(**base, **api.settings(SECRET))
            view = TelegramView(api)
            return await measure(platform, settings, view, view.delivered, total)
    zalo = FakeZaloApi(
        app_id=APP_ID, app_secret=APP_SECRET, access_token="a-1", refresh_token="r-1"
    )
    async with zalo:
        settings = Settings(**base, **zalo.settings(OA_SECRET))
        view = ZaloView(zalo)
        return await measure(platform, settings, view, view.delivered, total)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deliveries", type=int, default=DELIVERIES)
    total = parser.parse_args().deliveries
    results = []
    for platform in ("telegram", "zalo"):
        with tempfile.TemporaryDirectory() as tmp:
            results.append(asyncio.run(run(platform, Path(tmp), total)))
    print(
        markdown_table(
            [
                "platform",
                "deliveries (unique)",
                "lost",
                "duplicate replies",
                "API failures injected",
                "webhook → API call p50 / p95",
                "throughput",
            ],
            [
                [
                    r["platform"],
                    f"{r['deliveries']} ({r['unique_messages']})",
                    str(r["lost"]),
                    str(r["duplicate_replies"]),
                    str(r["failed_api_calls_injected"]),
                    f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} ms",
                    f"{r['messages_per_s']:.1f} messages/s",
                ]
                for r in results
            ],
        )
    )
    out = Path("var/bench/delivery.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
