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
from knowledge_base.timeline import REPEALED
from knowledge_base.units import UnitId


@dataclass(frozen=True)
class Answer:
    text: str
    """The first message: short enough for one phone screen."""
    citations: tuple[Citation, ...]
    more: str = ""
    """What «Xem thêm» shows: the fuller explanation, further units, the quote if it was long."""


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


class Composer(Protocol):
    async def compose(self, question: str, hits: list[Hit], today: date) -> Answer: ...


class ExtractiveComposer:
    """The default: the matching guidance entry's direct answer, the unit of law that carries it
    quoted whole and cited, the next step for the topic; the explanation and further units
    behind «Xem thêm». Built from retrieved and reviewed text only, so it states no law it did
    not find."""

    def __init__(self, corpus: Corpus, guidance: list[GuidanceEntry]) -> None:
        self._corpus = corpus
        self._guidance = {entry.id: entry for entry in guidance}

    async def compose(self, question: str, hits: list[Hit], today: date) -> Answer:
        hit = hits[0]
        entry = self._guidance.get(hit.guidance_id or "")
        corpus = self._corpus.as_of(today)
        return self._render(corpus, entry, _basis(hit, entry), today, self._related(corpus, hits))

    def compose_guidance(self, entry_id: str, today: date) -> Answer | None:
        """A guidance entry with its first citation quoted, e.g. to explain the options."""
        entry = self._guidance.get(entry_id)
        corpus = self._corpus.as_of(today)
        if entry is None or corpus.unit_text(entry.citations[0]) is None:
            return None
        return self._render(corpus, entry, UnitId.parse(entry.citations[0]), today)

    def _related(self, corpus: Corpus, hits: list[Hit]) -> Related | None:
        """The second-best article when it scored close to the best one."""
        if len(hits) < 2 or hits[1].score < CLOSE_SECOND * hits[0].score:
            return None
        second = hits[1]
        entry = self._guidance.get(second.guidance_id or "")
        if entry is not None and entry.id == hits[0].guidance_id:
            return None
        basis = _basis(second, entry)
        title = entry.title if entry else second.title
        line = catalogue.RELATED.format(summary=title, basis=_cite(corpus, basis))
        return Related(line, basis)

    def _render(
        self,
        corpus: Corpus,
        entry: GuidanceEntry | None,
        basis: UnitId,
        today: date,
        related: Related | None = None,
    ) -> Answer:
        quoted = corpus.quotation(basis) or ""
        citations = [_citation(basis)]
        if related:
            citations.append(_citation(related.basis))
        if entry:
            # A document repealed by the day of the question is no longer cited.
            citations += [
                c
                for c in map(parse_citation, entry.citations)
                if c not in citations and corpus.documents[c.doc].status != REPEALED
            ]
        document = corpus.documents[basis.doc]
        direct = (
            entry.answer
            if entry and entry.answer
            else catalogue.NEAREST_RULE.format(
                article=basis.article, title=_title(corpus, basis), document=document.short_name
            )
        )
        warnings = _warnings(corpus, [basis.doc], today)
        next_step = entry.next_step if entry and entry.next_step else catalogue.NEXT_STEP
        basis_name = _cite(corpus, basis)
        quote_block = catalogue.LEGAL_BASIS.format(basis=basis_name, quote=quoted)
        more = [entry.body] if entry and entry.body else []
        related_line = related.line if related else ""
        if related and related.basis.doc != basis.doc:
            related_line = _joined([related_line, *_warnings(corpus, [related.basis.doc], today)])
        first = _joined([direct, quote_block, *warnings, related_line, next_step])
        if len(first) > FIRST_MESSAGE_CHARS and related_line:
            first = _joined([direct, quote_block, *warnings, next_step])
            more.insert(0, related_line)
        if len(first) > FIRST_MESSAGE_CHARS:
            # The quote is kept whole: it moves behind «Xem thêm», its citation stays in front.
            basis_only = catalogue.BASIS_ONLY.format(basis=basis_name)
            first = _joined([direct, basis_only, *warnings, next_step])
            more.insert(0, quote_block)
        articles = dict.fromkeys(
            (c.doc, c.article)
            for c in citations
            if (c.doc, c.article) != (basis.doc, basis.article)
        )
        if articles:
            names = "; ".join(
                catalogue.ARTICLE_SHORT.format(article=n, document=corpus.documents[d].short_name)
                for d, n in articles
            )
            more.append(catalogue.SEE_ALSO.format(units=names))
        shown = {basis.doc, related.basis.doc if related else basis.doc}
        more += _warnings(corpus, [c.doc for c in citations if c.doc not in shown], today)
        more.append(catalogue.DISCLAIMER)
        return Answer(first, tuple(citations), _joined(more))


def _warnings(corpus: Corpus, documents: list[str], today: date) -> list[str]:
    """One validity warning per cited document that needs one."""
    return [
        warning
        for doc in dict.fromkeys(documents)
        if (warning := validity_warning(corpus.documents[doc], today))
    ]


def _cite(corpus: Corpus, unit: UnitId) -> str:
    point = catalogue.CITE_POINT.format(point=unit.point) if unit.point else ""
    return point + cite(_citation(unit), corpus.documents[unit.doc])


def _title(corpus: Corpus, unit: UnitId) -> str:
    article = corpus.article(unit.doc, unit.article)
    return article.title if article else ""


@dataclass(frozen=True)
class Related:
    """The one line on a close second article, and the unit it cites."""

    line: str
    basis: UnitId


FIRST_MESSAGE_CHARS = 600
"""A law answer's first message fits one phone screen; the rest goes behind «Xem thêm»."""
CLOSE_SECOND = 0.9
"""The second article is mentioned when its score is at least this share of the best one's."""


def _basis(hit: Hit, entry: GuidanceEntry | None) -> UnitId:
    """The unit that carries the answer: the entry's first citation in the hit's article (a
    point or a clause), else the hit's best clause."""
    if entry:
        for uid in map(UnitId.parse, entry.citations):
            if (uid.doc, uid.article) == (hit.doc, hit.article):
                return uid
    return UnitId(hit.doc, hit.article, hit.clause)


def _citation(unit: UnitId) -> Citation:
    return Citation(unit.doc, unit.article, unit.clause)


def _joined(parts: list[str]) -> str:
    return "\n\n".join(part for part in parts if part)
