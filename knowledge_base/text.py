"""Vietnamese text folding for matching: with or without diacritics, đ/d, chat shorthand."""

from __future__ import annotations

import re
import unicodedata
from itertools import pairwise

_WORD = re.compile(r"\w+")

# Chat shorthand as citizens type it, already folded (no diacritics), to its folded full form.
SHORTHAND: dict[str, str] = {
    "ko": "khong",
    "k": "khong",
    "kh": "khong",
    "hok": "khong",
    "hong": "khong",
    "kg": "khong",
    "dc": "duoc",
    "dk": "duoc",
    "sp": "san pham",
    "shop": "cua hang kinh doanh",
    "tmdt": "thuong mai dien tu",
    "hd": "hop dong",
    "bh": "bao hanh",
    "ntd": "nguoi tieu dung",
    "j": "gi",
    "ntn": "nhu the nao",
    "bn": "bao nhieu",
    "mk": "minh",
    "vs": "voi",
    "r": "roi",
    "oke": "dong y",
    "ok": "dong y",
    "sdt": "so dien thoai",
    "live": "livestream",
    "onl": "online",
    "mik": "minh",
    "hnay": "hom nay",
    "ship": "giao hang",
    "shipper": "nguoi giao hang",
    "cskh": "cham soc khach hang",
    "app": "ung dung",
}


def fold(text: str) -> str:
    """Lower-case, strip diacritics and turn đ into d: "Khiếu nại ĐƠN" -> "khieu nai don"."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def words(text: str) -> list[str]:
    """Folded word tokens with chat shorthand expanded."""
    tokens: list[str] = []
    for token in _WORD.findall(fold(text)):
        tokens.extend(SHORTHAND.get(token, token).split())
    return tokens


def terms(text: str) -> list[str]:
    """Search terms: folded words plus adjacent word pairs, since most Vietnamese words have two
    syllables ("hợp đồng", "bảo hành") and a pair matches far more precisely than its syllables."""
    tokens = words(text)
    return tokens + [f"{a}_{b}" for a, b in pairwise(tokens)]


def has_diacritics(text: str) -> bool:
    return fold(text) != text.lower()
