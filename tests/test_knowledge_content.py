"""The editors' content: every citation resolves to the law it claims, and the format holds."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from bot.nlu.model import training_examples
from bot.settings import Settings
from knowledge_base.evaluation import load_devset, load_testset, near_copies
from knowledge_base.guidance import COVERAGE_PATH, GuidanceEntry, load_guidance, parse_entry
from knowledge_base.legal import Corpus, load_corpus
from knowledge_base.lexicon import Lexicon
from knowledge_base.phrasings import load_phrasings
from knowledge_base.text import has_diacritics
from knowledge_base.units import UnitId
from knowledge_base.validation import citation_problems, format_problems

GUIDANCE = load_guidance()


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> Corpus:
    return load_corpus(corpus_dir)


def test_there_are_at_least_40_guidance_topics() -> None:
    assert len(GUIDANCE) >= 40
    assert len({entry.id for entry in GUIDANCE}) == len(GUIDANCE)


@pytest.mark.parametrize("entry", GUIDANCE, ids=lambda e: e.id)
def test_every_guidance_citation_resolves_to_the_law_it_claims(
    entry: GuidanceEntry, corpus: Corpus
) -> None:
    assert citation_problems(entry, corpus) == []


@pytest.mark.parametrize("entry", GUIDANCE, ids=lambda e: e.id)
def test_guidance_entries_are_complete_and_clean(entry: GuidanceEntry) -> None:
    assert entry.path.stem == entry.id
    assert len(entry.questions) >= 5
    assert any(not has_diacritics(q) for q in entry.questions), "no question without diacritics"
    for text in (entry.title, entry.body, *entry.questions):
        assert unicodedata.is_normalized("NFC", text)
    assert entry.reviewed_on.year >= 2026 and entry.body


def test_phrasings_cover_every_article_and_only_real_ones(corpus: Corpus) -> None:
    phrasings = load_phrasings()
    articles = {article.id for article in corpus.articles}
    assert set(phrasings) == articles
    assert all(len(lines) >= 2 for lines in phrasings.values())


def test_dangling_and_wrong_citations_are_caught(corpus: Corpus, tmp_path: Path) -> None:
    entry = GUIDANCE[0]
    text = entry.path.read_text(encoding="utf-8")
    dangling = text.replace(f"  - {entry.citations[0]}", "  - 19/2023/QH15#d26.k9")
    (tmp_path / "dangling.md").write_text(dangling, encoding="utf-8")
    wrong = text.replace(entry.body, entry.body + "\nBạn có 9797 ngày để khiếu nại.")
    (tmp_path / "wrong.md").write_text(wrong, encoding="utf-8")
    problems = {
        e.path.name: citation_problems(e, corpus) for e in map(parse_entry, tmp_path.glob("*"))
    }
    assert any("19/2023/QH15#d26.k9" in p for p in problems["dangling.md"])
    assert problems["wrong.md"] == [
        "wrong.md: states «9797», which none of its cited units contains"
    ]


def test_lexicon_indexes_legal_terms_under_lay_words() -> None:
    lexicon = Lexicon({"hàng lỗi": ["khuyết tật"], "sàn": ["sàn giao dịch"]})
    assert "hàng lỗi" in lexicon.lay_phrases_for("Sản phẩm có khuyết tật phải thu hồi")
    assert lexicon.lay_phrases_for("sản phẩm, hàng hóa") == ""


def test_no_evaluation_question_has_a_near_copy_in_content_or_training_data() -> None:
    """A question that is measured must not be answered by a copy of itself: no phrasing,
    guidance question or NLU example may share 60 % of its folded words with an evaluation
    question. Only the content line is named, so the sealed test set stays unread."""
    questions = [q.text for q in load_devset() + load_testset()]
    content = training_examples(Settings().rasa_project_dir)
    content += [line for lines in load_phrasings().values() for line in lines]
    content += [q for entry in GUIDANCE for q in entry.questions]
    copies = sorted({text for _, text in near_copies(questions, content)})
    assert copies == [], "near-copies of evaluation questions: rewrite or remove these lines"


def test_no_sealed_test_question_has_a_near_copy_among_the_development_questions() -> None:
    """The development questions train the article classifier and the ranker, so they are
    training data too. Only the development question is named."""
    development = [q.text for q in load_devset()]
    copies = sorted(
        {text for _, text in near_copies([q.text for q in load_testset()], development)}
    )
    assert copies == [], "development questions too close to sealed ones: remove these"


def test_the_near_copy_rule_catches_a_copy_without_diacritics() -> None:
    asked = "Mua hàng online bị lỗi có được đổi trả không?"
    assert near_copies([asked], ["mua hang online bi loi co duoc doi tra ko"])
    assert not near_copies([asked], ["tủ lạnh hỏng sau 3 tháng, hãng từ chối bảo hành"])


def test_every_article_a_citizen_can_act_on_has_a_plain_language_entry(corpus: Corpus) -> None:
    """Each article listed in knowledge_base/coverage.yml (all of Law 19/2023) is the first
    citation of at least one guidance entry: the explanation the bot leads with."""
    wanted = yaml.safe_load(COVERAGE_PATH.read_text(encoding="utf-8"))
    explained = {str(UnitId.parse(e.citations[0]).article_id) for e in GUIDANCE}
    missing = []
    for doc, articles in wanted.items():
        numbers = (
            [a.number for a in corpus.articles if a.document.doc == doc]
            if articles == "all"
            else articles
        )
        missing += [f"{doc}#d{n}" for n in numbers if f"{doc}#d{n}" not in explained]
    assert missing == []


@pytest.mark.parametrize("entry", GUIDANCE, ids=lambda e: e.id)
def test_every_entry_answers_directly_and_briefly(entry: GuidanceEntry) -> None:
    assert format_problems(entry) == []
