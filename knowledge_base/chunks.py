"""The units the index holds: legal clauses (whole articles without clauses) and guidance."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass

from knowledge_base.guidance import GuidanceEntry
from knowledge_base.legal import Article, Corpus, unit_id

GUIDANCE_PREFIX = "guidance:"


@dataclass(frozen=True)
class Chunk:
    """One indexed unit. ``metadata`` holds only scalars, as Chroma requires."""

    id: str
    text: str
    metadata: dict[str, str | int]

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:16]

    @property
    def is_guidance(self) -> bool:
        return self.id.startswith(GUIDANCE_PREFIX)


def build_chunks(corpus: Corpus, guidance: list[GuidanceEntry]) -> list[Chunk]:
    chunks = [chunk for article in corpus.articles for chunk in _legal_chunks(article)]
    chunks.extend(_guidance_chunk(entry) for entry in guidance)
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
    }
    heading = "\n".join(article.headings) + "\n"
    if not article.clauses:
        metadata = {**base, "clause": 0, "body_offset": len(heading)}
        yield Chunk(article.id, heading + article.intro, metadata)
        return
    if article.intro:
        heading += article.intro + "\n"
    for clause in article.clauses:
        uid = unit_id(document.doc, article.number, clause.number)
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
