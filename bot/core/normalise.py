"""Normalise what a citizen typed before anything reads it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

MAX_STORED_CHARS = 4096
"""The most of one message that is ever kept or read (Telegram's own limit): whatever arrives,
no later stage sees more, so none can be made slow by a huge message."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\ufeff]")
_SPACES = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class NormalisedText:
    text: str
    truncated: bool

    @property
    def has_words(self) -> bool:
        """False for empty, whitespace-only and emoji- or punctuation-only messages."""
        return any(ch.isalnum() for ch in self.text)


def clean(raw: str) -> str:
    """NFC, control characters removed, spaces collapsed; at most ``MAX_STORED_CHARS``."""
    text = _CONTROL.sub(" ", unicodedata.normalize("NFC", raw[:MAX_STORED_CHARS]))
    return "\n".join(_SPACES.sub(" ", line).strip() for line in text.splitlines()).strip()


def cut(text: str, max_chars: int) -> NormalisedText:
    """``text`` cut to ``max_chars`` at a word boundary."""
    if len(text) <= max_chars:
        return NormalisedText(text, truncated=False)
    return NormalisedText(text[:max_chars].rsplit(" ", 1)[0], truncated=True)


def normalise(raw: str, max_chars: int) -> NormalisedText:
    """Cleaned and cut to ``max_chars``."""
    return cut(clean(raw), max_chars)
