"""Safety: personal data kept out of logs, and messages that need a careful answer.

Phone numbers, citizen ID (CCCD) numbers, bank accounts, e-mail addresses and street addresses are
personal data under Vietnamese law: the conversation log, analytics and log files get the text
with them replaced by a placeholder. The case file keeps what the citizen consented to give.
"""

from __future__ import annotations

import logging
import re
from enum import StrEnum

from knowledge_base.text import fold

# Every pattern here runs on whatever a citizen or staff member typed, so none may backtrack:
# quantifiers that could re-scan text are possessive (``++``, ``*+``), which keeps each pattern
# linear in the length of the text (tests/test_safety.py times a megabyte of adversarial input).

# Vietnamese mobile and landline numbers: 0912345678, 0912 345 678, 0912.345.678, +84 912 345 678,
# 84912345678, (028) 3822 1234. Amounts (840.000.000đ), dates and case numbers do not match.
PHONE_NUMBER = re.compile(
    r"(?<![\w.,])\(?(?:\+?84|0)[\s.-]?\(?[235789](?:\)?[\s.-]?\d){8,9}(?!\w|[.,]\d)"
)
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]++)++")
# A bank account: 6–19 digits (spaces or dots allowed) after words that announce one.
_BANK_ACCOUNT = re.compile(
    r"(?P<label>(?:s[ốo] )?(?:t[àa]i kho[ảa]n|tk|stk|account|acc)(?: ng[âa]n h[àa]ng)?"
    r"(?: s[ốo])?(?: [^\W\d]\w*+)?[\s:.-]*+)(?P<number>\d(?:[\s.-]?\d){5,18})(?!\d)",
    re.IGNORECASE,
)
_ADDRESS = re.compile(
    r"(?P<label>(?:đ[ịi]a ch[ỉi]|nh[àa] (?:t[ôo]i|em|m[ìi]nh) (?:ở|o)|(?:t[ôo]i|em|m[ìi]nh) "
    r"s[ốo]ng (?:ở|o|t[ạa]i)|s[ốo] nh[àa])\s*+:?\s*+)(?P<address>[^\n.;!?]{4,120})",
    re.IGNORECASE,
)
# Any other run of digits, spaced or not ("079 201 001 234", "9704 2292 1234 5678"): long runs
# are identity, card or account numbers unless they read as an amount or follow an order label.
_DIGIT_RUN = re.compile(r"(?<![\w.,/-])\d(?:[ .,-]?\d)*+(?![\w/])")
_AMOUNT_GROUPS = re.compile(r"[1-9]\d{0,2}(?:([., ])\d{3})(?:\1\d{3})*+")
_KEPT_AFTER = re.compile(
    r"(?:don hang|ma don|van don|ma van|order|hoa don|ma hang|ma san pham|serial|imei|ma so thue)"
    r"(?: so)?[\s:#.]*+$"
)
PERSONAL_NUMBER_DIGITS = 9
"""Runs of at least this many digits are taken for personal numbers."""
_CARD_DIGITS = (15, 16, 19)
_CCCD_DIGITS = 12

PHONE = "[số điện thoại]"
CCCD = "[số CCCD]"
EMAIL = "[email]"
BANK_ACCOUNT = "[số tài khoản]"
CARD = "[số thẻ]"
ADDRESS = "[địa chỉ]"


def redact(text: str) -> str:
    """``text`` with personal data replaced by placeholders."""
    text = _EMAIL.sub(EMAIL, text)
    text = _BANK_ACCOUNT.sub(lambda m: m.group("label") + BANK_ACCOUNT, text)
    text = _ADDRESS.sub(lambda m: m.group("label") + ADDRESS, text)
    text = PHONE_NUMBER.sub(PHONE, text)
    return _DIGIT_RUN.sub(_personal_number, text)


def _personal_number(match: re.Match[str]) -> str:
    run = match.group()
    digits = "".join(c for c in run if c.isdigit())
    if len(digits) < PERSONAL_NUMBER_DIGITS or _AMOUNT_GROUPS.fullmatch(run):
        return run
    before = fold(match.string[max(0, match.start() - 24) : match.start()])
    if _KEPT_AFTER.search(before):
        return run
    if len(digits) in _CARD_DIGITS and luhn_valid(digits):
        return CARD
    return CCCD if len(digits) == _CCCD_DIGITS and digits[0] == "0" else BANK_ACCOUNT


def luhn_valid(digits: str) -> bool:
    """The Luhn checksum payment card numbers carry."""
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def contains_personal_data(text: str) -> bool:
    return redact(text) != text


class RedactingFilter(logging.Filter):
    """A logging filter that redacts personal data in every record, arguments included."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


def install_log_redaction() -> None:
    """Redact personal data in everything the root logger's handlers write."""
    for handler in logging.getLogger().handlers:
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())


class Risk(StrEnum):
    NONE = "none"
    PROMPT_INJECTION = "prompt_injection"
    ABUSE = "abuse"
    DISTRESS = "distress"
    SELF_HARM = "self_harm"


def _phrases(*patterns: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(patterns) + r")\b")


# Matched on folded text (no diacritics, lower case), so "bỏ qua hướng dẫn" and "bo qua huong dan"
# are the same.
_INJECTION = _phrases(
    r"ignore (?:all |the )?(?:previous|above|prior) (?:instructions?|prompts?)",
    r"(?:system|developer) prompt",
    r"you are now",
    r"act as (?:a|an|my)",
    r"jailbreak",
    r"bo qua (?:tat ca |moi |cac |nhung )?(?:huong dan|chi dan|lenh|quy tac|yeu cau)"
    r"(?: truoc| tren| cu)?",
    r"quen (?:het |di )?(?:cac |nhung )?(?:huong dan|chi dan|quy tac|vai tro)",
    r"(?:tiet lo|cho (?:toi|tao|minh|em) (?:xem|biet)|in ra) (?:cau )?(?:lenh|prompt|huong dan)"
    r" (?:he thong|goc|noi bo|ban dau)",
    r"tu (?:gio|bay gio) (?:ban|may|mi) (?:la|se dong vai|dong vai)",
    r"dong vai (?:la )?(?:mot )?(?:hacker|luat su rieng|nguoi khac|ai khac)",
    r"che do (?:nha phat trien|developer|dan)",
)
# "tu tu" alone is also "từ từ" (slowly), so without diacritics it needs an intent verb before it.
_SELF_HARM = _phrases(
    r"(?:muon|se|dinh|nghi den chuyen|chi con cach) tu tu",
    r"(?:toi|em|minh|tao) muon chet",
    r"khong (?:muon|thiet) song (?:nua)?",
    r"ket lieu (?:ban than|doi minh|cuoc doi)",
    r"tu sat",
)
_ABUSE = _phrases(
    r"dm",
    r"dmm",
    r"dcm",
    r"vcl",
    r"vl",
    r"dit",
    r"ditme",
    r"dit me",
    r"du ma",
    r"con cho",
    r"do ngu",
    r"ngu nhu",
    r"bot ngu",
    r"may ngu",
    r"oc cho",
    r"mat day",
)
_DISTRESS = _phrases(
    r"buc xuc qua",
    r"buc minh qua",
    r"qua buc xuc",
    r"tuc dien",
    r"tuc qua",
    r"that vong qua",
    r"khong chiu noi",
    r"het chiu noi",
    r"uc che",
    r"lua dao tron",
    r"mat het tien",
    r"khong biet phai lam sao",
    r"tuyet vong",
    r"khoc",
)


def classify_risk(text: str) -> Risk:
    """The most serious risk a message shows; Risk.NONE for an ordinary message."""
    folded = fold(text)
    if "tự tử" in text.lower() or _SELF_HARM.search(folded):
        return Risk.SELF_HARM
    if _INJECTION.search(folded):
        return Risk.PROMPT_INJECTION
    if _ABUSE.search(folded):
        return Risk.ABUSE
    if _DISTRESS.search(folded) or _shouting(text):
        return Risk.DISTRESS
    return Risk.NONE


def _shouting(text: str) -> bool:
    """Mostly capital letters over a real sentence, or a run of exclamation marks."""
    letters = [c for c in text if c.isalpha()]
    capitals = sum(c.isupper() for c in letters)
    return (len(letters) >= 15 and capitals / len(letters) > 0.8) or "!!!" in text
