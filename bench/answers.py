"""The whole bot on the evaluation questions, each the first message of a new conversation (as
`ask` sends them): how often the answer cites a right article, how often the article it quotes
first is right, what else it did (asked to clarify, declined, offered staff), how long the law
answers are and how long a turn takes. Development set in full, twice: as shipped (in-sample:
the models learnt these questions) and held out (``development-cv``: each fold answered by a
classifier and ranker trained without it, as a new citizen's question is); sealed test set as
figures only; the questions beyond the knowledge base (``beyond.yml``), where any law answer
is quoted from a general rule at best. Starts its own Rasa server on a free loopback port."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from bench.stats import markdown_table, percentiles_ms
from bench.train_ranker import fold_models
from bench.turns import free_port
from bot.core.messages import Action, IncomingMessage
from bot.runtime import Runtime, build_pipeline, running_bot
from bot.settings import Settings
from knowledge_base.evaluation import Question, load_beyond, load_devset, load_testset
from knowledge_base.service import KnowledgeBase
from knowledge_base.units import UnitId

REPORT = Path("var/bench/answers.json")


@dataclass
class Tally:
    """What the bot did with a set of questions."""

    questions: int = 0
    cites_right: int = 0
    quotes_right_first: int = 0
    actions: Counter[str] = field(default_factory=Counter)
    law_answer_chars: list[int] = field(default_factory=list)
    turn_s: list[float] = field(default_factory=list)

    def share(self, count: int) -> float:
        return count / self.questions if self.questions else 0.0

    def to_json(self) -> dict[str, object]:
        lengths = sorted(self.law_answer_chars) or [0]
        p50, p95 = percentiles_ms(self.turn_s) if len(self.turn_s) > 1 else (0.0, 0.0)
        return {
            "questions": self.questions,
            "cites_right": round(self.share(self.cites_right), 4),
            "quotes_right_first": round(self.share(self.quotes_right_first), 4),
            "actions": {k: round(self.share(v), 4) for k, v in self.actions.most_common()},
            "law_answer_chars_median": statistics.median(lengths),
            "law_answer_chars_p90": lengths[int(0.9 * (len(lengths) - 1))],
            "turn_p50_ms": round(p50, 1),
            "turn_p95_ms": round(p95, 1),
        }


async def tally(
    runtime: Runtime, questions: list[Question], tallies: dict[str, Tally] | None = None
) -> dict[str, Tally]:
    """Overall and per style (added to ``tallies`` when given)."""
    tallies = {} if tallies is None else tallies
    for question in questions:
        chat = uuid.uuid4().hex
        message = IncomingMessage("bench", chat, "bench", question.text, message_id=chat)
        start = time.perf_counter()
        reply = (await runtime.turns.answer_now(message)).reply
        elapsed = time.perf_counter() - start
        assert reply is not None
        cited = [str(UnitId(c.doc, c.article)) for c in reply.citations]
        for name in ("overall", question.style):
            seen = tallies.setdefault(name, Tally())
            seen.questions += 1
            seen.turn_s.append(elapsed)
            seen.actions[reply.action.value] += 1
            seen.cites_right += any(article in question.answers for article in cited)
            seen.quotes_right_first += bool(cited) and cited[0] in question.answers
            if reply.action is Action.ANSWER and cited:
                seen.law_answer_chars.append(len(reply.text))
    return tallies


async def held_out(
    runtime: Runtime, questions: list[Question]
) -> AsyncIterator[tuple[list[Question], KnowledgeBase]]:
    """Each fold of ``questions``, with the bot answering from models trained without it (the
    knowledge base it answers from is yielded too); the shipped models again afterwards."""
    kb = runtime.kb
    try:
        for held_out_ids, classifier, ranker in fold_models(kb, questions):
            fold_kb = replace(kb, searcher=kb.searcher.with_models(ranker, classifier))
            runtime.turns.use(
                build_pipeline(
                    runtime.settings, fold_kb, runtime.rasa, runtime.maintenance, runtime.clock
                )
            )
            yield [q for q in questions if q.id in held_out_ids], fold_kb
    finally:
        runtime.turns.use(runtime.pipeline)


async def held_out_tally(runtime: Runtime, questions: list[Question]) -> dict[str, Tally]:
    tallies: dict[str, Tally] = {}
    async for fold, _kb in held_out(runtime, questions):
        await tally(runtime, fold, tallies)
    return tallies


SETS = {"development": load_devset, "test": load_testset, "beyond": load_beyond}
HELD_OUT = "development-cv"


async def measure(settings: Settings, sets: list[str]) -> dict[str, dict[str, Tally]]:
    progress = lambda m: print(m, file=sys.stderr)  # noqa: E731
    async with running_bot(settings, progress, platforms=False) as runtime:
        return {
            name: await (
                held_out_tally(runtime, load_devset())
                if name == HELD_OUT
                else tally(runtime, SETS[name]())
            )
            for name in sets
        }


def main() -> None:
    """``python -m bench.answers [development] [development-cv] [test] [beyond]`` (all by
    default)."""
    sets = sys.argv[1:] or ["development", HELD_OUT, "test", "beyond"]
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(data_dir=Path(tmp), rasa_url=f"http://127.0.0.1:{free_port()}")
        results = asyncio.run(measure(settings, sets))
    rows = []
    for name, tallies in results.items():
        for subset, seen in tallies.items():
            figures = seen.to_json()
            actions = figures["actions"]
            assert isinstance(actions, dict)
            rows.append(
                [
                    name,
                    subset,
                    seen.questions,
                    f"{figures['cites_right']:.3f}",
                    f"{figures['quotes_right_first']:.3f}",
                    f"{actions.get(Action.ANSWER.value, 0):.3f}",
                    f"{actions.get(Action.CLARIFY.value, 0):.3f}",
                    f"{actions.get(Action.OUT_OF_SCOPE.value, 0):.3f}",
                    figures["law_answer_chars_median"],
                    figures["law_answer_chars_p90"],
                    f"{figures['turn_p95_ms']:.0f} ms",
                ]
            )
    header = [
        "set",
        "subset",
        "n",
        "cites a right article",
        "quotes one first",
        "law answer",
        "asks to clarify",
        "declined",
        "answer chars, median",
        "p90",
        "turn p95",
    ]
    print(markdown_table(header, rows))
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(
        json.dumps(
            {n: {s: t.to_json() for s, t in ts.items()} for n, ts in results.items()}, indent=2
        )
    )


if __name__ == "__main__":
    main()
