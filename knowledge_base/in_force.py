"""Search for an answer given on a day: documents repealed by then are not cited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Protocol

from knowledge_base.legal import Corpus
from knowledge_base.search import Found, Hit
from knowledge_base.timeline import REPEALED

EXTRA_CANDIDATES = 10
"""Hits asked for beyond ``k``, so that leaving out repealed documents still leaves ``k``."""


class Searcher(Protocol):
    def search(self, query: str, k: int = 5) -> list[Hit]: ...

    def find(self, query: str, k: int = 5) -> Found: ...


class InForceSearcher:
    """The hits of ``searcher`` whose document can be cited on the day ``today`` gives."""

    def __init__(self, searcher: Searcher, corpus: Corpus, today: Callable[[], date]) -> None:
        self._searcher = searcher
        self._corpus = corpus
        self._today = today

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.find(query, k).hits

    def find(self, query: str, k: int = 5) -> Found:
        documents = self._corpus.as_of(self._today()).documents
        found = self._searcher.find(query, k + EXTRA_CANDIDATES)
        hits = [h for h in found.hits if h.doc in documents and documents[h.doc].status != REPEALED]
        return replace(found, hits=hits[:k])
