"""Documents through time: each document (a *work*) has dated versions (its *expressions*), and
events (amended by another document, repealed) happen on given days. An answer given on a day
uses the version in force that day and the document's validity that day."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache

from knowledge_base.legal import Article, Corpus, Document

AMENDED = "amended"
REPEALED = "repealed"
EVENT_KINDS = (AMENDED, REPEALED)
INITIAL_PUBLISHER = "corpus"
"""Who published the first version of a document that comes from the shared corpus folder."""


@dataclass(frozen=True)
class Version:
    """One dated text of a document: it applies from ``document.effective`` until a later
    version does."""

    number: int
    document: Document
    articles: tuple[Article, ...]
    published_at: datetime | None = None
    published_by: str = INITIAL_PUBLISHER

    @property
    def effective(self) -> date:
        return self.document.effective


@dataclass(frozen=True)
class LegalEvent:
    """``doc`` was amended (by ``by``) or repealed (replaced by ``by``, if given) on ``on``."""

    kind: str
    doc: str
    on: date
    by: str = ""


class Timeline:
    def __init__(self, versions: dict[str, list[Version]], events: list[LegalEvent]) -> None:
        self.versions = {doc: sorted(vs, key=lambda v: v.number) for doc, vs in versions.items()}
        self.events = sorted(events, key=lambda e: e.on)
        self._corpus_on = lru_cache(maxsize=8)(self._build_corpus)

    def latest(self, doc: str) -> Version:
        return self.versions[doc][-1]

    def version_on(self, doc: str, day: date) -> Version:
        """The newest version in force on ``day``; the first one when none is in force yet."""
        versions = self.versions[doc]
        in_force = [v for v in versions if v.effective <= day]
        return max(in_force, key=lambda v: (v.effective, v.number)) if in_force else versions[0]

    def document_on(self, doc: str, day: date) -> Document:
        """The document as it stands on ``day``: repealed, amended by a text not yet taken
        into a version, or with a newer version that is not in force yet."""
        current = self.version_on(doc, day)
        document = current.document
        happened = [e for e in self.events if e.doc == doc and e.on <= day]
        if repeal := next((e for e in reversed(happened) if e.kind == REPEALED), None):
            return replace(document, status=REPEALED, amended_by=repeal.by, amended_on=repeal.on)
        newer = [v.effective for v in self.versions[doc] if v.effective > day]
        if newer and current.effective <= day:
            document = replace(document, next_effective=min(newer))
        amendments = [e for e in happened if e.kind == AMENDED and e.on > current.effective]
        if amendments:
            last = amendments[-1]
            return replace(document, status=AMENDED, amended_by=last.by, amended_on=last.on)
        if any(e.kind == AMENDED for e in happened) or len(self.versions[doc]) > 1:
            # A later version took the amendment in: the text quoted is the current one.
            return replace(document, status="in_force") if document.status == AMENDED else document
        return document

    def citable_on(self, doc: str, day: date) -> bool:
        """A document repealed by ``day`` is not cited in an answer given that day."""
        return doc in self.versions and self.document_on(doc, day).status != REPEALED

    def corpus_on(self, day: date) -> Corpus:
        return self._corpus_on(day)

    def _build_corpus(self, day: date) -> Corpus:
        corpus = Corpus()
        for doc in self.versions:
            corpus.documents[doc] = self.document_on(doc, day)
            corpus.articles.extend(self.version_on(doc, day).articles)
        return corpus
