"""The legal parser: structure, IDs, validity, and bad files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge_base.legal import load_corpus
from knowledge_base.units import UnitId

EXPECTED_ARTICLES = {
    "19/2023/QH15": 80,
    "55/2024/NĐ-CP": 30,
    "122/2025/QH15": 41,
    "248/2026/NĐ-CP": 54,
    "05/2007/QH12": 72,
}


def test_every_document_parses_with_its_articles(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    assert corpus.errors == []
    counts = {doc: 0 for doc in corpus.documents}
    for article in corpus.articles:
        counts[article.document.doc] += 1
    assert counts == EXPECTED_ARTICLES


def test_clauses_points_and_ids(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    article = corpus.article("19/2023/QH15", 26)
    assert article is not None
    assert article.title == "Thực hiện hợp đồng theo mẫu"
    assert [c.number for c in article.clauses] == [1, 2, 3]
    assert article.clauses[1].text.startswith("2. Tổ chức, cá nhân kinh doanh phải lưu giữ")
    ids = corpus.unit_ids()
    assert {"19/2023/QH15#d26", "19/2023/QH15#d26.k1", "19/2023/QH15#d3.k2.a"} <= ids
    assert "19/2023/QH15#d26.k4" not in ids
    assert article.headings[0].startswith("Chương II")


def test_validity_travels_with_the_document(corpus_dir: Path) -> None:
    corpus = load_corpus(corpus_dir)
    quality_law = corpus.documents["05/2007/QH12"]
    assert quality_law.status == "amended"
    assert corpus.documents["248/2026/NĐ-CP"].guides == "122/2025/QH15"
    assert corpus.documents["19/2023/QH15"].short_name == (
        "Luật Bảo vệ quyền lợi người tiêu dùng 2023"
    )


def test_bad_files_are_named_and_the_rest_still_load(corpus_dir: Path, tmp_path: Path) -> None:
    shutil.copy(corpus_dir / "luat-19-2023-qh15.txt", tmp_path)
    (tmp_path / "broken-front-matter.txt").write_text("---\ndoc: [unclosed\n---\nĐiều 1. X\n")
    (tmp_path / "no-front-matter.txt").write_text("Điều 1. Phạm vi\n\nNội dung.\n")
    (tmp_path / "not-utf8.txt").write_bytes(b"---\ndoc: \xff\xfe\n---\n")
    corpus = load_corpus(tmp_path)
    assert list(corpus.documents) == ["19/2023/QH15"]
    named = sorted(error.path.name for error in corpus.errors)
    assert named == ["broken-front-matter.txt", "no-front-matter.txt", "not-utf8.txt"]
    assert all(error.path.name in str(error) for error in corpus.errors)


@pytest.mark.parametrize(
    "text", ["19/2023/QH15#d26", "19/2023/QH15#d26.k1", "55/2024/NĐ-CP#d7.k2.đ"]
)
def test_unit_ids_read_and_write_the_same(text: str) -> None:
    assert str(UnitId.parse(text)) == text


@pytest.mark.parametrize("text", ["", "19/2023/QH15", "19/2023/QH15#d", "x#d1.k", "x#d1.k2.ab"])
def test_anything_else_is_not_a_unit_id(text: str) -> None:
    with pytest.raises(ValueError):
        UnitId.parse(text)
