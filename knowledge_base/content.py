"""What the knowledge base holds: the initial content (the shared corpus folder and the
repository's guidance, read-only) with the editors' published work on top (new versions of
documents, legal events, guidance entries written or revised in the console)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from knowledge_base.guidance import GUIDANCE_DIR, GuidanceEntry, load_guidance
from knowledge_base.legal import Corpus, CorpusError, load_corpus, parse_text
from knowledge_base.lexicon import LEXICON_PATH
from knowledge_base.phrasings import PHRASINGS_DIR, load_phrasings
from knowledge_base.timeline import LegalEvent, Timeline, Version


@dataclass(frozen=True)
class Sources:
    """Where the initial content is."""

    corpus_dir: Path
    guidance_dir: Path = GUIDANCE_DIR
    phrasings_dir: Path = PHRASINGS_DIR
    lexicon_path: Path = LEXICON_PATH


@dataclass(frozen=True)
class PublishedText:
    """A version of a document published by an editor, in the corpus layout."""

    doc: str
    number: int
    text: str
    published_at: datetime | None
    published_by: str


@dataclass(frozen=True)
class Edits:
    """The editors' published work that a generation of the index includes."""

    texts: tuple[PublishedText, ...] = ()
    events: tuple[LegalEvent, ...] = ()
    guidance: tuple[GuidanceEntry, ...] = ()


@dataclass
class Content:
    corpus: Corpus
    guidance: list[GuidanceEntry]
    phrasings: dict[str, list[str]] = field(default_factory=dict)


def assemble(sources: Sources, edits: Edits = Edits()) -> Content:
    """The initial content with the edits applied: a document's published versions follow the
    one in the corpus folder (version 1), an entry edited in the console replaces the file of
    the same ID."""
    base = load_corpus(sources.corpus_dir)
    corpus = with_versions(base, edits.texts, edits.events)
    guidance = {entry.id: entry for entry in load_guidance(sources.guidance_dir)}
    guidance |= {entry.id: entry for entry in edits.guidance}
    return Content(
        corpus,
        sorted(guidance.values(), key=lambda e: e.id),
        load_phrasings(sources.phrasings_dir),
    )


def with_versions(
    base: Corpus, texts: Iterable[PublishedText], events: Iterable[LegalEvent]
) -> Corpus:
    """The corpus of the newest versions, with the timeline of all of them attached (the base
    corpus itself when nothing was published)."""
    texts, events = list(texts), list(events)
    if not texts and not events:
        return base
    versions: dict[str, list[Version]] = {}
    for doc, document in base.documents.items():
        articles = tuple(a for a in base.articles if a.document.doc == doc)
        versions[doc] = [Version(1, document, articles)]
    errors = list(base.errors)
    for text in texts:
        path = Path(f"{text.doc} v{text.number}")
        try:
            document, articles = parse_text(text.text, path)
        except CorpusError as error:
            errors.append(error)
            continue
        version = Version(
            text.number, document, tuple(articles), text.published_at, text.published_by
        )
        versions.setdefault(text.doc, []).append(version)
    timeline = Timeline(versions, events)
    corpus = Corpus(errors=errors, timeline=timeline)
    for doc in timeline.versions:
        latest = timeline.latest(doc)
        corpus.documents[doc] = latest.document
        corpus.articles.extend(latest.articles)
    return corpus
