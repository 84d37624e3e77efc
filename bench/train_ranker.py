"""Train the article ranker (``knowledge_base/ranking.py``) on the development set only.

Logistic regression (scikit-learn) over the search's candidate articles: a candidate is
positive when it is one of the question's right articles. Its classifier feature is cross-fitted:
each question gets the scores of an article classifier trained without its fold, as a new
citizen's question gets the scores of a classifier that never saw it. The regularisation is
chosen by 5-fold cross-validation over questions (MRR@10); the cross-validated figures are
printed, the model fitted on every development question is written to
``knowledge_base/ranker.json``. ``--classifier`` instead prints the article classifier's own
cross-validated figures over its settings (``SVM_C``, ``QUESTION_WEIGHT``,
``NEIGHBOUR_WEIGHT``). It also prints the ``RETRIEVAL_CONFIDENCE_FLOOR`` the cross-validated
probabilities call for. The sealed test set is never read here.
"""

from __future__ import annotations

import itertools
import random
import sys
from collections.abc import Iterable, Iterator

import numpy as np
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from bench.stats import markdown_table
from bot.runtime import open_knowledge_base
from bot.settings import get_settings
from knowledge_base.classifier import (
    NEIGHBOUR_WEIGHT,
    QUESTION_WEIGHT,
    SVM_C,
    ArticleClassifier,
    content_examples,
    question_examples,
)
from knowledge_base.evaluation import Question, Scores, first_relevant_rank, load_devset
from knowledge_base.phrasings import load_phrasings
from knowledge_base.ranking import RANKER_PATH, LinearRanker
from knowledge_base.service import KnowledgeBase

FOLDS = 5
STRENGTHS = (0.01, 0.03, 0.1, 0.3, 1.0)
CLASSIFIER_STRENGTHS = (0.1, 0.15, 0.3, 0.5)
QUESTION_WEIGHTS = (1.0, 2.0, 3.0)
NEIGHBOUR_WEIGHTS = (0.0, 0.5, 1.0, 2.0)
DROPPED_RIGHT = 0.02
"""The share of right first articles the confidence floor may turn into clarifications."""
Example = tuple[Question, list[str], list[dict[str, float]]]


def examples(
    kb: KnowledgeBase, questions: list[Question], scores: dict[str, dict[str, float]]
) -> list[Example]:
    """Each development question with its candidate articles and their features (``scores``:
    each question's cross-fitted article scores)."""
    rows = []
    for question in questions:
        candidates = kb.searcher.candidates(question.text)
        articles = [c.hit.article_id for c in candidates]
        features = kb.searcher.features(question.text, candidates, scores[question.id])
        rows.append((question, articles, features))
    return rows


FoldClassifier = tuple[set[str], ArticleClassifier]
"""The question IDs of a fold, and the article classifier trained without them."""


def fold_classifiers(
    kb: KnowledgeBase,
    questions: list[Question],
    svm_c: float = SVM_C,
    weight: float = QUESTION_WEIGHT,
) -> Iterator[FoldClassifier]:
    """For each fold, its question IDs and the article classifier trained on the other folds."""
    content = content_examples(kb.corpus, kb.guidance, load_phrasings())
    for held_out in folds(questions):
        training = content + question_examples(
            [q for q in questions if q.id not in held_out], weight
        )
        yield held_out, ArticleClassifier.train(training, svm_c)


def held_out_scores(
    classifiers: Iterable[FoldClassifier],
    questions: list[Question],
    neighbour_weight: float = NEIGHBOUR_WEIGHT,
) -> dict[str, dict[str, float]]:
    """Each question's article scores from the classifier trained without its fold."""
    return {
        q.id: classifier.scores(q.text, neighbour_weight)
        for held_out, classifier in classifiers
        for q in questions
        if q.id in held_out
    }


def classifier_grid() -> None:
    """The article classifier alone, 5-fold CV over its SVM C, the questions' weight and the
    nearest example's weight."""
    kb = open_knowledge_base(get_settings())
    questions = load_devset()
    rows = []
    for svm_c, weight in itertools.product(CLASSIFIER_STRENGTHS, QUESTION_WEIGHTS):
        classifiers = list(fold_classifiers(kb, questions, svm_c, weight))
        for neighbour_weight in NEIGHBOUR_WEIGHTS:
            scores = held_out_scores(classifiers, questions, neighbour_weight)
            found = (
                first_relevant_rank(
                    sorted(scores[q.id], key=lambda a: -scores[q.id][a])[:10], q.answers
                )
                for q in questions
            )
            setting = (
                f"classifier C={svm_c}, question weight {weight}, "
                f"nearest example's weight {neighbour_weight}"
            )
            rows.append([setting, *_figures(Scores.of(found))])
    print(markdown_table(["ranking", "R@1", "R@3", "MRR@10"], rows))


def folds(questions: list[Question]) -> list[set[str]]:
    """The question IDs of each of the FOLDS folds (the same split everywhere)."""
    ids = [q.id for q in questions]
    random.Random(7).shuffle(ids)
    return [set(ids[fold::FOLDS]) for fold in range(FOLDS)]


def fit(train: list[Example], strength: float) -> tuple[DictVectorizer, LogisticRegression]:
    rows, labels = [], []
    for question, articles, features in train:
        rows += features
        labels += [article in question.answers for article in articles]
    vectorizer = DictVectorizer()
    model = LogisticRegression(C=strength, max_iter=5000, class_weight="balanced")
    model.fit(vectorizer.fit_transform(rows), labels)
    return vectorizer, model


def linear_ranker(vectorizer: DictVectorizer, model: LogisticRegression) -> LinearRanker:
    weights = dict(zip(vectorizer.get_feature_names_out(), model.coef_[0], strict=True))
    return LinearRanker(
        {k: round(float(v), 5) for k, v in weights.items() if v}, float(model.intercept_[0])
    )


FoldModels = tuple[set[str], ArticleClassifier, LinearRanker]
"""The question IDs of a fold, and the classifier and ranker trained without them."""


def fold_models(kb: KnowledgeBase, questions: list[Question]) -> Iterator[FoldModels]:
    """For each fold, the models as shipped (same settings, the shipped ranker's C) trained on
    the other folds' questions: what a question the models never saw meets."""
    classifiers = list(fold_classifiers(kb, questions))
    data = examples(kb, questions, held_out_scores(classifiers, questions))
    strength = float(LinearRanker.about()["C"])
    for held_out_ids, classifier in classifiers:
        vectorizer, model = fit([row for row in data if row[0].id not in held_out_ids], strength)
        yield held_out_ids, classifier, linear_ranker(vectorizer, model)


Prediction = tuple[Question, list[str], np.ndarray]
"""A question, its candidate articles and each one's probability from a held-out ranker."""


def held_out(data: list[Example], strength: float) -> list[Prediction]:
    """Each question scored by a ranker fitted without its fold."""
    predictions = []
    for held_out_ids in folds([question for question, _, _ in data]):
        vectorizer, model = fit([row for row in data if row[0].id not in held_out_ids], strength)
        for question, articles, features in (row for row in data if row[0].id in held_out_ids):
            probabilities = (
                model.predict_proba(vectorizer.transform(features))[:, 1]
                if features
                else np.array([])
            )
            predictions.append((question, articles, probabilities))
    return predictions


def cross_validated(predictions: list[Prediction]) -> Scores:
    return Scores.of(
        first_relevant_rank([articles[i] for i in np.argsort(-p)][:10], question.answers)
        for question, articles, p in predictions
    )


def confidence_floor(predictions: list[Prediction]) -> str:
    """The ranker probability below which ``DROPPED_RIGHT`` of the development questions it
    ranks right (cross-validated) fall, and what that floor turns into clarifications."""
    right, wrong = [], []
    for question, articles, probabilities in predictions:
        if len(probabilities):
            first = int(np.argmax(probabilities))
            is_right = articles[first] in question.answers
            (right if is_right else wrong).append(float(probabilities[first]))
    floor = float(np.quantile(right, DROPPED_RIGHT))
    held = sum(p < floor for p in wrong)
    return (
        f"RETRIEVAL_CONFIDENCE_FLOOR {floor:.3f}: holds back {held} of {len(wrong)} wrong first "
        f"articles and {sum(p < floor for p in right)} of {len(right)} right ones (5-fold CV)"
    )


def main() -> None:
    kb, questions = open_knowledge_base(get_settings()), load_devset()
    data = examples(kb, questions, held_out_scores(fold_classifiers(kb, questions), questions))
    fused = Scores.of(
        first_relevant_rank(articles[:10], question.answers) for question, articles, _ in data
    )
    predictions = {strength: held_out(data, strength) for strength in STRENGTHS}
    results = {strength: cross_validated(p) for strength, p in predictions.items()}
    best = max(results, key=lambda strength: results[strength].mrr_at_10)
    print(
        markdown_table(
            ["ranking", "R@1", "R@3", "MRR@10"],
            [["fused rank (no ranker)", *_figures(fused)]]
            + [[f"ranker C={c} (5-fold CV)", *_figures(s)] for c, s in results.items()],
        )
    )
    ranker = linear_ranker(*fit(data, best))
    about = {
        "trained_on": f"knowledge_base/eval/devset.yml ({len(data)} questions)",
        "C": best,
        "cross_validated": results[best].to_json(),
    }
    ranker.save(RANKER_PATH, about)
    print(f"C={best}: {RANKER_PATH}", file=sys.stderr)
    print(confidence_floor(predictions[best]))


def _figures(scores: Scores) -> list[str]:
    return [f"{scores.recall_at_1:.3f}", f"{scores.recall_at_3:.3f}", f"{scores.mrr_at_10:.3f}"]


if __name__ == "__main__":
    if "--classifier" in sys.argv[1:]:
        classifier_grid()
    else:
        main()
