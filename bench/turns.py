"""Turns through the whole bot: Rasa parse latency over HTTP, `ask` latency per question warm,
and the bot process's memory. Starts its own Rasa server on a free loopback port."""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.stats import markdown_table, percentiles_ms, rss_mib
from bot.core.messages import IncomingMessage
from bot.runtime import running_bot
from bot.settings import Settings
from knowledge_base.evaluation import load_devset


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def measure(settings: Settings) -> dict[str, float]:
    questions = [q.text for q in load_devset()]
    rss_before = rss_mib()
    async with running_bot(settings, lambda m: print(m, file=sys.stderr)) as runtime:
        rss_loaded = rss_mib()
        for text in questions[:20]:  # warm-up
            await runtime.rasa.parse(text)
        parse_s = []
        for text in questions:
            start = time.perf_counter()
            await runtime.rasa.parse(text)
            parse_s.append(time.perf_counter() - start)
        turn_s = []
        for text in questions:
            message = IncomingMessage("bench", uuid.uuid4().hex, "bench", text)
            start = time.perf_counter()
            reply = await runtime.pipeline.handle(message)
            turn_s.append(time.perf_counter() - start)
            assert reply is not None and reply.intent and reply.intent.name != "nlu_unavailable"
        rss_after = rss_mib()
    parse = percentiles_ms(parse_s)
    turn = percentiles_ms(turn_s)
    return {
        "questions": len(questions),
        "parse_p50_ms": parse[0],
        "parse_p95_ms": parse[1],
        "turn_p50_ms": turn[0],
        "turn_p95_ms": turn[1],
        "rss_start_mib": rss_before,
        "rss_loaded_mib": rss_loaded,
        "rss_after_mib": rss_after,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), rasa_url=f"http://127.0.0.1:{free_port()}")
        result = asyncio.run(measure(settings))
    n = result["questions"]
    print(
        markdown_table(
            ["measure", "p50", "p95"],
            [
                [
                    f"Rasa parse over HTTP ({n} questions)",
                    f"{result['parse_p50_ms']:.1f} ms",
                    f"{result['parse_p95_ms']:.1f} ms",
                ],
                [
                    "one `ask` turn, warm, in-process (Rasa + retrieval + SQLite)",
                    f"{result['turn_p50_ms']:.1f} ms",
                    f"{result['turn_p95_ms']:.1f} ms",
                ],
            ],
        )
    )
    print()
    print(
        markdown_table(
            ["bot process memory (RSS)", "MiB"],
            [
                ["after imports", f"{result['rss_start_mib']:.0f}"],
                ["index and database loaded", f"{result['rss_loaded_mib']:.0f}"],
                [f"after {2 * n} parses and {n} turns", f"{result['rss_after_mib']:.0f}"],
            ],
        )
    )
    out = Path("var/bench/turns.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
