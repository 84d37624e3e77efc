"""Hybrid search: dense vectors in Chroma plus BM25 over folded words, fused by rank."""

from __future__ import annotations

import copy
from collections import defaultdict
from dataclasses import dataclass, replace

import bm25s
import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from knowledge_base.chunks import GUIDANCE_PREFIX, Chunk
from knowledge_base.classifier import ArticleClassifier
from knowledge_base.index import VectorIndex
from knowledge_base.lexicon import Lexicon
from knowledge_base.ranking import Article, LinearRanker, article_role, features, question_cues
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
    confidence: float | None = None
    """The ranker's probability that this article answers the query (None: no ranker)."""

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


@dataclass(frozen=True)
class Found:
    """The best articles for a question, and how well the question matched anything indexed."""

    hits: list[Hit]
    similarity: float = 0.0
    """Best dense similarity of the question to any indexed unit."""
    lexical_score: float = 0.0
    """Best BM25 score of the question on any indexed unit."""


@dataclass(frozen=True)
class Candidate:
    """An article the fused search found for a question, and the signals it found it by."""

    hit: Hit
    signals: dict[str, float]


class HybridSearcher:
    """Dense and lexical rankings fused, grouped by article (pointers lead to their articles),
    then ordered by the ranker when one is trained (else by the fused rank)."""

    def __init__(
        self,
        index: VectorIndex,
        lexicon: Lexicon,
        ranker: LinearRanker | None = None,
        classifier: ArticleClassifier | None = None,
    ) -> None:
        """``ranker`` orders the candidate articles (else the fused rank does); ``classifier``
        gives it each article's score from the bridge text."""
        self._index = index
        self._ranker = ranker
        self._classifier = classifier
        self._chunks = {c.id: c for c in index.stored_chunks()}
        self._legal_by_article: dict[str, list[Chunk]] = {}
        for chunk in sorted(self._chunks.values(), key=_clause_order):
            if chunk.is_legal:
                article_id = str(UnitId(str(chunk.metadata["doc"]), int(chunk.metadata["article"])))
                self._legal_by_article.setdefault(article_id, []).append(chunk)
        self._lexical = LexicalIndex(list(self._chunks.values()), lexicon)
        self._explained_by: dict[str, list[Chunk]] = {}
        """Article ID -> the guidance entries whose first citation is in it."""
        for chunk in self._chunks.values():
            if chunk.id.startswith(GUIDANCE_PREFIX) and chunk.citations:
                article_id = str(UnitId.parse(chunk.citations[0]).article_id)
                self._explained_by.setdefault(article_id, []).append(chunk)

    @property
    def size(self) -> int:
        return len(self._chunks)

    def with_models(
        self, ranker: LinearRanker | None, classifier: ArticleClassifier | None
    ) -> HybridSearcher:
        """The same index, ranked by other models (cross-validation holds questions out)."""
        searcher = copy.copy(self)
        searcher._ranker, searcher._classifier = ranker, classifier
        return searcher

    def search(self, query: str, k: int = 5) -> list[Hit]:
        return self.find(query, k).hits

    def find(self, query: str, k: int = 5) -> Found:
        """The ``k`` best articles, each with the guidance entry that explains it."""
        candidates, ranked_guidance = self._fused(query)
        if self._ranker is not None:
            candidates = self._ranked(query, candidates)
        hits = [
            replace(c.hit, guidance_id=self._explanation(c.hit.article_id, ranked_guidance, query))
            for c in candidates[:k]
        ]
        return Found(
            hits,
            max((c.hit.similarity for c in candidates), default=0.0),
            max((c.hit.lexical_score for c in candidates), default=0.0),
        )

    def candidates(self, query: str) -> list[Candidate]:
        """Every article the fused search leads to, in fused order, with its signals."""
        return self._fused(query)[0]

    def _fused(self, query: str) -> tuple[list[Candidate], list[str]]:
        """(the candidate articles, the guidance chunks in fused order)."""
        if not any(ch.isalnum() for ch in query) or not self._chunks:
            return [], []
        dense = self._index.dense_search(query, _CANDIDATES)
        lexical = self._lexical.search(query, _CANDIDATES)
        similarity, lexical_score = dict(dense), dict(lexical)
        top_lexical = max(lexical_score.values(), default=0.0) or 1.0
        fused = fuse([dense, lexical])
        ranked_legal = [uid for uid, _ in fused if self._chunks[uid].is_legal]
        ranked_guidance = [uid for uid, _ in fused if uid.startswith(GUIDANCE_PREFIX)]
        hits: dict[str, Hit] = {}
        signals: dict[str, defaultdict[str, float]] = {}
        for rank, (uid, score) in enumerate(fused, 1):
            chunk = self._chunks[uid]
            kind = _kind(chunk)
            for legal in self._legal_units(chunk, ranked_legal):
                hit = _hit(legal, score, chunk)
                found = hits.setdefault(hit.article_id, hit)
                hits[hit.article_id] = replace(
                    found,
                    similarity=max(found.similarity, similarity.get(uid, 0.0)),
                    lexical_score=max(found.lexical_score, lexical_score.get(uid, 0.0)),
                )
                seen = signals.setdefault(hit.article_id, defaultdict(float))
                seen["rrf"] = max(seen["rrf"], score * _RRF_K)
                seen["best_rank"] = seen["best_rank"] or rank
                seen[f"sim_{kind}"] = max(seen[f"sim_{kind}"], similarity.get(uid, 0.0))
                seen[f"lex_{kind}"] = max(
                    seen[f"lex_{kind}"], lexical_score.get(uid, 0.0) / top_lexical
                )
                seen["chunks"] += 1
                if kind == "guidance" and chunk.citations[0].startswith(hit.article_id + "."):
                    seen["guidance_primary"] = 1.0
        found = [Candidate(hit, dict(signals[article])) for article, hit in hits.items()]
        return found, ranked_guidance

    def features(
        self,
        query: str,
        candidates: list[Candidate],
        classifier_scores: dict[str, float] | None = None,
    ) -> list[dict[str, float]]:
        """The ranker's inputs for each candidate (training uses them too, with the scores of
        a classifier that did not see the question)."""
        cues = question_cues(query)
        places = _places(classifier_scores or {})
        return [
            features(
                c.signals,
                Article(
                    c.hit.article_id,
                    c.hit.doc,
                    article_role(c.hit.title),
                    len(self._explained_by.get(c.hit.article_id, [])),
                ),
                order,
                cues,
                (classifier_scores or {}).get(c.hit.article_id),
                places.get(c.hit.article_id),
            )
            for order, c in enumerate(candidates, 1)
        ]

    def _ranked(self, query: str, candidates: list[Candidate]) -> list[Candidate]:
        assert self._ranker is not None
        scores = self._classifier.scores(query) if self._classifier else None
        scored = []
        for candidate, row in zip(
            candidates, self.features(query, candidates, scores), strict=True
        ):
            probability = self._ranker.score(row)
            hit = replace(candidate.hit, score=probability, confidence=probability)
            scored.append(Candidate(hit, candidate.signals))
        return sorted(scored, key=lambda c: -c.hit.score)

    def _explanation(self, article_id: str, ranked_guidance: list[str], query: str) -> str | None:
        """The guidance entry that explains an article for this question: of the entries whose
        first citation is in it, the best ranked, else the one sharing most words with it."""
        entries = self._explained_by.get(article_id, [])
        if not entries:
            return None
        ids = {chunk.id for chunk in entries}
        best = next((uid for uid in ranked_guidance if uid in ids), None)
        if best is None:
            asked = set(terms(query))
            best = max(entries, key=lambda chunk: len(asked & set(terms(chunk.text)))).id
        return best.removeprefix(GUIDANCE_PREFIX)

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


def _places(scores: dict[str, float]) -> dict[str, int]:
    """Each article's place (1 = best) by its classifier score."""
    ordered = sorted(scores, key=lambda article: -scores[article])
    return {article: place for place, article in enumerate(ordered, 1)}


def _kind(chunk: Chunk) -> str:
    """``legal``, ``guidance`` or ``phrasings``."""
    return str(chunk.metadata["kind"])


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
