"""The answer gate's match floors when NLU names a law topic (``RETRIEVAL_TOPIC_SIMILARITY_FLOOR``
and ``RETRIEVAL_TOPIC_LEXICAL_FLOOR``), calibrated on the development set held out and on the
unrelated messages: for each candidate pair, what it holds back of the development questions
NLU puts on a law topic (each fold searched by models trained without it), split by whether
their first article is right, and which unrelated messages on a law topic it lets through.
It also names the highest pair that holds back at most ``DROPPED_RIGHT`` of the questions
whose first article is right and lets no unrelated message through (a candidate: what lower
floors answer wrongly, and no longer send to the editors' inbox, is weighed in
``docs/benchmarks.md``). The sealed test set is never read here. Starts its own Rasa server on
a free loopback port."""

from __future__ import annotations

import asyncio
import sys
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bench.answers import held_out
from bench.stats import markdown_table
from bench.turns import free_port
from bot.core.catalogue import LAW_TOPIC_INTENTS
from bot.core.handlers import MatchFloors
from bot.runtime import Runtime, running_bot
from bot.settings import Settings
from knowledge_base.evaluation import load_devset, load_unrelated
from knowledge_base.in_force import InForceSearcher
from knowledge_base.search import Found
from knowledge_base.service import KnowledgeBase

CANDIDATES = ((0.3, 14.0), (0.25, 10.0), (0.22, 9.0), (0.2, 8.0), (0.18, 7.0), (0.15, 6.0))
"""(similarity, BM25) pairs, highest first: the gate's floors scaled down together."""
DROPPED_RIGHT = 0.005
"""The share of right first articles (of questions on a law topic) the match floors may hold
back: the confidence floor, not the match, is what keeps wrong first articles out."""
ANSWERS_AT = 3


@dataclass(frozen=True)
class Searched:
    text: str
    on_topic: bool
    found: Found
    right_first: bool


def searched(
    searcher: InForceSearcher, text: str, intent: str, answers: frozenset[str]
) -> Searched:
    found = searcher.find(text, ANSWERS_AT)
    right = bool(found.hits) and found.hits[0].article_id in answers
    return Searched(text, intent in LAW_TOPIC_INTENTS, found, right)


def in_force(kb: KnowledgeBase) -> InForceSearcher:
    return InForceSearcher(kb.searcher, kb.corpus, date.today)


async def collect(runtime: Runtime) -> tuple[list[Searched], list[Searched]]:
    """(the development questions, held out; the unrelated messages, by the shipped models)."""
    development = []
    async for fold, kb in held_out(runtime, load_devset()):
        searcher = in_force(kb)
        for question in fold:
            intent = (await runtime.rasa.parse(question.text)).intent
            development.append(searched(searcher, question.text, intent, question.answers))
    unrelated = []
    searcher = in_force(runtime.kb)
    for text in load_unrelated():
        intent = (await runtime.rasa.parse(text)).intent
        unrelated.append(searched(searcher, text, intent, frozenset()))
    return development, unrelated


def report(development: list[Searched], unrelated: list[Searched]) -> str:
    on_topic = [s for s in development if s.on_topic]
    right = sum(s.right_first for s in on_topic)
    rows, chosen = [], None
    for similarity, lexical in CANDIDATES:
        floors = MatchFloors(similarity, lexical)
        held = [s for s in on_topic if not floors.passed_by(s.found)]
        held_right = sum(s.right_first for s in held)
        through = [s.text for s in unrelated if s.on_topic and floors.passed_by(s.found)]
        if chosen is None and held_right <= DROPPED_RIGHT * right and not through:
            chosen = (similarity, lexical)
        rows.append(
            [
                f"{similarity} / {lexical:g}",
                f"{held_right} ({held_right / right:.1%})",
                len(held) - held_right,
                "; ".join(through) or "none",
            ]
        )
    header = [
        "floors (similarity / BM25)",
        f"right first articles held back (of {right})",
        f"wrong ones held back (of {len(on_topic) - right})",
        "unrelated messages let through",
    ]
    lines = [markdown_table(header, rows), ""]
    lines.append(
        f"{len(on_topic)} of {len(development)} development questions (held out) and "
        f"{sum(s.on_topic for s in unrelated)} of {len(unrelated)} unrelated messages are on a "
        "law topic."
    )
    if chosen:
        lines.append(
            f"RETRIEVAL_TOPIC_SIMILARITY_FLOOR {chosen[0]}, RETRIEVAL_TOPIC_LEXICAL_FLOOR "
            f"{chosen[1]:g}: the highest holding back at most {DROPPED_RIGHT:.1%} of the right "
            "first articles and letting no unrelated message through"
        )
    return "\n".join(lines)


async def measure(settings: Settings) -> str:
    progress = lambda m: print(m, file=sys.stderr)  # noqa: E731
    async with running_bot(settings, progress, platforms=False) as runtime:
        return report(*await collect(runtime))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), rasa_url=f"http://127.0.0.1:{free_port()}")
        print(asyncio.run(measure(settings)))


if __name__ == "__main__":
    main()
