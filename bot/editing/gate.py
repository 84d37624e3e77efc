"""The regression gate: before a publish goes live, retrieval on the development set is measured
on the active index and on the candidate; a drop in Recall@3 beyond the margin holds the
publish, and the questions that got worse are listed with what now ranks above their answer."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge_base.evaluation import Question, Scores, first_relevant_rank
from knowledge_base.service import KnowledgeBase

RANKED = 10
SHOWN = 3
"""Recall@3: the answer must be among the first three articles."""


@dataclass(frozen=True)
class Worse:
    """A development question whose answer ranks lower with the candidate index."""

    question: str
    answers: tuple[str, ...]
    before: int | None
    after: int | None
    now_first: tuple[tuple[str, str], ...]
    """The articles (ID, title) the candidate ranks first, which pushed the answer down."""

    def to_json(self) -> dict[str, object]:
        return {
            "question": self.question,
            "answers": list(self.answers),
            "before": self.before,
            "after": self.after,
            "now_first": [{"id": uid, "title": title} for uid, title in self.now_first],
        }


@dataclass(frozen=True)
class GateReport:
    before: float
    after: float
    max_drop: float
    worse: tuple[Worse, ...]

    @property
    def held(self) -> bool:
        return self.before - self.after > self.max_drop

    def to_json(self) -> dict[str, object]:
        return {
            "recall_at_3_before": round(self.before, 4),
            "recall_at_3_after": round(self.after, 4),
            "max_drop": self.max_drop,
            "held": self.held,
            "worse": [w.to_json() for w in self.worse],
        }


def _ranked(kb: KnowledgeBase, text: str) -> list[tuple[str, str]]:
    return [(f"{h.doc}#d{h.article}", h.title) for h in kb.searcher.search(text, RANKED)]


def compare(
    current: KnowledgeBase, candidate: KnowledgeBase, questions: list[Question], max_drop: float
) -> GateReport:
    before_ranks, after_ranks, worse = [], [], []
    for question in questions:
        before = first_relevant_rank(
            [u for u, _ in _ranked(current, question.text)], question.answers
        )
        ranked = _ranked(candidate, question.text)
        after = first_relevant_rank([u for u, _ in ranked], question.answers)
        before_ranks.append(before)
        after_ranks.append(after)
        if before is not None and (after is None or after > before) and before <= SHOWN:
            worse.append(
                Worse(
                    question.text,
                    tuple(sorted(question.answers)),
                    before,
                    after,
                    tuple(ranked[:SHOWN]),
                )
            )
    return GateReport(
        Scores.of(before_ranks).recall_at_3,
        Scores.of(after_ranks).recall_at_3,
        max_drop,
        tuple(worse),
    )
