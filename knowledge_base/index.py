"""The vector index in Chroma, kept in step with the chunks by content hash."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import chromadb
from chromadb.api import ClientAPI
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from knowledge_base.chunks import Chunk

COLLECTION = "knowledge_base"
_BATCH = 256


@dataclass(frozen=True)
class SyncReport:
    added: int
    updated: int
    deleted: int
    unchanged: int
    embedded: int = 0
    """Chunks whose vector was computed (the others were unchanged or copied)."""

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.deleted)


def chroma_client(location: Path | str) -> ClientAPI:
    settings = ChromaSettings(anonymized_telemetry=False)
    if isinstance(location, str):
        url = urlsplit(location)
        return chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 80),
            ssl=url.scheme == "https",
            settings=settings,
        )
    location.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(location), settings=settings)


def drop_collection(url: str, collection: str) -> None:
    """Delete ``collection`` from the Chroma server at ``url`` (gone already: nothing to do)."""
    client = chroma_client(url)
    if collection in {c.name for c in client.list_collections()}:
        client.delete_collection(collection)


class VectorIndex:
    """A Chroma collection through LangChain, always with our own embedding function.

    Chroma's default embedding function downloads a model on first use; it can never run here
    because every write and query goes through LangChain with ``embedding`` set.
    """

    def __init__(
        self,
        location: Path | str,
        embedding: Embeddings,
        embedding_name: str,
        collection: str = COLLECTION,
    ) -> None:
        """``location``: a directory of this process's own, or the URL of a Chroma server
        (``chroma run``) that several processes share, with one ``collection`` per index."""
        self._client = chroma_client(location)
        self._collection_name = collection
        self._embedding = embedding
        self.embedding_name = embedding_name
        self.store = self._open_store()
        if self.store._collection.metadata.get("embedding") != embedding_name:
            self.store.delete_collection()
            self.store = self._open_store()

    def _open_store(self) -> Chroma:
        return Chroma(
            collection_name=self._collection_name,
            embedding_function=self._embedding,
            client=self._client,
            collection_metadata={"hnsw:space": "cosine", "embedding": self.embedding_name},
        )

    def stored_hashes(self) -> dict[str, str]:
        stored = self.store.get(include=["metadatas"])
        return {
            uid: str(meta.get("hash", ""))
            for uid, meta in zip(stored["ids"], stored["metadatas"], strict=True)
        }

    def stored_chunks(self) -> list[Chunk]:
        stored = self.store.get(include=["documents", "metadatas"])
        return [
            Chunk(uid, text, {k: v for k, v in meta.items() if k != "hash"})
            for uid, text, meta in zip(
                stored["ids"], stored["documents"], stored["metadatas"], strict=True
            )
        ]

    def vectors(self, chunks: list[Chunk]) -> dict[str, list[float]]:
        """The stored vectors of those ``chunks`` whose text this index holds unchanged (a
        vector depends on the text only, not on metadata such as a document's dates)."""
        if not chunks:
            return {}
        stored = self.store.get(ids=[c.id for c in chunks], include=["documents", "embeddings"])
        texts = {c.id: c.text for c in chunks}
        return {
            uid: list(vector)
            for uid, text, vector in zip(
                stored["ids"], stored["documents"], stored["embeddings"], strict=True
            )
            if text == texts[uid]
        }

    def sync(self, chunks: list[Chunk], reuse: VectorIndex | None = None) -> SyncReport:
        """Write new or changed chunks, embedding only those whose text is new (vectors of an
        unchanged text are taken from ``reuse``, an earlier generation, or from this index when
        only metadata changed); delete the ones that no longer exist."""
        stored = self.stored_hashes()
        wanted = {chunk.id: chunk for chunk in chunks}
        to_write = [c for c in chunks if stored.get(c.id) != c.content_hash]
        to_delete = [uid for uid in stored if uid not in wanted]
        same_embedding = reuse is not None and reuse.embedding_name == self.embedding_name
        source = reuse if reuse is not None and same_embedding else self
        embedded = 0
        for start in range(0, len(to_write), _BATCH):
            batch = to_write[start : start + _BATCH]
            known = source.vectors(batch)
            if copied := [c for c in batch if c.id in known]:
                # Vectors given: Chroma stores them as they are and embeds nothing.
                self.store._collection.upsert(
                    ids=[c.id for c in copied],
                    embeddings=[known[c.id] for c in copied],
                    documents=[c.text for c in copied],
                    metadatas=[{**c.metadata, "hash": c.content_hash} for c in copied],
                )
            if fresh := [c for c in batch if c.id not in known]:
                embedded += len(fresh)
                self.store.add_texts(
                    texts=[c.text for c in fresh],
                    metadatas=[{**c.metadata, "hash": c.content_hash} for c in fresh],
                    ids=[c.id for c in fresh],
                )
        if to_delete:
            self.store.delete(ids=to_delete)
        added = sum(1 for c in to_write if c.id not in stored)
        return SyncReport(
            added=added,
            updated=len(to_write) - added,
            deleted=len(to_delete),
            unchanged=len(chunks) - len(to_write),
            embedded=embedded,
        )

    def count(self) -> int:
        return self.store._collection.count()

    def dense_search(self, query: str, k: int) -> list[tuple[str, float]]:
        """(chunk ID, cosine similarity) best first."""
        results = self.store.similarity_search_with_score(query, k=k)
        return [(doc.id or "", 1.0 - distance) for doc, distance in results]
