"""Reading short answers: yes/no, phone numbers, dates, amounts of money."""

from __future__ import annotations

import re
from datetime import date, timedelta

from bot.core.safety import PHONE_NUMBER
from knowledge_base.text import fold

_YES = {
    "co",
    "dong y",
    "ok",
    "oke",
    "okie",
    "uh",
    "u",
    "um",
    "vang",
    "da",
    "duoc",
    "dc",
    "yes",
    "chac chan",
    "xac nhan",
    "dung",
    "dung roi",
    "co a",
    "da co",
    "vang a",
    "da vang",
    "ung",
}
_NO = {
    "khong",
    "ko",
    "k",
    "kg",
    "khong a",
    "thoi",
    "khong dong y",
    "no",
    "khong can",
    "thoi khong",
    "chua",
    "khong muon",
    "ko can",
    "k can",
}
_DONT_REMEMBER = re.compile(r"\b(khong|ko|k)\s+(nho|biet|ro)\b")
_DATE = re.compile(r"\b(\d{1,2})[/\-.](\d{1,2})(?:[/\-.](\d{2,4}))?\b")
_DATE_WORDS = re.compile(r"\bngay\s+(\d{1,2})\s+thang\s+(\d{1,2})(?:\s+nam\s+(\d{4}))?")
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)*)\s*(k|nghin|ngan|tr|trieu|cu|ty|d|dong|vnd)?(?![\w/])")
_MULTIPLIERS = {"k": 1e3, "nghin": 1e3, "ngan": 1e3, "tr": 1e6, "trieu": 1e6, "cu": 1e6, "ty": 1e9}


_PARTICLES = {"a", "nhe", "nha", "nhen", "dau", "oi", "ban", "ad", "em", "anh", "chi", "ha", "ah"}


def yes_or_no(text: str, intent: str = "") -> bool | None:
    """True for yes, False for no, None when the answer is neither. Polite particles around
    the answer ("dạ không cần đâu ạ") do not count."""
    tokens = re.sub(r"[^\w ]", " ", fold(text)).split()
    while len(tokens) > 1 and tokens[-1] in _PARTICLES:
        tokens.pop()
    if len(tokens) > 1 and tokens[0] == "da":
        tokens.pop(0)
    folded = " ".join(tokens)
    if folded in _YES or intent == "affirm":
        return True
    if folded in _NO or intent == "deny":
        return False
    return None


def dont_remember(text: str) -> bool:
    return bool(_DONT_REMEMBER.search(fold(text)))


def parse_phone(text: str) -> str | None:
    """A Vietnamese phone number in any common form, as 0xxxxxxxxx; None if there is none."""
    for candidate in PHONE_NUMBER.findall(text):
        digits = re.sub(r"\D", "", candidate)
        if digits.startswith("84") and len(digits) in (11, 12):
            digits = "0" + digits[2:]
        if re.fullmatch(r"0[35789]\d{8}|02\d{9}", digits):
            return digits
    return None


def parse_date(text: str, today: date) -> tuple[date | None, str]:
    """(the date, the text with it removed); relative words like "hôm qua" count too."""
    folded = fold(text)
    for word, days in (("hom nay", 0), ("hom qua", 1), ("hom kia", 2)):
        if word in folded:
            return today - timedelta(days=days), folded.replace(word, " ")
    for pattern in (_DATE, _DATE_WORDS):
        if match := pattern.search(folded):
            day, month, year = match.group(1), match.group(2), match.group(3)
            full_year = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
            try:
                found = date(full_year, int(month), int(day))
            except ValueError:
                continue
            if found <= today:
                return found, folded[: match.start()] + " " + folded[match.end() :]
    return None, folded


def parse_amount(text: str) -> int | None:
    """An amount of money in đồng: "500k", "1,5 triệu", "300.000đ", "2tr", "1 củ"."""
    for number, unit in _AMOUNT.findall(fold(text)):
        if unit in _MULTIPLIERS:
            return round(float(number.replace(",", ".")) * _MULTIPLIERS[unit])
        digits = re.sub(r"[.,]", "", number)
        if unit or (len(digits) >= 4 and digits != number):
            return int(digits)
    return None


_RATING = re.compile(r"^\s*([1-5])\s*(?:sao|diem|/\s*5)?\s*[.!]*\s*$")
_RATING_WORDS = {"mot": 1, "hai": 2, "ba": 3, "bon": 4, "nam": 5}


def parse_rating(text: str) -> int | None:
    """A 1–5 rating: "5", "4 sao", "3/5", "năm sao"; None for anything else."""
    folded = fold(text).strip()
    if match := _RATING.match(folded):
        return int(match.group(1))
    word = folded.removesuffix(" sao").strip()
    return _RATING_WORDS.get(word)
