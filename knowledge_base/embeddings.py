"""Embeddings that never download anything.

The default is a feature-hashing embedding over folded words and word pairs: it needs no model file,
is deterministic across processes and machines, and matches text typed with or without diacritics.
A sentence-transformers model can be used instead, loaded from a local path.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings

from knowledge_base.text import terms


class HashingEmbeddings(Embeddings):
    """Signed feature hashing (the "hashing trick") with sublinear term frequency, L2-normalised."""

    def __init__(self, dimensions: int = 4096) -> None:
        self.dimensions = dimensions

    @property
    def name(self) -> str:
        return f"hashing-v2-{self.dimensions}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)

    def _embed(self, text: str) -> list[float]:
        vector = np.zeros(self.dimensions, dtype=np.float32)
        for feature in terms(text):
            digest = zlib.crc32(feature.encode())
            vector[digest % self.dimensions] += 1.0 if digest & 0x80000000 else -1.0
        vector = np.sign(vector) * np.log1p(np.abs(vector))
        norm = float(np.linalg.norm(vector))
        return (vector / norm if norm else vector).tolist()


class LocalSentenceTransformerEmbeddings(Embeddings):
    """A sentence-transformers model loaded from a local folder; never contacts a model hub."""

    def __init__(self, model_path: Path) -> None:
        if not model_path.is_dir():
            raise FileNotFoundError(f"embedding model folder not found: {model_path}")
        from sentence_transformers import SentenceTransformer  # optional dependency

        self.model_path = model_path
        self._model = SentenceTransformer(str(model_path), device="cpu", local_files_only=True)

    @property
    def name(self) -> str:
        return f"st-{self.model_path.name}"

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self._model.encode(texts, normalize_embeddings=True).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def load_embeddings(
    model_path: Path | None,
) -> HashingEmbeddings | LocalSentenceTransformerEmbeddings:
    """The configured embedding: a local sentence-transformers model, or the hashing default."""
    return LocalSentenceTransformerEmbeddings(model_path) if model_path else HashingEmbeddings()
