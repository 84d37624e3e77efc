"""The editors' library: imported texts and their versions, legal events and guidance revisions
in the database, and the index generations the bot answers from.

A publish builds a new generation (its own Chroma directory, only changed units embedded, the
others' vectors copied from the active generation) while the bot keeps answering from the active
one; the regression gate compares both on the development set; the switch is one transaction.
Every change is written to the audit log in the transaction that makes it."""

from __future__ import annotations

import asyncio
import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TypeVar

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.editing.gate import GateReport, compare
from bot.storage.database import Database
from bot.storage.models import (
    AuditEntry,
    DocumentVersion,
    GuidanceRevision,
    InboxResolution,
    IndexGeneration,
    LegalEventRow,
    utcnow,
)
from knowledge_base.chunks import build_chunks
from knowledge_base.content import Content, Edits, PublishedText, Sources, assemble
from knowledge_base.evaluation import Question
from knowledge_base.guidance import GuidanceEntry
from knowledge_base.importing import ParsedImport, corpus_text, import_file, parse_body
from knowledge_base.index import drop_collection
from knowledge_base.legal import Article, load_corpus, parse_text
from knowledge_base.service import KnowledgeBase, server_collection
from knowledge_base.timeline import EVENT_KINDS, INITIAL_PUBLISHER, LegalEvent

GENERATIONS_DIR = "generations"
GENERATIONS_KEPT = 3
"""Index generations kept on disk: the active one and the latest before it (a process may
still answer from the previous one for a few seconds after a switch)."""
ACTIVATION_ATTEMPTS = 3
DRAFT, HELD, PUBLISHED, DISCARDED = "draft", "held", "published", "discarded"
REVIEW, REJECTED = "review", "rejected"
ACTIVE, RETIRED, BUILDING = "active", "retired", "building"
Row = TypeVar("Row", DocumentVersion, LegalEventRow, GuidanceRevision)


class NotAllowed(Exception):
    """What the editor asked cannot be done (the catalogue's words say why)."""


@dataclass(frozen=True)
class LibraryConfig:
    sources: Sources
    index_root: Path
    embedding_model_path: Path | None
    gate_max_drop: float
    chroma_url: str = ""
    """A Chroma server shared by several processes; empty: the vectors stay in each
    generation's directory."""


@dataclass
class Outcome:
    """What a publish did: live (with the new version number and the knowledge base now
    active), or held by the regression gate (with its report)."""

    published: bool
    generation: int | None = None
    version: int | None = None
    doc: str = ""
    gate: GateReport | None = None
    kb: KnowledgeBase | None = None


@dataclass(frozen=True)
class VersionInfo:
    doc: str
    version: int
    effective: date
    published_at: datetime | None
    by: str


@dataclass
class Change:
    """What a publish adds to the active generation's manifest."""

    versions: list[int] = field(default_factory=list)
    events: list[int] = field(default_factory=list)
    guidance: list[int] = field(default_factory=list)


def entry_from_fields(entry_id: str, fields: dict[str, object], reviewed_on: date) -> GuidanceEntry:
    def texts(key: str) -> tuple[str, ...]:
        value = fields.get(key) or []
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    return GuidanceEntry(
        id=entry_id,
        title=str(fields.get("title", "")),
        topic=str(fields.get("topic", "")),
        questions=texts("questions"),
        citations=texts("citations"),
        body=str(fields.get("body", "")),
        reviewed_on=reviewed_on,
        owner=str(fields.get("owner", "")),
        path=Path(f"{entry_id}.md"),
        answer=" ".join(str(fields.get("answer", "")).split()),
        next_step=" ".join(str(fields.get("next_step", "")).split()),
    )


def revision_entry(revision: GuidanceRevision) -> GuidanceEntry:
    reviewed = (revision.published_at or revision.updated_at or utcnow()).date()
    return entry_from_fields(revision.entry_id, revision.fields, reviewed)


class Library:
    def __init__(self, database: Database, config: LibraryConfig, devset: list[Question]) -> None:
        self._database = database
        self.config = config
        self._devset = devset
        self._publishing = asyncio.Lock()
        self._opened: dict[int, KnowledgeBase] = {}
        """The generations this process opened last (opening one costs seconds)."""

    # Generations

    def generation_dir(self, generation: int) -> Path:
        return self.config.index_root / GENERATIONS_DIR / f"g{generation:06d}"

    async def active(self) -> IndexGeneration | None:
        async with self._database.sessions() as session:
            return await session.scalar(
                select(IndexGeneration).where(IndexGeneration.status == ACTIVE)
            )

    async def active_id(self) -> int | None:
        active = await self.active()
        return active.id if active else None

    async def content(self, manifest: dict[str, list[int]]) -> Content:
        edits = await self.edits(manifest)
        return await asyncio.to_thread(assemble, self.config.sources, edits)

    async def edits(self, manifest: dict[str, list[int]]) -> Edits:
        async with self._database.sessions() as session:
            versions = await _rows(session, DocumentVersion, manifest.get("versions", []))
            events = await _rows(session, LegalEventRow, manifest.get("events", []))
            revisions = await _rows(session, GuidanceRevision, manifest.get("guidance", []))
        return Edits(
            texts=tuple(
                PublishedText(
                    v.doc,
                    v.version or 0,
                    corpus_text(v.meta, v.body),
                    v.published_at,
                    v.published_by or "",
                )
                for v in versions
            ),
            events=tuple(LegalEvent(e.kind, e.doc, e.on, e.by_doc) for e in events),
            guidance=tuple(revision_entry(r) for r in revisions),
        )

    async def open_active(self, actor: str = "system") -> tuple[int, KnowledgeBase]:
        """The active generation, opened; built first when there is none or when the initial
        content (the corpus folder, the repository's guidance) changed since it was built."""
        for _ in range(ACTIVATION_ATTEMPTS):
            active = await self.active()
            manifest = active.manifest if active else {}
            content = await self.content(manifest)
            key = content_key(content, manifest)
            if active is not None and active.content_key == key:
                kb = await asyncio.to_thread(self._build, content, active.id, None)
                self._remember(active.id, kb)
                return active.id, kb
            reason = "initial content changed" if active else "first build"
            outcome = await self._switch(active, manifest, content, key, actor, reason, gate=False)
            if outcome is not None and outcome.kb is not None and outcome.generation:
                return outcome.generation, outcome.kb
        raise RuntimeError("the index generation kept changing while it was being opened")

    def _remember(self, generation: int, kb: KnowledgeBase) -> None:
        self._opened = {n: k for n, k in self._opened.items() if n > generation - 2}
        self._opened[generation] = kb

    async def open_generation(self, generation: int) -> KnowledgeBase:
        if generation in self._opened:
            return self._opened[generation]
        async with self._database.sessions() as session:
            row = await session.get(IndexGeneration, generation)
        if row is None:
            raise LookupError(generation)
        content = await self.content(row.manifest)
        kb = await asyncio.to_thread(self._build, content, generation, None)
        self._remember(generation, kb)
        return kb

    def _build(self, content: Content, generation: int, reuse: int | None) -> KnowledgeBase:
        reuse_dir = self.generation_dir(reuse) if reuse is not None else None
        if reuse_dir is not None and not reuse_dir.exists():
            reuse_dir = None
        return KnowledgeBase.build(
            content,
            self.generation_dir(generation),
            self.config.embedding_model_path,
            self.config.sources.lexicon_path,
            reuse_dir,
            self.config.chroma_url,
        )

    async def publish(self, change: Change, actor: str, reason: str) -> Outcome:
        """Build a generation with ``change`` added to the active one, run the gate, switch."""
        async with self._publishing:
            for _ in range(ACTIVATION_ATTEMPTS):
                active = await self.active()
                if active is None:
                    await self.open_active(actor)
                    active = await self.active()
                assert active is not None
                manifest = await self._with_change(active.manifest, change)
                content = await self.content(manifest)
                key = content_key(content, manifest)
                # A legal event is a fact, not an editorial choice: it is not held back.
                gate = not change.events or bool(change.versions or change.guidance)
                outcome = await self._switch(active, manifest, content, key, actor, reason, gate)
                if outcome is not None:
                    return outcome
        raise RuntimeError("another publish kept switching the index meanwhile")

    async def _with_change(
        self, manifest: dict[str, list[int]], change: Change
    ) -> dict[str, list[int]]:
        guidance = list(manifest.get("guidance", []))
        if change.guidance:
            async with self._database.sessions() as session:
                new = await _rows(session, GuidanceRevision, change.guidance)
                old = await _rows(session, GuidanceRevision, guidance)
            replaced = {r.entry_id for r in new}
            guidance = [r.id for r in old if r.entry_id not in replaced] + change.guidance
        return {
            "versions": sorted({*manifest.get("versions", []), *change.versions}),
            "events": sorted({*manifest.get("events", []), *change.events}),
            "guidance": sorted(guidance),
        }

    async def _switch(
        self,
        active: IndexGeneration | None,
        manifest: dict[str, list[int]],
        content: Content,
        key: str,
        actor: str,
        reason: str,
        gate: bool,
    ) -> Outcome | None:
        """Build the candidate generation, gate it, make it active unless the active one
        changed meanwhile (then None: the caller starts again from the new active one)."""
        async with self._database.sessions() as session, session.begin():
            row = IndexGeneration(
                status=BUILDING, manifest=manifest, content_key=key, reason=reason, created_by=actor
            )
            session.add(row)
            await session.flush()
            generation = row.id
        previous = active.id if active else None
        candidate = await asyncio.to_thread(self._build, content, generation, previous)
        report = None
        if gate and active is not None:
            current = await self.open_generation(active.id)
            report = await asyncio.to_thread(
                compare, current, candidate, self._devset, self.config.gate_max_drop
            )
        try:
            return await self._activate(active, generation, candidate, report)
        except IntegrityError:  # another process made its own generation active meanwhile
            return None

    async def _activate(
        self,
        active: IndexGeneration | None,
        generation: int,
        candidate: KnowledgeBase,
        report: GateReport | None,
    ) -> Outcome | None:
        async with self._database.sessions() as session, session.begin():
            row = await session.get(IndexGeneration, generation)
            assert row is not None
            if report is not None:
                row.recall_at_3 = report.after
            if report is not None and report.held:
                row.status = HELD
                return Outcome(False, generation, gate=report)
            # Only the generation this one was built from may be replaced: if another process
            # switched meanwhile, this build is dropped and the caller starts again.
            retired = await session.execute(
                update(IndexGeneration)
                .where(IndexGeneration.status == ACTIVE)
                .where(IndexGeneration.id == (active.id if active else None))
                .values(status=RETIRED)
            )
            others = await session.scalar(
                select(func.count()).where(IndexGeneration.status == ACTIVE)
            )
            if (active is not None and not retired.rowcount) or others:  # type: ignore[attr-defined]
                row.status = RETIRED
                return None
            row.status, row.activated_at = ACTIVE, utcnow()
        self._remember(generation, candidate)
        await asyncio.to_thread(self._prune, generation)
        return Outcome(True, generation, gate=report, kb=candidate)

    def _prune(self, active: int) -> None:
        root = self.config.index_root / GENERATIONS_DIR
        kept = {f"g{n:06d}" for n in range(active - GENERATIONS_KEPT + 1, active + 1)}
        for path in root.glob("g*"):
            if path.name not in kept and path.name < f"g{active:06d}":
                shutil.rmtree(path, ignore_errors=True)
                if self.config.chroma_url:
                    drop_collection(self.config.chroma_url, server_collection(path))

    # Legal texts

    async def import_file(self, name: str, data: bytes, actor: str) -> DocumentVersion:
        """Parse a file and keep it as a draft (raises UnreadableFile)."""
        parsed = await asyncio.to_thread(import_file, name, data)
        async with self._database.sessions() as session, session.begin():
            draft = DocumentVersion(
                doc=parsed.metadata.get("doc", ""),
                status=DRAFT,
                source_name=Path(name).name[:255],
                meta=parsed.metadata,
                body=parsed.body,
                created_by=actor,
            )
            session.add(draft)
            await session.flush()
            session.add(_audit(actor, "kb.import", f"draft:{draft.id}", None, _draft_json(draft)))
        return draft

    async def draft(self, draft_id: int) -> DocumentVersion | None:
        async with self._database.sessions() as session:
            return await session.get(DocumentVersion, draft_id)

    async def drafts(self) -> list[DocumentVersion]:
        async with self._database.sessions() as session:
            return list(
                await session.scalars(
                    select(DocumentVersion)
                    .where(DocumentVersion.status.in_((DRAFT, HELD)))
                    .order_by(DocumentVersion.id.desc())
                )
            )

    @staticmethod
    def parsed(draft: DocumentVersion) -> ParsedImport:
        return parse_body(draft.meta, draft.body)

    async def update_metadata(self, draft_id: int, meta: dict[str, str], actor: str) -> None:
        async with self._database.sessions() as session, session.begin():
            draft = await session.get(DocumentVersion, draft_id)
            if draft is None or draft.status not in (DRAFT, HELD):
                raise NotAllowed("not_a_draft")
            before = dict(draft.meta)
            draft.meta = {k: v.strip() for k, v in meta.items() if v and v.strip()}
            draft.doc = draft.meta.get("doc", "")
            session.add(_audit(actor, "kb.metadata", f"draft:{draft_id}", before, draft.meta))

    async def discard(self, draft_id: int, actor: str) -> None:
        async with self._database.sessions() as session, session.begin():
            draft = await session.get(DocumentVersion, draft_id)
            if draft is None or draft.status not in (DRAFT, HELD):
                raise NotAllowed("not_a_draft")
            draft.status = DISCARDED
            session.add(_audit(actor, "kb.discard", f"draft:{draft_id}", {"status": DRAFT}, None))

    async def publish_draft(self, draft_id: int, actor: str) -> Outcome:
        """Gate and publish a draft; a text with blocking problems never reaches the index."""
        draft = await self.draft(draft_id)
        if draft is None or draft.status not in (DRAFT, HELD):
            raise NotAllowed("not_a_draft")
        if self.parsed(draft).blocking:
            raise NotAllowed("draft_has_problems")
        number = await self.next_version(draft.doc)
        async with self._database.sessions() as session, session.begin():
            row = await session.get(DocumentVersion, draft_id)
            assert row is not None
            row.version = number  # the version the text will have once live
        outcome = await self.publish(Change(versions=[draft_id]), actor, f"publish {draft.doc}")
        outcome.doc, outcome.version = draft.doc, number
        async with self._database.sessions() as session, session.begin():
            row = await session.get(DocumentVersion, draft_id)
            assert row is not None
            row.gate = outcome.gate.to_json() if outcome.gate else None
            if outcome.published:
                row.status, row.published_by, row.published_at = PUBLISHED, actor, utcnow()
                session.add(
                    _audit(
                        actor,
                        "kb.publish",
                        f"doc:{draft.doc}",
                        {"status": draft.status},
                        {"status": PUBLISHED, "version": number, "draft": draft_id},
                    )
                )
            else:
                row.status, row.version = HELD, None
                session.add(_audit(actor, "kb.held", f"draft:{draft_id}", None, row.gate))
        return outcome

    async def next_version(self, doc: str) -> int:
        async with self._database.sessions() as session:
            published = await session.scalar(
                select(func.max(DocumentVersion.version)).where(
                    DocumentVersion.doc == doc, DocumentVersion.status == PUBLISHED
                )
            )
        base = await asyncio.to_thread(self._base_documents)
        return max(published or 0, 1 if doc in base else 0) + 1

    def _base_documents(self) -> set[str]:
        return set(load_corpus(self.config.sources.corpus_dir).documents)

    async def history(self, doc: str) -> list[VersionInfo]:
        """Every version of a document, oldest first: the corpus folder's, then published ones."""
        base = await asyncio.to_thread(load_corpus, self.config.sources.corpus_dir)
        versions = []
        if doc in base.documents:
            document = base.documents[doc]
            versions.append(VersionInfo(doc, 1, document.effective, None, INITIAL_PUBLISHER))
        async with self._database.sessions() as session:
            rows = await session.scalars(
                select(DocumentVersion)
                .where(DocumentVersion.doc == doc, DocumentVersion.status == PUBLISHED)
                .order_by(DocumentVersion.version)
            )
            for row in rows:
                effective = date.fromisoformat(row.meta["effective"])
                versions.append(
                    VersionInfo(
                        doc, row.version or 0, effective, row.published_at, row.published_by or ""
                    )
                )
        return versions

    async def version_articles(self, doc: str, number: int) -> list[Article]:
        if number == 1:
            base = await asyncio.to_thread(load_corpus, self.config.sources.corpus_dir)
            if doc in base.documents:
                return [a for a in base.articles if a.document.doc == doc]
        async with self._database.sessions() as session:
            row = await session.scalar(
                select(DocumentVersion).where(
                    DocumentVersion.doc == doc,
                    DocumentVersion.version == number,
                    DocumentVersion.status == PUBLISHED,
                )
            )
        if row is None:
            return []
        _, articles = parse_text(corpus_text(row.meta, row.body), Path(f"{doc} v{number}"))
        return articles

    async def events(self, doc: str | None = None) -> list[LegalEventRow]:
        async with self._database.sessions() as session:
            query = select(LegalEventRow).order_by(LegalEventRow.on)
            if doc is not None:
                query = query.where(LegalEventRow.doc == doc)
            return list(await session.scalars(query))

    async def record_event(self, doc: str, kind: str, on: date, by: str, actor: str) -> Outcome:
        """Amended by ``by`` or repealed from ``on``: answers follow from the next generation."""
        if kind not in EVENT_KINDS:
            raise NotAllowed("bad_event")
        active = await self.active()
        content = await self.content(active.manifest if active else {})
        if doc not in content.corpus.documents:
            raise NotAllowed("unknown_document")
        async with self._database.sessions() as session, session.begin():
            event = LegalEventRow(doc=doc, kind=kind, on=on, by_doc=by, actor=actor)
            session.add(event)
            await session.flush()
            event_id = event.id
            after = {"kind": kind, "on": on.isoformat(), "by": by}
            session.add(_audit(actor, f"kb.{kind}", f"doc:{doc}", None, after))
        outcome = await self.publish(Change(events=[event_id]), actor, f"{kind} {doc}")
        outcome.doc = doc
        return outcome

    # Guidance

    async def revisions(self, statuses: Sequence[str] | None = None) -> list[GuidanceRevision]:
        async with self._database.sessions() as session:
            query = select(GuidanceRevision).order_by(GuidanceRevision.updated_at.desc())
            if statuses:
                query = query.where(GuidanceRevision.status.in_(statuses))
            return list(await session.scalars(query))

    async def revision(self, revision_id: int) -> GuidanceRevision | None:
        async with self._database.sessions() as session:
            return await session.get(GuidanceRevision, revision_id)

    async def open_revision(self, entry_id: str) -> GuidanceRevision | None:
        """The entry's revision still being worked on (draft, in review or held), if any."""
        async with self._database.sessions() as session:
            return await session.scalar(
                select(GuidanceRevision)
                .where(
                    GuidanceRevision.entry_id == entry_id,
                    GuidanceRevision.status.in_((DRAFT, REVIEW, HELD, REJECTED)),
                )
                .order_by(GuidanceRevision.id.desc())
            )

    async def save_revision(
        self, revision_id: int | None, entry_id: str, fields: dict[str, object], actor: str
    ) -> GuidanceRevision:
        async with self._database.sessions() as session, session.begin():
            revision = await session.get(GuidanceRevision, revision_id) if revision_id else None
            before = dict(revision.fields) if revision else None
            if revision is None:
                revision = GuidanceRevision(
                    entry_id=entry_id, status=DRAFT, fields=fields, created_by=actor
                )
                session.add(revision)
            elif revision.status == PUBLISHED:
                raise NotAllowed("already_published")
            else:
                revision.fields, revision.status = fields, DRAFT
            await session.flush()
            session.add(_audit(actor, "guidance.save", f"guidance:{entry_id}", before, fields))
        return revision

    async def submit(self, revision_id: int, actor: str) -> None:
        await self._move(revision_id, (DRAFT, REJECTED, HELD), REVIEW, actor, "guidance.submit")

    async def reject(self, revision_id: int, note: str, actor: str) -> None:
        await self._move(revision_id, (REVIEW,), REJECTED, actor, "guidance.reject", note)

    async def _move(
        self,
        revision_id: int,
        allowed: tuple[str, ...],
        to: str,
        actor: str,
        action: str,
        note: str = "",
    ) -> None:
        async with self._database.sessions() as session, session.begin():
            revision = await session.get(GuidanceRevision, revision_id)
            if revision is None or revision.status not in allowed:
                raise NotAllowed("wrong_state")
            before = {"status": revision.status}
            revision.status = to
            if to == REVIEW:
                revision.submitted_at = utcnow()
            if note:
                revision.review_note = note
            after = {"status": to, "note": note} if note else {"status": to}
            session.add(_audit(actor, action, f"guidance:{revision.entry_id}", before, after))

    async def publish_revision(
        self, revision_id: int, actor: str, may_self_publish: bool
    ) -> Outcome:
        """Publish a guidance revision in review; its author may not, unless allowed."""
        revision = await self.revision(revision_id)
        if revision is None or revision.status not in (REVIEW, HELD):
            raise NotAllowed("not_in_review")
        if revision.created_by == actor and not may_self_publish:
            raise NotAllowed("own_draft")
        outcome = await self.publish(
            Change(guidance=[revision_id]), actor, f"guidance {revision.entry_id}"
        )
        async with self._database.sessions() as session, session.begin():
            row = await session.get(GuidanceRevision, revision_id)
            assert row is not None
            row.gate = outcome.gate.to_json() if outcome.gate else None
            before = {"status": row.status}
            if outcome.published:
                row.status, row.published_by, row.published_at = PUBLISHED, actor, utcnow()
                await session.execute(
                    update(GuidanceRevision)
                    .where(
                        GuidanceRevision.entry_id == row.entry_id,
                        GuidanceRevision.status == PUBLISHED,
                        GuidanceRevision.id != row.id,
                    )
                    .values(status=RETIRED)
                )
            else:
                row.status = HELD
            session.add(
                _audit(
                    actor,
                    "guidance.publish" if outcome.published else "guidance.held",
                    f"guidance:{row.entry_id}",
                    before,
                    {"status": row.status, "revision": row.id},
                )
            )
        return outcome

    # The unanswered-questions inbox

    async def resolutions(self) -> list[InboxResolution]:
        async with self._database.sessions() as session:
            return list(
                await session.scalars(select(InboxResolution).order_by(InboxResolution.id.desc()))
            )

    async def turn_group(
        self,
        entry_id: str,
        existing: GuidanceEntry | None,
        examples: list[str],
        message_ids: list[int],
        actor: str,
    ) -> GuidanceRevision:
        """A group of unanswered questions becomes a new entry's draft (its questions), or new
        phrasings in a draft of an existing entry; the group leaves the inbox."""
        open_revision = await self.open_revision(entry_id)
        async with self._database.sessions() as session, session.begin():
            revision = (
                await session.get(GuidanceRevision, open_revision.id) if open_revision else None
            )
            if revision is None:
                fields = entry_fields(existing) if existing else {"questions": [], "citations": []}
                revision = GuidanceRevision(
                    entry_id=entry_id, status=DRAFT, fields=fields, created_by=actor
                )
                session.add(revision)
            before = dict(revision.fields)
            questions = [str(q) for q in before.get("questions") or []]  # type: ignore[union-attr]
            revision.fields = before | {"questions": list(dict.fromkeys([*questions, *examples]))}
            revision.status = DRAFT
            await session.flush()
            session.add(
                InboxResolution(
                    entry_id=entry_id,
                    revision_id=revision.id,
                    examples=examples,
                    message_ids=message_ids,
                    actor=actor,
                )
            )
            action = "inbox.phrasings" if existing else "inbox.entry"
            session.add(_audit(actor, action, f"guidance:{entry_id}", before, revision.fields))
        return revision


def entry_fields(entry: GuidanceEntry) -> dict[str, object]:
    """An entry's content as a revision stores it."""
    return {
        "title": entry.title,
        "topic": entry.topic,
        "answer": entry.answer,
        "questions": list(entry.questions),
        "citations": list(entry.citations),
        "next_step": entry.next_step,
        "body": entry.body,
        "owner": entry.owner,
    }


def content_key(content: Content, manifest: dict[str, list[int]]) -> str:
    """Changes with any unit's text or metadata, and with the published work included."""
    chunks = build_chunks(content.corpus, content.guidance, content.phrasings)
    digest = hashlib.sha256(json.dumps(manifest, sort_keys=True).encode())
    for chunk in sorted(chunks, key=lambda c: c.id):
        digest.update(f"{chunk.id}={chunk.content_hash};".encode())
    return digest.hexdigest()


async def _rows(session: AsyncSession, model: type[Row], ids: Sequence[int]) -> list[Row]:
    if not ids:
        return []
    return list(
        await session.scalars(select(model).where(model.id.in_(ids)).order_by(model.id))  # type: ignore[attr-defined]
    )


def _audit(
    actor: str,
    action: str,
    target: str,
    before: dict[str, object] | None,
    after: dict[str, object] | None,
) -> AuditEntry:
    return AuditEntry(actor=actor, action=action, target=target, before=before, after=after)


def _draft_json(draft: DocumentVersion) -> dict[str, object]:
    return {"doc": draft.doc, "source": draft.source_name, "meta": dict(draft.meta)}
