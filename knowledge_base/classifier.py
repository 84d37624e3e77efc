"""Which article a citizen's words lead to, learnt from the text that bridges lay words and the
law: guidance entries (their questions, title and direct answer, labelled with the article of
their first citation), lay phrasings, article titles, and the development questions with their
right articles. Words, word pairs and character n-grams (so that shorthand and missing
diacritics still match), weighted by TF-IDF, and a linear SVM (scikit-learn), with each
article's score raised by how close the question comes to its nearest example.

Training is the slow part of an index build; the fitted model is kept in memory and beside the
index, keyed by a hash of its training examples, its training settings and the model file's
format, so a restart reuses it and a change to any of them trains a new one.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import NamedTuple

import joblib
import numpy as np
import sklearn
from cachetools import LRUCache
from scipy.sparse import csr_matrix
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import FeatureUnion
from sklearn.svm import LinearSVC

from knowledge_base.evaluation import Question
from knowledge_base.guidance import GuidanceEntry
from knowledge_base.legal import Corpus
from knowledge_base.text import words
from knowledge_base.units import UnitId

SVM_C = 0.15
QUESTION_WEIGHT = 2.0
"""How much more a development question counts than a line of content: citizens write like the
questions, not like the guidance (both chosen by 5-fold cross-validation on the development
set, ``bench/train_ranker.py --classifier``)."""
NEIGHBOUR_WEIGHT = 1.0
"""How much an article's nearest training example (cosine similarity of the same features) adds
to its SVM score: a question worded like one example is not drowned by an article's many others
(chosen on the development set, 5-fold cross-validation)."""
_MODEL_FILE = "article-classifier-{digest}.joblib"
MODEL_FILE_FORMAT = 2
"""Raised whenever what ``_Fitted`` holds changes, so that no older model file is loaded."""


class Example(NamedTuple):
    text: str
    article: str
    weight: float = 1.0


def content_examples(
    corpus: Corpus, guidance: Iterable[GuidanceEntry], phrasings: dict[str, list[str]]
) -> list[Example]:
    """Article titles, guidance (labelled with its first citation's article) and phrasings."""
    examples = [Example(article.title, article.id) for article in corpus.articles]
    for entry in guidance:
        article = str(UnitId.parse(entry.citations[0]).article_id)
        examples += [
            Example(text, article) for text in (*entry.questions, entry.title, entry.answer)
        ]
    examples += [Example(line, article) for article, lines in phrasings.items() for line in lines]
    return [example for example in examples if example.text]


def question_examples(
    questions: Iterable[Question], weight: float = QUESTION_WEIGHT
) -> list[Example]:
    """Each question once per right article."""
    return [Example(q.text, article, weight) for q in questions for article in sorted(q.answers)]


class _Fitted(NamedTuple):
    """What training produces, and what the model file holds."""

    features: FeatureUnion
    model: LinearSVC
    examples: csr_matrix
    """The training examples' vectors as columns, grouped by article in the order of the
    model's classes."""
    starts: np.ndarray
    """The column where each article's examples begin."""


class ArticleClassifier:
    def __init__(self, fitted: _Fitted) -> None:
        self._fitted = fitted
        self._articles = [str(a) for a in fitted.model.classes_]

    @classmethod
    def train(cls, examples: Sequence[Example], svm_c: float = SVM_C) -> ArticleClassifier:
        features = FeatureUnion(
            [
                ("words", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
                (
                    "characters",
                    TfidfVectorizer(
                        analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2
                    ),
                ),
            ]
        )
        vectors = features.fit_transform([_normalised(e.text) for e in examples])
        articles = [e.article for e in examples]
        model = LinearSVC(C=svm_c, random_state=0).fit(
            vectors, articles, sample_weight=[e.weight for e in examples]
        )
        classes = np.searchsorted(model.classes_, articles)
        by_article = np.argsort(classes, kind="stable")
        return cls(
            _Fitted(
                features,
                model,
                csr_matrix(vectors[by_article].T),
                np.searchsorted(classes[by_article], np.arange(len(model.classes_))),
            )
        )

    @classmethod
    def load_or_train(cls, directory: Path, examples: Sequence[Example]) -> ArticleClassifier:
        """The model for exactly these examples and settings, trained only when neither this
        process nor ``directory`` holds one (every index generation and data directory shares
        it). A new ``SVM_C`` or scikit-learn version trains a new one."""
        content = json.dumps(
            [MODEL_FILE_FORMAT, SVM_C, sklearn.__version__, sorted(examples)], ensure_ascii=False
        ).encode()
        digest = hashlib.sha256(content).hexdigest()[:16]
        if digest in _TRAINED:
            return _TRAINED[digest]
        path = directory / _MODEL_FILE.format(digest=digest)
        if path.exists():
            return _TRAINED.setdefault(digest, cls(_Fitted(*joblib.load(path))))
        classifier = _TRAINED.setdefault(digest, cls.train(examples, SVM_C))
        directory.mkdir(parents=True, exist_ok=True)
        for stale in directory.glob(_MODEL_FILE.format(digest="*")):
            stale.unlink()
        joblib.dump(tuple(classifier._fitted), path)
        return classifier

    def scores(self, question: str, neighbour_weight: float = NEIGHBOUR_WEIGHT) -> dict[str, float]:
        """Each article's score for the question (higher: more likely the answer): the SVM's,
        plus ``neighbour_weight`` times the cosine similarity of its nearest example."""
        features, model, examples, starts = self._fitted
        vector = features.transform([_normalised(question)])
        decision = np.ravel(model.decision_function(vector))
        similarities = (vector @ examples).toarray().ravel() / len(features.transformer_list)
        nearest = np.maximum.reduceat(similarities, starts)
        scores = decision + neighbour_weight * nearest
        return dict(zip(self._articles, scores.tolist(), strict=True))


MODELS_KEPT = 2
"""Models kept in memory: the active index generation's and a candidate's."""
_TRAINED: LRUCache[str, ArticleClassifier] = LRUCache(maxsize=MODELS_KEPT)
"""The models this process trained or loaded last, by the digest ``load_or_train`` keys them by."""


def _normalised(text: str) -> str:
    return " ".join(words(text))
