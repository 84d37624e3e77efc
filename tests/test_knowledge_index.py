"""Indexing in a real Chroma directory: incremental by content hash, and hybrid search."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge_base import classifier
from knowledge_base.classifier import ArticleClassifier, Example
from knowledge_base.embeddings import HashingEmbeddings
from knowledge_base.service import KnowledgeBase
from knowledge_base.text import fold, words


def test_folding_matches_text_without_diacritics_and_shorthand() -> None:
    assert fold("Khiếu nại ĐƠN hàng") == "khieu nai don hang"
    assert words("shop ko cho đổi sp") == words("cửa hàng kinh doanh không cho doi san pham")


def test_hashing_embedding_is_deterministic_and_folds_diacritics() -> None:
    embedding = HashingEmbeddings()
    first = embedding.embed_query("khiếu nại")
    assert first == HashingEmbeddings().embed_query("khiếu nại")
    assert first == embedding.embed_query("khieu nai")
    assert first != embedding.embed_query("bảo hành")


def test_a_new_classifier_setting_trains_a_new_model_instead_of_loading_the_old_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    examples = [
        Example("shop không cho đổi trả hàng lỗi", "19/2023/QH15#d10"),
        Example("hàng lỗi đòi bảo hành không được", "19/2023/QH15#d33"),
        Example("bảo hành sửa mãi không xong", "19/2023/QH15#d33"),
        Example("hợp đồng theo mẫu có điều khoản bất lợi", "19/2023/QH15#d25"),
    ]
    question = "đổi hàng lỗi được không"
    shipped = ArticleClassifier.load_or_train(tmp_path, examples).scores(question)
    monkeypatch.setattr(classifier, "SVM_C", 10.0)
    retrained = ArticleClassifier.load_or_train(tmp_path, examples).scores(question)
    assert retrained != shipped, "the model trained with the old SVM_C was loaded"
    assert len(list(tmp_path.iterdir())) == 1, "the old model file was kept"


def _copy_corpus(source: Path, target: Path) -> Path:
    target.mkdir()
    for name in ("luat-19-2023-qh15.txt", "nd-55-2024-nd-cp.txt"):
        shutil.copy(source / name, target / name)
    return target


def test_only_changed_and_deleted_units_touch_the_index(corpus_dir: Path, tmp_path: Path) -> None:
    corpus = _copy_corpus(corpus_dir, tmp_path / "corpus")
    chroma, guidance = tmp_path / "chroma", tmp_path / "guidance"
    guidance.mkdir()
    first = KnowledgeBase.open(corpus, chroma, guidance_dir=guidance)
    assert first.last_sync.added == first.searcher.size > 100

    again = KnowledgeBase.open(corpus, chroma, guidance_dir=guidance)
    assert not again.last_sync.changed

    law = corpus / "luat-19-2023-qh15.txt"
    text = law.read_text(encoding="utf-8")
    changed = text.replace(
        "1. Tổ chức, cá nhân kinh doanh phải dành thời gian hợp lý để người tiêu dùng nghiên cứu "
        "hợp đồng trước khi giao kết hợp đồng theo mẫu.",
        "1. Tổ chức, cá nhân kinh doanh phải dành ít nhất ba ngày để người tiêu dùng đọc hợp đồng.",
    )
    assert changed != text
    law.write_text(changed, encoding="utf-8")
    edited = KnowledgeBase.open(corpus, chroma, guidance_dir=guidance)
    assert (edited.last_sync.added, edited.last_sync.updated, edited.last_sync.deleted) == (0, 1, 0)
    hits = edited.searcher.search("dành ít nhất ba ngày để đọc hợp đồng", 3)
    assert "19/2023/QH15#d26.k1" in [hit.id for hit in hits], "the new wording is not indexed"

    decree = corpus / "nd-55-2024-nd-cp.txt"
    decree.write_text(
        decree.read_text(encoding="utf-8").replace('status: "in_force"', 'status: "repealed"'),
        encoding="utf-8",
    )
    repealed = KnowledgeBase.open(corpus, chroma, guidance_dir=guidance)
    decree_units = sum(
        max(1, len(a.clauses))
        for a in repealed.corpus.articles
        if a.document.doc == "55/2024/NĐ-CP"
    )
    assert (repealed.last_sync.updated, repealed.last_sync.added) == (decree_units, 0)
    assert repealed.searcher.search("đăng ký hợp đồng theo mẫu", 1)[0].status == "repealed"

    decree.unlink()
    pruned = KnowledgeBase.open(corpus, chroma, guidance_dir=guidance)
    assert pruned.last_sync.deleted > 0 and pruned.last_sync.added == 0
    assert all(h.doc == "19/2023/QH15" for h in pruned.searcher.search("đăng ký hợp đồng", 10))


def test_search_hits_are_clause_level_and_unique_per_article(
    knowledge_base: KnowledgeBase,
) -> None:
    hits = knowledge_base.searcher.search("hợp đồng theo mẫu phải công khai", 5)
    assert len(hits) == 5
    assert len({(h.doc, h.article) for h in hits}) == 5
    top = hits[0].to_json()
    assert set(top) == {"doc", "article", "clause", "id", "title", "score", "text"}
    assert top["id"] == f"{top['doc']}#d{top['article']}.k{top['clause']}"
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
