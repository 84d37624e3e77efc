"""Hybrid search: dense vectors in Chroma plus BM25 over folded words, fused by rank."""

from __future__ import annotations

from dataclasses import dataclass, replace

import bm25s
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from knowledge_base.chunks import GUIDANCE_PREFIX, Chunk
from knowledge_base.index import VectorIndex
from knowledge_base.lexicon import Lexicon
from knowledge_base.text import terms
from knowledge_base.units import UnitId

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
    status: str
    effective: str
    point: str | None = None
    """The point (điểm) a guidance entry cites, if it cites one."""
    guidance_id: str | None = None
    """The guidance entry that led to this article, if one did."""
    similarity: float = 0.0
    """Best dense similarity of the query to any unit that led to this article."""
    lexical_score: float = 0.0
    """Best BM25 score of the query on any unit that led to this article."""

    @property
    def point_text(self) -> str | None:
        """The cited point's own paragraph, when a point is cited."""
        if not self.point:
            return None
        prefix = f"{self.point}) "
        return next((ln for ln in self.text.split("\n") if ln.startswith(prefix)), None)

    @property
    def id(self) -> str:
        return str(UnitId(self.doc, self.article, self.clause))

    @property
    def article_id(self) -> str:
        return str(UnitId(self.doc, self.article))

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
                article_id = str(UnitId(str(chunk.metadata["doc"]), int(chunk.metadata["article"])))
                self._legal_by_article.setdefault(article_id, []).append(chunk)
        self._lexical = LexicalIndex(list(self._chunks.values()), lexicon)

    @property
    def size(self) -> int:
        return len(self._chunks)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        if not any(ch.isalnum() for ch in query) or not self._chunks:
            return []
        dense = self._index.dense_search(query, _CANDIDATES)
        lexical = self._lexical.search(query, _CANDIDATES)
        similarity, lexical_score = dict(dense), dict(lexical)
        fused = fuse([dense, lexical])
        ranked_legal = [uid for uid, _ in fused if self._chunks[uid].is_legal]
        hits: dict[str, Hit] = {}
        for uid, score in fused:
            chunk = self._chunks[uid]
            for legal in self._legal_units(chunk, ranked_legal):
                hit = _hit(legal, score, chunk)
                found = hits.setdefault(hit.article_id, hit)
                hits[hit.article_id] = replace(
                    found,
                    similarity=max(found.similarity, similarity.get(uid, 0.0)),
                    lexical_score=max(found.lexical_score, lexical_score.get(uid, 0.0)),
                )
        return list(hits.values())[:k]

    def _legal_units(self, chunk: Chunk, ranked_legal: list[str]) -> list[tuple[Chunk, str]]:
        """The legal units a chunk stands for, with the point cited if any: the chunk itself, or
        for a pointer each article it cites at the cited clause, else the article's best-ranked
        clause, else its first clause."""
        if chunk.is_legal:
            return [(chunk, "")]
        units = []
        for citation in map(UnitId.parse, chunk.citations):
            clauses = self._legal_by_article.get(str(citation.article_id), [])
            by_id = {c.id: c for c in clauses}
            cited = by_id.get(str(citation.clause_id))
            best = next((by_id[u] for u in ranked_legal if u in by_id), None)
            if unit := cited or best or (clauses[0] if clauses else None):
                units.append((unit, (citation.point or "") if cited else ""))
        return units


def _hit(unit: tuple[Chunk, str], score: float, source: Chunk) -> Hit:
    chunk, point = unit
    meta = chunk.metadata
    from_guidance = source.id.startswith(GUIDANCE_PREFIX)
    return Hit(
        doc=str(meta["doc"]),
        article=int(meta["article"]),
        clause=int(meta["clause"]) or None,
        point=point or None,
        title=str(meta["title"]),
        score=score,
        text=chunk.text[int(meta["body_offset"]) :],
        status=str(meta["status"]),
        effective=str(meta["effective"]),
        guidance_id=source.id.removeprefix(GUIDANCE_PREFIX) if from_guidance else None,
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
