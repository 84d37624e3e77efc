"""Retrieval quality guards: a small regression test on the development set, and the floor."""

from __future__ import annotations

import pytest

from bot.runtime import answer_floors
from bot.settings import Settings
from knowledge_base.evaluation import evaluate, load_devset, load_unrelated
from knowledge_base.search import Found, HybridRetriever
from knowledge_base.service import KnowledgeBase

UNRELATED = load_unrelated()


@pytest.fixture(scope="module")
def development_found(knowledge_base: KnowledgeBase) -> dict[str, Found]:
    """What a search finds for each development question, searched once for the tests below."""
    return {q.text: knowledge_base.searcher.find(q.text, 10) for q in load_devset()}


def test_recall_does_not_regress(development_found: dict[str, Found]) -> None:
    """A broken index or ranker shows here first. The ranker learnt from these questions, so
    the figures are in-sample (docs/benchmarks.md: 0.998); the sealed set is `make eval`'s."""
    report = evaluate(
        lambda text: [h.article_id for h in development_found[text].hits], load_devset()
    )
    assert report.overall.recall_at_3 >= 0.92
    assert report.overall.mrr_at_10 >= 0.85
    assert min(s.recall_at_3 for s in report.by_style.values()) >= 0.88


def test_the_same_question_without_diacritics_finds_the_same_article(
    knowledge_base: KnowledgeBase,
) -> None:
    pairs = [
        (
            "mua hàng online bị lỗi có được đổi trả không",
            "mua hang online bi loi co duoc doi tra k",
        ),
        ("cửa hàng không chịu bảo hành điện thoại", "shop ko chiu bao hanh dien thoai"),
        ("bị gọi điện quảng cáo liên tục", "bi goi dien quang cao lien tuc"),
    ]
    for with_marks, without in pairs:
        first = knowledge_base.searcher.search(with_marks, 1)[0]
        assert knowledge_base.searcher.search(without, 1)[0].article_id == first.article_id


def test_unrelated_questions_do_not_pass_the_floor(
    knowledge_base: KnowledgeBase, development_found: dict[str, Found]
) -> None:
    floors = answer_floors(Settings())
    found = {q: knowledge_base.searcher.find(q, 3) for q in UNRELATED}
    assert [q for q, f in found.items() if floors.alone.passed_by(f)] == []
    development = list(development_found.values())
    alone = [f for f in development if floors.alone.passed_by(f)]
    on_topic = [f for f in development if floors.on_topic.passed_by(f)]
    assert len(alone) / len(development) >= 0.90
    assert len(on_topic) / len(development) >= 0.96
    doubted = [f for f in development if f.hits[0].confidence < floors.alone.confidence]
    assert len(doubted) / len(development) <= 0.02, "the confidence floor holds back ~2% in CV"


def test_langchain_retriever_returns_one_document_per_article(
    knowledge_base: KnowledgeBase,
) -> None:
    retriever = HybridRetriever(searcher=knowledge_base.searcher, k=4)
    documents = retriever.invoke("hợp đồng theo mẫu")
    assert len(documents) == 4
    assert len({(d.metadata["doc"], d.metadata["article"]) for d in documents}) == 4
    assert all(d.id and d.id.startswith(d.metadata["doc"]) for d in documents)
