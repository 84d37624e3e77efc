"""Retrieval: this knowledge base against its own rank fusion without the ranking stage and two
baselines, on the development set and the sealed test set (figures only), in one run.

Baselines: (a) LangChain's default recipe, RecursiveCharacterTextSplitter(1000, 200) over each
document + Chroma similarity search with the same embedding; (b) BM25 over whole articles.
Also: search latency warm, full index build time, time to re-index one changed article.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import time
from pathlib import Path

import bm25s
import chromadb
import numpy as np
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.documents import Document
from langchain_text_splitters import RecursiveCharacterTextSplitter

from bench.stats import markdown_table, percentiles_ms, timed
from bot.settings import get_settings
from knowledge_base.embeddings import HashingEmbeddings
from knowledge_base.evaluation import Ranker, Report, evaluate, load_devset, load_testset
from knowledge_base.legal import Corpus, load_corpus, parse_file
from knowledge_base.lexicon import Lexicon
from knowledge_base.search import HybridSearcher
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import words

# One clause of one article is edited, as an amendment would.
CHANGED_CLAUSE = (
    "luat-19-2023-qh15.txt",
    "nghiên cứu hợp đồng trước khi giao kết hợp đồng theo mẫu.",
    "nghiên cứu hợp đồng ít nhất 03 ngày trước khi giao kết hợp đồng theo mẫu.",
)


def dedupe(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def langchain_default_ranker(corpus_dir: Path, work: Path) -> Ranker:
    """Whole files split 1000/200; each chunk belongs to the article its first character is in."""
    splitter = RecursiveCharacterTextSplitter(
        chunk_size=1000, chunk_overlap=200, add_start_index=True
    )
    documents = []
    for path in sorted(corpus_dir.glob("*.txt")):
        _, articles = parse_file(path)
        text = path.read_text(encoding="utf-8")
        starts = [(text.index(f"\nĐiều {a.number}. "), a.id) for a in articles]
        for chunk in splitter.create_documents([text]):
            start = chunk.metadata["start_index"]
            owner = [uid for offset, uid in starts if offset <= start + len(chunk.page_content)]
            article = owner[-1] if owner else starts[0][1]
            documents.append(Document(chunk.page_content, metadata={"article": article}))
    client = chromadb.PersistentClient(
        str(work / "langchain-default"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    store = Chroma.from_documents(
        documents, HashingEmbeddings(), client=client, collection_name="baseline"
    )
    return lambda q: dedupe([d.metadata["article"] for d in store.similarity_search(q, k=40)])


def whole_article_bm25_ranker(corpus: Corpus) -> Ranker:
    ids = [a.id for a in corpus.articles]
    model = bm25s.BM25()
    model.index([words(f"{a.title}\n{a.full_text}") for a in corpus.articles], show_progress=False)

    def rank(question: str) -> list[str]:
        scores = model.get_scores(words(question))
        return [ids[i] for i in np.argsort(-scores)[:10]]

    return rank


def reindex_one_article_seconds(corpus_dir: Path, work: Path) -> tuple[float, float]:
    """(seconds for the whole `index` run, seconds in the index sync) after one clause changed."""
    copy = work / "corpus"
    shutil.copytree(corpus_dir, copy)
    KnowledgeBase.open(copy, work / "reindex")
    name, old, new = CHANGED_CLAUSE
    path = copy / name
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    start = time.perf_counter()
    kb = KnowledgeBase.open(copy, work / "reindex")
    total = time.perf_counter() - start
    assert (kb.last_sync.updated, kb.last_sync.added, kb.last_sync.deleted) == (1, 0, 0)
    return total, kb.last_sync_seconds


STYLES = ("no_diacritics", "shorthand", "diacritics")


def row(name: str, report: Report) -> list[object]:
    styles = report.by_style
    return [
        name,
        f"{report.overall.recall_at_1:.3f}",
        f"{report.overall.recall_at_3:.3f}",
        f"{report.overall.mrr_at_10:.3f}",
        *(f"{styles[s].recall_at_3:.3f}" if s in styles else "–" for s in STYLES),
    ]


def main() -> None:
    settings = get_settings()
    questions = load_devset()
    sets = {"Development set": questions, "Sealed test set": load_testset()}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        kb = KnowledgeBase.open(settings.corpus_dir, work / "full")
        build_s = time.perf_counter() - start
        ours: Ranker = lambda q: [h.article_id for h in kb.searcher.search(q, 10)]  # noqa: E731
        fused = HybridSearcher(kb.index, Lexicon.load())
        rankers = {
            "this knowledge base (hybrid + ranking stage)": ours,
            "the same rank fusion without the ranking stage": lambda q: [
                h.article_id for h in fused.search(q, 10)
            ],
            "(a) LangChain default: split 1000/200 + Chroma": langchain_default_ranker(
                settings.corpus_dir, work
            ),
            "(b) BM25 over whole articles": whole_article_bm25_ranker(
                load_corpus(settings.corpus_dir)
            ),
        }
        reports = {
            (set_name, name): evaluate(ranker, set_questions)
            for set_name, set_questions in sets.items()
            for name, ranker in rankers.items()
        }
        texts = [q.text for q in questions]
        timed(ours, texts)  # warm-up
        p50, p95 = percentiles_ms(timed(ours, texts * 3))
        reindex_total, reindex_sync = reindex_one_article_seconds(settings.corpus_dir, work)

    header = [
        "retriever",
        "R@1",
        "R@3",
        "MRR@10",
        "R@3 no diacritics",
        "R@3 shorthand",
        "R@3 diacritics",
    ]
    for set_name, set_questions in sets.items():
        print(f"{set_name}: {len(set_questions)} questions\n")
        rows = [row(name, r) for (s, name), r in reports.items() if s == set_name]
        print(markdown_table(header, rows))
        print()
    print(
        markdown_table(
            ["measure", "value"],
            [
                ["search latency warm p50 / p95", f"{p50:.1f} ms / {p95:.1f} ms"],
                ["full index build (parse + embed + write)", f"{build_s:.1f} s"],
                ["re-index after one article changed (whole run)", f"{reindex_total:.2f} s"],
                ["  of which index sync (embed + upsert)", f"{reindex_sync:.2f} s"],
                ["indexed units", str(kb.searcher.size)],
            ],
        )
    )
    out = Path("var/bench/retrieval.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {
                "reports": {
                    f"{s}: {n}": r.to_json() | {"misses": len(r.misses)}
                    for (s, n), r in reports.items()
                },
                "latency_ms": {"p50": p50, "p95": p95},
                "build_s": build_s,
                "reindex_s": reindex_total,
                "reindex_sync_s": reindex_sync,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
