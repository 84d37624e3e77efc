"""Hybrid search: dense vectors in Chroma plus BM25 over folded words, fused by rank."""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from knowledge_base.chunks import GUIDANCE_PREFIX, Chunk
from knowledge_base.index import VectorIndex
from knowledge_base.legal import unit_id
from knowledge_base.lexicon import Lexicon
from knowledge_base.text import terms

_RRF_K = 60
_CANDIDATES = 40


@dataclass(frozen=True)
class Hit:
    """One article, cited at its best-matching clause."""

    doc: str
    article: int
    clause: int | None
    title: str
    score: float
    text: str
    similarity: float
    status: str
    effective: str
    guidance_id: str | None = None

    @property
    def id(self) -> str:
        return unit_id(self.doc, self.article, self.clause)

    @property
    def article_id(self) -> str:
        return unit_id(self.doc, self.article)

    def to_json(self) -> dict[str, object]:
        return {
            "doc": self.doc,
            "article": self.article,
            "clause": self.clause,
            "id": self.id,
            "title": self.title,
            "score": round(self.score, 4),
            "text": self.text,
        }


class LexicalIndex:
    """BM25 (bm25s) over folded, shorthand-expanded words and word pairs; legal units are also
    indexed under the lay phrases of the legal terms they use."""

    def __init__(self, chunks: list[Chunk], lexicon: Lexicon) -> None:
        self._ids = [c.id for c in chunks]
        self._bm25 = bm25s.BM25()
        documents = [
            terms(f"{c.text}\n{lexicon.lay_phrases_for(c.text)}" if c.is_legal else c.text)
            for c in chunks
        ]
        self._bm25.index(documents, show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = terms(query)
        if not tokens or not self._ids:
            return []
        scores = self._bm25.get_scores(tokens)
        top = np.argsort(-scores)[:k]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]


def fuse(rankings: list[list[tuple[str, float]]]) -> list[tuple[str, float]]:
    """Reciprocal rank fusion: IDs by the sum of 1 / (60 + rank) over the rankings."""
    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, (uid, _) in enumerate(ranking, 1):
            fused[uid] = fused.get(uid, 0.0) + 1.0 / (_RRF_K + rank)
    return sorted(fused.items(), key=lambda item: -item[1])


class HybridSearcher:
    """Dense and lexical rankings fused, grouped by article; pointers lead to their articles."""

    def __init__(self, index: VectorIndex, lexicon: Lexicon) -> None:
        self._index = index
        self._chunks = {c.id: c for c in index.stored_chunks()}
        self._legal_by_article: dict[str, list[Chunk]] = {}
        for chunk in sorted(self._chunks.values(), key=_clause_order):
            if chunk.is_legal:
                article_id = unit_id(str(chunk.metadata["doc"]), int(chunk.metadata["article"]))
                self._legal_by_article.setdefault(article_id, []).append(chunk)
        self._lexical = LexicalIndex(list(self._chunks.values()), lexicon)

    @property
    def size(self) -> int:
        return len(self._chunks)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        if not any(ch.isalnum() for ch in query) or not self._chunks:
            return []
        dense = self._index.dense_search(query, _CANDIDATES)
        fused = fuse([dense, self._lexical.search(query, _CANDIDATES)])
        similarity = dict(dense)
        ranked_legal = [uid for uid, _ in fused if self._chunks[uid].is_legal]
        hits: dict[str, Hit] = {}
        for uid, score in fused:
            chunk = self._chunks[uid]
            for legal in self._legal_units(chunk, ranked_legal):
                hit = _hit(legal, score, similarity.get(uid, 0.0), _guidance_id(chunk))
                hits.setdefault(hit.article_id, hit)
            if len(hits) >= k:
                break
        return list(hits.values())[:k]

    def _legal_units(self, chunk: Chunk, ranked_legal: list[str]) -> list[Chunk]:
        """The legal units a chunk stands for: itself, or for a pointer each article it cites at
        the cited clause, else the article's best-ranked clause, else its first clause."""
        if chunk.is_legal:
            return [chunk]
        units = []
        for citation in chunk.citations:
            article_id, _, _ = citation.partition(".")
            clauses = self._legal_by_article.get(article_id, [])
            by_id = {c.id: c for c in clauses}
            clause_id = ".".join(citation.split(".")[:2])
            best = next((by_id[u] for u in ranked_legal if u in by_id), None)
            if unit := by_id.get(clause_id) or best or (clauses[0] if clauses else None):
                units.append(unit)
        return units


def _guidance_id(chunk: Chunk) -> str | None:
    return chunk.id.removeprefix(GUIDANCE_PREFIX) if chunk.id.startswith(GUIDANCE_PREFIX) else None


def _hit(chunk: Chunk, score: float, similarity: float, guidance_id: str | None) -> Hit:
    meta = chunk.metadata
    return Hit(
        doc=str(meta["doc"]),
        article=int(meta["article"]),
        clause=int(meta["clause"]) or None,
        title=str(meta["title"]),
        score=score,
        text=chunk.text[int(meta["body_offset"]) :],
        similarity=similarity,
        status=str(meta["status"]),
        effective=str(meta["effective"]),
        guidance_id=guidance_id,
    )


def _clause_order(chunk: Chunk) -> tuple[str, int, int]:
    meta = chunk.metadata
    return str(meta.get("doc", "")), int(meta.get("article", 0)), int(meta.get("clause", 0))


class HybridRetriever(BaseRetriever):
    """The hybrid searcher as a LangChain retriever: one Document per article."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    searcher: HybridSearcher
    k: int = 5

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return [
            Document(page_content=hit.text, id=hit.id, metadata=hit.to_json())
            for hit in self.searcher.search(query, self.k)
        ]
