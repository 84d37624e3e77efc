"""Fitting a reply into a platform's message size."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?…»:;])\s+|\n+")


def split_text(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at paragraph or sentence ends
    where possible, then at spaces, and only as a last resort inside a word."""
    pieces: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = window.rfind("\n\n")
        if cut <= 0:
            ends = [m.start() for m in _SENTENCE_END.finditer(window) if 0 < m.start() <= limit]
            cut = ends[-1] if ends else window.rfind(" ")
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces
