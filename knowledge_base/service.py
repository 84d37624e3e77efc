"""The knowledge base as one object: legal texts, guidance, the index and the searcher."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.chunks import build_chunks
from knowledge_base.embeddings import load_embeddings
from knowledge_base.guidance import GUIDANCE_DIR, GuidanceEntry, load_guidance
from knowledge_base.index import SyncReport, VectorIndex
from knowledge_base.legal import Corpus, load_corpus
from knowledge_base.lexicon import LEXICON_PATH, Lexicon
from knowledge_base.phrasings import PHRASINGS_DIR, load_phrasings
from knowledge_base.search import HybridSearcher


@dataclass
class KnowledgeBase:
    corpus: Corpus
    guidance: list[GuidanceEntry]
    index: VectorIndex
    searcher: HybridSearcher
    last_sync: SyncReport
    last_sync_seconds: float

    @classmethod
    def open(
        cls,
        corpus_dir: Path,
        chroma_dir: Path | str,
        embedding_model_path: Path | None = None,
        guidance_dir: Path = GUIDANCE_DIR,
        phrasings_dir: Path = PHRASINGS_DIR,
        lexicon_path: Path = LEXICON_PATH,
    ) -> KnowledgeBase:
        """Load the texts, bring the index up to date (only changed units are embedded), search."""
        corpus = load_corpus(corpus_dir)
        guidance = load_guidance(guidance_dir)
        embedding = load_embeddings(embedding_model_path)
        index = VectorIndex(chroma_dir, embedding, embedding.name)
        chunks = build_chunks(corpus, guidance, load_phrasings(phrasings_dir))
        started = time.perf_counter()
        report = index.sync(chunks)
        sync_seconds = time.perf_counter() - started
        searcher = HybridSearcher(index, Lexicon.load(lexicon_path))
        return cls(corpus, guidance, index, searcher, report, sync_seconds)
