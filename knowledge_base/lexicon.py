"""The lay-term lexicon: everyday words citizens use, and the legal terms they correspond to.

It is applied on the document side: a legal unit that uses a legal term is also indexed under the
lay phrases for it ("khuyết tật" -> "hàng lỗi"), so a citizen's words find the law. Expanding the
question instead was measured to dilute it and lose recall (docs/benchmarks.md).
"""

from __future__ import annotations

import re
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
        # Whole folded words only, so "san" (sàn) never matches inside "san pham" (sản phẩm).
        self._patterns = [
            (re.compile(rf"(?:^| ){re.escape(term)}(?: |$)"), " ".join(lay))
            for term, lay in lay_by_term.items()
        ]

    @classmethod
    def load(cls, path: Path = LEXICON_PATH) -> Lexicon:
        data = yaml.safe_load(unicodedata.normalize("NFC", path.read_text(encoding="utf-8")))
        return cls({str(k): [str(t) for t in v] for k, v in (data or {}).items()})

    def lay_phrases_for(self, text: str) -> str:
        """The lay phrases for every legal term that ``text`` uses, space-separated."""
        folded = " ".join(words(text))
        return " ".join(lay for pattern, lay in self._patterns if pattern.search(folded))
