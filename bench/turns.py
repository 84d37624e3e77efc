"""Turns through the whole bot: Rasa parse latency over HTTP, `ask` latency per question warm,
conversation turns (the citizen lines of tests/transcripts: complaint forms, handoffs, safety),
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

import yaml

from bench.stats import markdown_table, percentiles_ms, rss_mib
from bot.core.messages import Attachment, IncomingMessage
from bot.runtime import running_bot
from bot.settings import Settings
from knowledge_base.evaluation import load_devset

TRANSCRIPTS = Path(__file__).parents[1] / "tests" / "transcripts"


def conversations() -> list[list[tuple[str, int]]]:
    """(text, attachments) of each citizen turn, per transcript scenario."""
    return [
        [(t["citizen"], t.get("attachments", 0)) for t in scenario["turns"] if "citizen" in t]
        for path in sorted(TRANSCRIPTS.glob("*.yml"))
        for scenario in yaml.safe_load(path.read_text(encoding="utf-8"))
    ]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def measure(settings: Settings) -> dict[str, float]:
    questions = [q.text for q in load_devset()]
    rss_before = rss_mib()
    progress = lambda m: print(m, file=sys.stderr)  # noqa: E731
    async with running_bot(settings, progress, platforms=False) as runtime:
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
            chat = uuid.uuid4().hex
            message = IncomingMessage("bench", chat, "bench", text, message_id=chat)
            start = time.perf_counter()
            reply = (await runtime.turns.answer_now(message)).reply
            turn_s.append(time.perf_counter() - start)
            assert reply is not None and reply.intent and reply.intent.name != "nlu_unavailable"
        conversation_s = []
        for _ in range(5):
            for turns in conversations():
                chat = uuid.uuid4().hex
                for n, (text, files) in enumerate(turns):
                    attachments = tuple(
                        Attachment("photo", f"https://x/{chat}/{n}/{i}") for i in range(files)
                    )
                    message = IncomingMessage(
                        "bench", chat, "bench", text, f"{chat}-{n}", attachments
                    )
                    start = time.perf_counter()
                    await runtime.turns.answer_now(message)
                    conversation_s.append(time.perf_counter() - start)
        rss_after = rss_mib()
    parse = percentiles_ms(parse_s)
    turn = percentiles_ms(turn_s)
    conversation = percentiles_ms(conversation_s)
    return {
        "questions": len(questions),
        "parse_p50_ms": parse[0],
        "parse_p95_ms": parse[1],
        "turn_p50_ms": turn[0],
        "turn_p95_ms": turn[1],
        "conversation_turns": len(conversation_s),
        "conversation_p50_ms": conversation[0],
        "conversation_p95_ms": conversation[1],
        "conversation_max_ms": max(conversation_s) * 1000,
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
                [
                    f"conversation turns ({result['conversation_turns']}: complaint forms, "
                    "handoffs, safety, out of scope; target p95 <= 150 ms)",
                    f"{result['conversation_p50_ms']:.1f} ms",
                    f"{result['conversation_p95_ms']:.1f} ms",
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
                [
                    f"after {2 * n} parses and {n + result['conversation_turns']} turns",
                    f"{result['rss_after_mib']:.0f}",
                ],
            ],
        )
    )
    out = Path("var/bench/turns.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
