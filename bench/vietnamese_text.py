"""Vietnamese text processing from the ecosystem against our hand-written folding, measured on
retrieval: the same dense index, the lexical (BM25) side tokenised four ways, fused by rank
(no ranker, so that only the tokenisation differs):

- ours: folded syllables, chat shorthand expanded, adjacent syllable pairs;
- underthesea: its word segmentation (compound words joined), folded, shorthand expanded;
- pyvi: ViTokenizer's word segmentation, folded, shorthand expanded;
- ours + pyvi diacritics: questions typed without diacritics first get them back from pyvi's
  ``add_accents``, then ours.

Development and sealed test set (figures only). Needs the ``vietnamese`` extra."""

from __future__ import annotations

import time
from collections.abc import Callable

from pyvi import ViTokenizer, ViUtils
from underthesea import word_tokenize

import knowledge_base.search as search_module
from bench.stats import markdown_table
from bot.runtime import open_knowledge_base
from bot.settings import Settings
from knowledge_base.evaluation import Question, evaluate, load_devset, load_testset
from knowledge_base.lexicon import Lexicon
from knowledge_base.search import HybridSearcher
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import has_diacritics, terms, words

Tokeniser = Callable[[str], list[str]]


def segmented(segment: Callable[[str], str]) -> Tokeniser:
    """Terms from a word segmenter's output: each word folded, its syllables joined by ``_``."""

    def tokenise(text: str) -> list[str]:
        return ["_".join(words(word)) for word in segment(text).split() if words(word)]

    return tokenise


def with_diacritics_restored(text: str) -> str:
    if has_diacritics(text):
        return text
    try:
        return str(ViUtils.add_accents(text.lower()))
    except KeyError:  # pyvi 0.1.1 predicts labels its own table lacks for some inputs
        return text


VARIANTS: dict[str, tuple[Tokeniser, Callable[[str], str]]] = {
    "ours (folded syllables and pairs)": (terms, str),
    "underthesea word segmentation": (
        segmented(lambda t: word_tokenize(t, format="text")),
        str,
    ),
    "pyvi word segmentation": (segmented(ViTokenizer.tokenize), str),
    "ours + pyvi diacritics restored": (terms, with_diacritics_restored),
}


def measure(kb: KnowledgeBase, tokenise: Tokeniser, prepare: Callable[[str], str]) -> list[str]:
    search_module.terms = tokenise
    try:
        started = time.perf_counter()
        searcher = HybridSearcher(kb.index, Lexicon.load())
        built = time.perf_counter() - started
        row = [f"{built:.1f} s"]
        for questions in (load_devset(), load_testset()):
            row += figures(searcher, questions, prepare)
        return row
    finally:
        search_module.terms = terms


def figures(
    searcher: HybridSearcher, questions: list[Question], prepare: Callable[[str], str]
) -> list[str]:
    started = time.perf_counter()
    result = evaluate(lambda q: [h.article_id for h in searcher.search(prepare(q), 10)], questions)
    per_question_ms = (time.perf_counter() - started) / len(questions) * 1000
    no_marks = result.by_style.get("no_diacritics")
    return [
        f"{result.overall.recall_at_1:.3f}",
        f"{result.overall.recall_at_3:.3f}",
        f"{result.overall.mrr_at_10:.3f}",
        f"{no_marks.recall_at_3:.3f}" if no_marks else "–",
        f"{per_question_ms:.0f} ms",
    ]


def main() -> None:
    kb = open_knowledge_base(Settings())
    sets = ("dev", "test")
    header = ["lexical side", "BM25 built in"] + [
        f"{s} {m}" for s in sets for m in ("R@1", "R@3", "MRR", "no-diacritics R@3", "per query")
    ]
    rows: list[list[str]] = []
    for name, variant in VARIANTS.items():
        rows.append([name, *measure(kb, *variant)])
        print(markdown_table(header, rows), flush=True)


if __name__ == "__main__":
    main()
