"""Answer composition: the matching guidance first, then the legal basis quoted and cited, then
the next step. Built from retrieved text only, so it states no law it did not find."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.core import catalogue
from bot.core.messages import Citation
from knowledge_base.guidance import GuidanceEntry
from knowledge_base.legal import Corpus, Document
from knowledge_base.search import Hit
from knowledge_base.units import UnitId

_MAX_QUOTE_CHARS = 700


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[Citation, ...]


def parse_citation(unit: str) -> Citation:
    """ "19/2023/QH15#d26.k1.a" -> Citation("19/2023/QH15", 26, 1) (points cite their clause)."""
    uid = UnitId.parse(unit)
    return Citation(uid.doc, uid.article, uid.clause)


def cite(citation: Citation, document: Document) -> str:
    """ "khoản 1 Điều 26 Luật Bảo vệ quyền lợi người tiêu dùng 2023"."""
    clause = catalogue.CITE_CLAUSE.format(clause=citation.clause) if citation.clause else ""
    return catalogue.CITE.format(
        clause=clause, article=citation.article, document=document.short_name
    )


def validity_warning(document: Document, today: date) -> str:
    """A sentence warning that a cited text is outdated or not yet in force; empty otherwise."""
    name = document.short_name
    if document.status == "amended" and document.amended_by and document.amended_on:
        return catalogue.AMENDED_BY.format(
            name=name, by=document.amended_by, date=document.amended_on
        )
    if document.status == "amended":
        return catalogue.AMENDED.format(name=name)
    if document.status != "in_force":
        return catalogue.NOT_IN_FORCE.format(name=name)
    if document.effective > today:
        return catalogue.IN_FORCE_FROM.format(name=name, date=document.effective)
    if document.next_effective and document.next_effective > today:
        return catalogue.NEWER_TEXT_FROM.format(name=name, date=document.next_effective)
    return ""


def quote(text: str) -> str:
    if len(text) <= _MAX_QUOTE_CHARS:
        return text
    return text[:_MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


class Composer(Protocol):
    async def compose(self, question: str, hits: list[Hit], today: date) -> Answer: ...


class ExtractiveComposer:
    """The default: the best hit's guidance and legal text, as written, cited."""

    def __init__(self, corpus: Corpus, guidance: list[GuidanceEntry]) -> None:
        self._corpus = corpus
        self._guidance = {entry.id: entry for entry in guidance}

    async def compose(self, question: str, hits: list[Hit], today: date) -> Answer:
        hit = hits[0]
        basis = Citation(hit.doc, hit.article, hit.clause)
        entry = self._guidance.get(hit.guidance_id or "")
        # The wording in force on the day of the question (the index holds the newest).
        unit = UnitId(hit.doc, hit.article, hit.clause, hit.point if hit.clause else None)
        in_force = self._corpus.as_of(today).unit_text(unit)
        quoted = in_force or hit.point_text or hit.text
        return self._render(entry, basis, hit.point, quoted, today)

    def compose_guidance(self, entry_id: str, today: date) -> Answer | None:
        """A guidance entry with its first citation quoted, e.g. to explain the options."""
        entry = self._guidance.get(entry_id)
        quoted = self._corpus.as_of(today).unit_text(entry.citations[0]) if entry else None
        if entry is None or quoted is None:
            return None
        point = UnitId.parse(entry.citations[0]).point
        return self._render(entry, parse_citation(entry.citations[0]), point, quoted, today)

    def _render(
        self,
        entry: GuidanceEntry | None,
        basis: Citation,
        point: str | None,
        quoted: str,
        today: date,
    ) -> Answer:
        documents = self._corpus.as_of(today).documents
        citations = [basis]
        if entry:
            # A document repealed by the day of the question is no longer cited.
            citations += [
                c
                for c in map(parse_citation, entry.citations)
                if c not in citations and documents[c.doc].status != "repealed"
            ]
        parts = [entry.body] if entry else []
        point_name = catalogue.CITE_POINT.format(point=point) if point else ""
        basis_name = point_name + cite(basis, documents[basis.doc])
        parts.append(catalogue.LEGAL_BASIS.format(basis=basis_name, quote=quote(quoted)))
        if len(citations) > 1:
            further = "; ".join(cite(c, documents[c.doc]) for c in citations[1:])
            parts.append(catalogue.SEE_ALSO.format(units=further))
        cited_docs = dict.fromkeys(c.doc for c in citations)
        parts.extend(w for doc in cited_docs if (w := validity_warning(documents[doc], today)))
        parts.append(catalogue.NEXT_STEP)
        return Answer("\n\n".join(parts), tuple(citations))
