"""The units the index holds.

Legal clauses (whole articles when they have no clauses) carry the law. Guidance entries and lay
phrasings are pointers: they match how citizens ask, and lead to the legal units they cite.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass

from knowledge_base.guidance import GuidanceEntry
from knowledge_base.legal import Article, Corpus
from knowledge_base.units import UnitId

GUIDANCE_PREFIX = "guidance:"
PHRASINGS_PREFIX = "phrasings:"


@dataclass(frozen=True)
class Chunk:
    """One indexed unit. ``metadata`` holds only scalars, as Chroma requires."""

    id: str
    text: str
    metadata: dict[str, str | int]

    @property
    def content_hash(self) -> str:
        """Changes when the text or any metadata (a document's status, a citation) changes."""
        content = json.dumps([self.text, self.metadata], sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(content.encode()).hexdigest()[:16]

    @property
    def is_legal(self) -> bool:
        return self.metadata["kind"] == "legal"

    @property
    def citations(self) -> list[str]:
        """What a pointer chunk leads to (empty for legal units)."""
        return [c for c in str(self.metadata.get("citations", "")).split(",") if c]


def build_chunks(
    corpus: Corpus, guidance: list[GuidanceEntry], phrasings: dict[str, list[str]]
) -> list[Chunk]:
    chunks = [chunk for article in corpus.articles for chunk in _legal_chunks(article)]
    chunks.extend(_guidance_chunk(entry) for entry in guidance)
    titles = {article.id: article.title for article in corpus.articles}
    chunks.extend(
        _phrasings_chunk(article_id, titles[article_id], lines)
        for article_id, lines in phrasings.items()
        if article_id in titles
    )
    return chunks


def _legal_chunks(article: Article) -> Iterator[Chunk]:
    document = article.document
    base = {
        "kind": "legal",
        "doc": document.doc,
        "article": article.number,
        "title": article.title,
        "status": document.status,
        "effective": document.effective.isoformat(),
        "guides": document.guides,
        "replaces": document.replaces,
    }
    heading = "\n".join(article.headings) + "\n"
    if not article.clauses:
        metadata = {**base, "clause": 0, "body_offset": len(heading)}
        yield Chunk(article.id, heading + article.intro, metadata)
        return
    if article.intro:
        heading += article.intro + "\n"
    for clause in article.clauses:
        uid = str(UnitId(document.doc, article.number, clause.number))
        metadata = {**base, "clause": clause.number, "body_offset": len(heading)}
        yield Chunk(uid, heading + clause.full_text, metadata)


def _guidance_chunk(entry: GuidanceEntry) -> Chunk:
    text = "\n".join([entry.title, *entry.questions, entry.body])
    metadata: dict[str, str | int] = {
        "kind": "guidance",
        "title": entry.title,
        "citations": ",".join(entry.citations),
    }
    return Chunk(f"{GUIDANCE_PREFIX}{entry.id}", text, metadata)


def _phrasings_chunk(article_id: str, title: str, lines: list[str]) -> Chunk:
    metadata: dict[str, str | int] = {"kind": "phrasings", "title": title, "citations": article_id}
    return Chunk(f"{PHRASINGS_PREFIX}{article_id}", "\n".join([title, *lines]), metadata)
