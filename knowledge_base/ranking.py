"""Which article answers this question: a linear model over what the fused search found for each
candidate article (dense and lexical scores per kind of unit, rank, guidance that explains it),
what the article is (its document, its role: a definition, a consumer's right, a business's
duty, a prohibited act, a procedure…) and what the question asks (is it allowed? where do I
complain? what is…?). Trained on the development set only (``bench/train_ranker.py``)."""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.text import fold, words

RANKER_PATH = Path(__file__).parent / "ranker.json"

ROLES: dict[str, tuple[str, ...]] = {
    "definition": ("giai thich tu ngu", "pham vi dieu chinh", "doi tuong ap dung", "ap dung luat"),
    "prohibited": ("hanh vi bi cam", "bi nghiem cam", "khong duoc phep quy dinh"),
    "consumer": ("quyen cua nguoi tieu dung", "nghia vu cua nguoi tieu dung", "de bi ton thuong"),
    "dispute": (
        "thuong luong",
        "hoa giai",
        "trong tai",
        "vu an",
        "khoi kien",
        "tranh chap",
        "khieu nai",
        "nghia vu chung minh",
        "an phi",
    ),
    "state": (
        "quan ly nha nuoc",
        "trach nhiem cua bo",
        "uy ban nhan dan",
        "chinh sach cua nha nuoc",
        "hop tac quoc te",
        "co so du lieu",
        "he thong quan ly",
        "thanh tra",
        "doan kiem tra",
        "kiem soat vien",
        "co quan kiem tra",
        "ngay quyen",
        "ngay thuong mai",
    ),
    "admin": (
        "ho so",
        "trinh tu, thu tuc",
        "dang ky",
        "ky quy",
        "rut tien",
        "de an",
        "bao cao",
        "thong bao hoat dong",
        "tham dinh",
    ),
    "effect": (
        "hieu luc",
        "chuyen tiep",
        "huong dan thi hanh",
        "trach nhiem thi hanh",
        "sua doi, bo sung",
    ),
}
"""Roles by words of the article's title (folded); any other article is a duty of business."""
DUTY = "duty"

CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(rf"\b(?:{pattern})\b")
    for name, pattern in {
        "legality": "co vi pham|vi pham gi|co dung khong|dung khong|co sai|sai khong|co duoc khong"
        "|duoc khong|co hop phap|lam vay|nhu vay|co phai",
        "where": "o dau|ai giai quyet|khieu nai ai|kien|toa|co quan nao|gui don|hoi bao ve",
        "what_is": "la gi|the nao la|la sao|co tinh la|co duoc coi",
        "online": "online|san|shopee|lazada|tiktok|app|ung dung|website|web|livestream"
        "|mang xa hoi|facebook|zalo|dat hang|giao hang",
        "quality": "chat luong|kiem nghiem|kiem dinh|hang gia|tieu chuan|hop quy|nhan mac|het han"
        "|xuat xu",
        "money": "tien|hoan|phi|gia|tra gop|dat coc|boi thuong|den bu",
        "warranty": "bao hanh|sua|hong|loi",
        "data": "thong tin|du lieu|so dien thoai|cccd|lo|goi dien|tin nhan|spam",
        "contract": "hop dong|ky|dieu khoan|the thanh vien|goi|gia han|huy",
    }.items()
}
"""What a question asks, by its folded words."""


@functools.cache
def article_role(title: str) -> str:
    """The role its title gives an article (cached: a few hundred titles, asked every query)."""
    folded = fold(title)
    return next((role for role, keys in ROLES.items() if any(k in folded for k in keys)), DUTY)


def question_cues(question: str) -> set[str]:
    folded = " ".join(words(question))
    return {name for name, pattern in CUES.items() if pattern.search(folded)}


@dataclass(frozen=True)
class Article:
    """What the ranker knows of a candidate article."""

    id: str
    doc: str
    role: str
    explained: int
    """How many guidance entries explain it (lead with it)."""


CLASSIFIER_UNRANKED = 300
"""The place given to an article the classifier did not score."""


def features(
    signals: dict[str, float],
    article: Article,
    order: int,
    cues: set[str],
    classifier_score: float | None,
    classifier_place: int | None,
) -> dict[str, float]:
    """The model's inputs for one candidate article of one question: the search's signals, its
    place in the fused order, the classifier's score and place, what the article is, and what
    the question asks crossed with the article's role and document."""
    row = dict(signals)
    row["order"] = 1 / order
    row["log_rank"] = math.log(signals["best_rank"])
    row["classifier"] = classifier_score if classifier_score is not None else -1.0
    row["classifier_place"] = 1 / (classifier_place or CLASSIFIER_UNRANKED)
    row[f"article={article.id}"] = 1.0
    row[f"doc={article.doc}"] = 1.0
    row[f"role={article.role}"] = 1.0
    row["explained"] = math.log1p(article.explained)
    for cue in cues:
        row[f"{cue}&role={article.role}"] = 1.0
        row[f"{cue}&doc={article.doc}"] = 1.0
    return row


@dataclass(frozen=True)
class LinearRanker:
    """Logistic regression weights: the probability that a candidate answers the question."""

    weights: dict[str, float]
    bias: float

    def score(self, row: dict[str, float]) -> float:
        z = self.bias + sum(self.weights.get(name, 0.0) * value for name, value in row.items())
        return 1 / (1 + math.exp(-z))

    @classmethod
    def load(cls, path: Path = RANKER_PATH) -> LinearRanker | None:
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(dict(data["weights"]), float(data["bias"]))

    @staticmethod
    def about(path: Path = RANKER_PATH) -> dict[str, object]:
        """How the saved ranker was trained (its C, its cross-validated figures)."""
        return dict(json.loads(path.read_text(encoding="utf-8"))["about"])

    def save(self, path: Path, about: dict[str, object]) -> None:
        data = {"about": about, "bias": self.bias, "weights": dict(sorted(self.weights.items()))}
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
