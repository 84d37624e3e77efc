"""Retrieval quality: Recall@1, Recall@3 and MRR@10, overall and by style, on the development
set (tune on it freely) and on the sealed test set (written from citizens' situations before the
content it tests; read only its figures, never its questions, and never choose a setting by it)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge_base.text import fold, words

EVAL_DIR = Path(__file__).parent / "eval"
DEVSET_PATH = EVAL_DIR / "devset.yml"
TESTSET_PATH = EVAL_DIR / "testset.yml"
BEYOND_PATH = EVAL_DIR / "beyond.yml"
UNRELATED_PATH = EVAL_DIR / "unrelated.yml"
NEAR_COPY_JACCARD = 0.6
"""Two texts whose folded-word sets overlap this much are near-copies of each other."""

# A ranker returns article IDs ("19/2023/QH15#d26"), best first.
Ranker = Callable[[str], list[str]]


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    style: str
    answers: frozenset[str]


def load_questions(path: Path) -> list[Question]:
    # libyaml's safe loader: the development set is large enough for pure Python to take seconds.
    rows = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    return [
        Question(str(r["id"]), str(r["text"]), str(r["style"]), frozenset(r["answers"]))
        for r in rows
    ]


def load_devset(path: Path = DEVSET_PATH) -> list[Question]:
    return load_questions(path)


def spread(questions: list[Question], count: int) -> list[Question]:
    """``count`` questions taken at even steps through ``questions`` (all when ``count`` is 0 or
    more than there are), so that every part of the set is represented."""
    if not count or count >= len(questions):
        return questions
    return [questions[i * len(questions) // count] for i in range(count)]


def load_testset(path: Path = TESTSET_PATH) -> list[Question]:
    return load_questions(path)


def load_beyond(path: Path = BEYOND_PATH) -> list[Question]:
    """Consumer questions whose specific answer lies in a law the knowledge base does not hold
    (no right article: the bot should not quote one first)."""
    texts = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        Question(f"b{n:03d}", text, _style(text), frozenset()) for n, text in enumerate(texts, 1)
    ]


def load_unrelated(path: Path = UNRELATED_PATH) -> list[str]:
    """Messages no article answers (weather, recipes, land, traffic…): no law may be quoted."""
    return [str(text) for text in yaml.safe_load(path.read_text(encoding="utf-8"))]


def _style(text: str) -> str:
    return "no_diacritics" if fold(text) == text.lower() else "diacritics"


def word_set(text: str) -> frozenset[str]:
    return frozenset(words(text))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def near_copies(
    questions: Iterable[str], texts: Iterable[str], threshold: float = NEAR_COPY_JACCARD
) -> list[tuple[str, str]]:
    """(question, text) pairs whose folded words overlap at least ``threshold`` (Jaccard)."""
    candidates = [(text, word_set(text)) for text in texts]
    found = []
    for question in questions:
        asked = word_set(question)
        found += [(question, t) for t, w in candidates if jaccard(asked, w) >= threshold]
    return found


def first_relevant_rank(ranked: list[str], answers: frozenset[str]) -> int | None:
    return next((rank for rank, uid in enumerate(ranked, 1) if uid in answers), None)


@dataclass(frozen=True)
class Scores:
    questions: int
    recall_at_1: float
    recall_at_3: float
    mrr_at_10: float

    @classmethod
    def of(cls, ranks: Iterable[int | None]) -> Scores:
        ranks = list(ranks)
        n = len(ranks) or 1
        return cls(
            questions=len(ranks),
            recall_at_1=sum(1 for r in ranks if r == 1) / n,
            recall_at_3=sum(1 for r in ranks if r and r <= 3) / n,
            mrr_at_10=sum(1 / r for r in ranks if r and r <= 10) / n,
        )

    def to_json(self) -> dict[str, float | int]:
        return {
            "questions": self.questions,
            "recall@1": round(self.recall_at_1, 4),
            "recall@3": round(self.recall_at_3, 4),
            "mrr@10": round(self.mrr_at_10, 4),
        }


@dataclass(frozen=True)
class Report:
    overall: Scores
    by_style: dict[str, Scores]
    misses: list[dict[str, object]]

    def to_json(self) -> dict[str, object]:
        return {
            "overall": self.overall.to_json(),
            "by_style": {style: s.to_json() for style, s in self.by_style.items()},
            "misses": self.misses,
        }


def evaluate(ranker: Ranker, questions: list[Question]) -> Report:
    ranks: dict[str, int | None] = {}
    misses = []
    for question in questions:
        ranked = ranker(question.text)[:10]
        ranks[question.id] = rank = first_relevant_rank(ranked, question.answers)
        if rank is None or rank > 3:
            misses.append(
                {
                    "id": question.id,
                    "text": question.text,
                    "answers": sorted(question.answers),
                    "got": ranked[:3],
                    "rank": rank,
                }
            )
    styles = sorted({q.style for q in questions})
    return Report(
        overall=Scores.of(ranks.values()),
        by_style={s: Scores.of(ranks[q.id] for q in questions if q.style == s) for s in styles},
        misses=misses,
    )
