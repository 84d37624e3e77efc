"""The knowledge base as one object: legal texts, guidance, the index and the searcher."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from knowledge_base.chunks import build_chunks
from knowledge_base.classifier import ArticleClassifier, content_examples, question_examples
from knowledge_base.content import Content, Sources, assemble
from knowledge_base.embeddings import load_embeddings
from knowledge_base.evaluation import load_devset
from knowledge_base.guidance import GUIDANCE_DIR, GuidanceEntry
from knowledge_base.index import COLLECTION, SyncReport, VectorIndex
from knowledge_base.legal import Corpus
from knowledge_base.lexicon import LEXICON_PATH, Lexicon
from knowledge_base.phrasings import PHRASINGS_DIR
from knowledge_base.ranking import LinearRanker
from knowledge_base.search import HybridSearcher

MODELS_DIR = "models"
"""Beside the index: the article classifier, keyed by its training examples."""


def server_collection(directory: Path) -> str:
    """The Chroma server collection that stands for an index directory."""
    return f"{COLLECTION}-{directory.name}"


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
        chroma_dir: Path,
        embedding_model_path: Path | None = None,
        guidance_dir: Path = GUIDANCE_DIR,
        phrasings_dir: Path = PHRASINGS_DIR,
        lexicon_path: Path = LEXICON_PATH,
    ) -> KnowledgeBase:
        """Load the texts, bring the index up to date (only changed units are embedded), search."""
        sources = Sources(corpus_dir, guidance_dir, phrasings_dir, lexicon_path)
        return cls.build(assemble(sources), chroma_dir, embedding_model_path, lexicon_path)

    @classmethod
    def build(
        cls,
        content: Content,
        chroma_dir: Path,
        embedding_model_path: Path | None = None,
        lexicon_path: Path = LEXICON_PATH,
        reuse_dir: Path | None = None,
        chroma_url: str = "",
    ) -> KnowledgeBase:
        """Index ``content`` in ``chroma_dir`` (only what that directory does not hold yet is
        written; vectors of unchanged units are taken from ``reuse_dir``, an earlier
        generation's index, instead of being embedded again). With ``chroma_url`` the vectors
        live on that Chroma server instead, in a collection named after the directory."""
        embedding = load_embeddings(embedding_model_path)

        def vectors(directory: Path) -> VectorIndex:
            if chroma_url:
                return VectorIndex(
                    chroma_url, embedding, embedding.name, server_collection(directory)
                )
            return VectorIndex(directory, embedding, embedding.name)

        chroma_dir.mkdir(parents=True, exist_ok=True)
        index = vectors(chroma_dir)
        reuse = vectors(reuse_dir) if reuse_dir else None
        chunks = build_chunks(content.corpus, content.guidance, content.phrasings)
        started = time.perf_counter()
        report = index.sync(chunks, reuse)
        sync_seconds = time.perf_counter() - started
        examples = content_examples(
            content.corpus, content.guidance, content.phrasings
        ) + question_examples(load_devset())
        classifier = ArticleClassifier.load_or_train(chroma_dir.parent / MODELS_DIR, examples)
        searcher = HybridSearcher(
            index, Lexicon.load(lexicon_path), LinearRanker.load(), classifier
        )
        return cls(content.corpus, content.guidance, index, searcher, report, sync_seconds)
