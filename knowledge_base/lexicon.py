"""The lay-term lexicon: everyday words citizens use, and the legal terms they correspond to.

It is applied on the document side: a legal unit that uses a legal term is also indexed under the
lay phrases for it ("khuyết tật" -> "hàng lỗi"), so a citizen's words find the law. Expanding the
question instead was measured to dilute it and lose recall (docs/benchmarks.md).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import yaml

from knowledge_base.text import words

LEXICON_PATH = Path(__file__).parent / "lexicon.yml"


class Lexicon:
    def __init__(self, entries: dict[str, list[str]]) -> None:
        lay_by_term: dict[str, list[str]] = {}
        for lay, terms in entries.items():
            for term in terms:
                if folded := " ".join(words(term)):
                    lay_by_term.setdefault(folded, []).append(lay)
        # Padded with spaces so a term matches whole folded words only: "san" (sàn) never
        # matches inside "sanpham", and "hang" never inside "khang".
        self._terms = [(f" {term} ", " ".join(lay)) for term, lay in lay_by_term.items()]

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> Lexicon:
        data = yaml.safe_load(unicodedata.normalize("NFC", path.read_text(encoding="utf-8")))
        return cls({str(k): [str(t) for t in v] for k, v in (data or {}).items()})

    def lay_phrases_for(self, text: str) -> str:
        """The lay phrases for every legal term that ``text`` uses, space-separated."""
        folded = f" {' '.join(words(text))} "
        return " ".join(lay for term, lay in self._terms if term in folded)
