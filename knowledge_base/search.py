"""Hybrid search: dense vectors in Chroma plus BM25 over folded words, fused by rank."""

from __future__ import annotations

from dataclasses import dataclass

import bm25s
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from knowledge_base.chunks import Chunk
from knowledge_base.index import VectorIndex
from knowledge_base.legal import unit_id
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

    @property
    def id(self) -> str:
        return unit_id(self.doc, self.article, self.clause)

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
    """BM25 (bm25s) over folded, shorthand-expanded words and word pairs."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self._ids = [c.id for c in chunks]
        self._bm25 = bm25s.BM25()
        self._bm25.index([terms(c.text) for c in chunks], show_progress=False)

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        tokens = terms(query)
        if not tokens or not self._ids:
            return []
        scores = self._bm25.get_scores(tokens)
        top = np.argsort(-scores)[:k]
        return [(self._ids[i], float(scores[i])) for i in top if scores[i] > 0]


class HybridSearcher:
    """Fuses dense and lexical rankings (reciprocal rank fusion) and groups hits by article."""

    def __init__(self, index: VectorIndex) -> None:
        self._index = index
        self._chunks = {c.id: c for c in index.stored_chunks()}
        self._first_chunk_of_article: dict[str, str] = {}
        for uid in sorted(self._chunks, key=_unit_sort_key):
            self._first_chunk_of_article.setdefault(uid.split(".k")[0], uid)
        self._lexical = LexicalIndex(list(self._chunks.values()))

    @property
    def size(self) -> int:
        return len(self._chunks)

    def search(self, query: str, k: int = 5) -> list[Hit]:
        if not query.strip() or not self._chunks:
            return []
        dense = self._index.dense_search(query, _CANDIDATES)
        lexical = self._lexical.search(query, _CANDIDATES)
        similarity = dict(dense)
        fused: dict[str, float] = {}
        for ranking in (dense, lexical):
            for rank, (uid, _) in enumerate(ranking):
                fused[uid] = fused.get(uid, 0.0) + 1.0 / (_RRF_K + rank + 1)
        hits: dict[tuple[str, int], Hit] = {}
        for uid, score in sorted(fused.items(), key=lambda item: -item[1]):
            for hit in self._hits_for(uid, score, similarity.get(uid, 0.0)):
                hits.setdefault((hit.doc, hit.article), hit)
            if len(hits) >= k:
                break
        return list(hits.values())[:k]

    def _hits_for(self, uid: str, score: float, similarity: float) -> list[Hit]:
        chunk = self._chunks.get(uid)
        if chunk is None:
            return []
        if not chunk.is_guidance:
            return [self._legal_hit(chunk, score, similarity)]
        cited = (self._resolve(c) for c in str(chunk.metadata["citations"]).split(","))
        return [self._legal_hit(self._chunks[c], score, similarity) for c in cited if c]

    def _resolve(self, citation: str) -> str | None:
        """The indexed chunk a citation falls in: its clause, or an article's first clause."""
        clause_level = ".".join(citation.split(".")[:2])
        if clause_level in self._chunks:
            return clause_level
        return self._first_chunk_of_article.get(citation)

    @staticmethod
    def _legal_hit(chunk: Chunk, score: float, similarity: float) -> Hit:
        meta = chunk.metadata
        clause = int(meta["clause"]) or None
        return Hit(
            doc=str(meta["doc"]),
            article=int(meta["article"]),
            clause=clause,
            title=str(meta["title"]),
            score=score,
            text=chunk.text[int(meta["body_offset"]) :],
            similarity=similarity,
            status=str(meta["status"]),
            effective=str(meta["effective"]),
        )


def _unit_sort_key(uid: str) -> tuple[str, int]:
    head, _, clause = uid.partition(".k")
    return head, int(clause) if clause.isdigit() else 0


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
