"""Parse the legal texts into documents, articles (Điều), clauses (khoản) and points (điểm).

Unit IDs are stable and citable: ``19/2023/QH15#d26`` (article), ``19/2023/QH15#d26.k1`` (clause),
``19/2023/QH15#d26.k1.a`` (point).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from knowledge_base.units import UnitId

if TYPE_CHECKING:
    from knowledge_base.timeline import Timeline

_CHAPTER = re.compile(r"^Chương\s+[IVXLC]+\b")
_SECTION = re.compile(r"^Mục\s+\d+\b")
_ARTICLE = re.compile(r"^Điều\s+(\d+)\.\s*(.*)$")
_CLAUSE = re.compile(r"^(\d+)\.\s+")
_POINT = re.compile(r"^([a-zđ])\)\s+")
_REQUIRED_KEYS = ("doc", "title", "effective", "status")


class CorpusError(Exception):
    """A corpus file that cannot be read or parsed; names the file."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"{path.name}: {reason}")
        self.path = path
        self.reason = reason


@dataclass(frozen=True)
class Document:
    """One legal document and its validity."""

    doc: str
    kind: str
    title: str
    issuer: str
    issued: date | None
    effective: date
    status: str
    guides: str = ""
    replaces: str = ""
    repeals: str = ""
    source_url: str = ""
    note: str = ""
    next_effective: date | None = None
    """A newer text of this document, published but not yet in force, applies from this day."""
    amended_by: str = ""
    """The document that amended this one, when the text here predates that amendment."""
    amended_on: date | None = None

    def in_force_on(self, day: date) -> bool:
        return self.status == "in_force" and self.effective <= day

    @property
    def short_name(self) -> str:
        """How a citizen-facing answer names the document, e.g. "Luật ... 2023"."""
        if self.kind == "Luật":
            year = self.doc.split("/")[1]
            return f"{self.title} {year}"
        return f"{self.kind} {self.doc}"


@dataclass(frozen=True)
class Point:
    letter: str
    text: str


@dataclass(frozen=True)
class Clause:
    number: int
    text: str
    points: tuple[Point, ...] = ()

    @property
    def full_text(self) -> str:
        return "\n".join([self.text, *(p.text for p in self.points)])


@dataclass(frozen=True)
class Article:
    """An article (Điều) with its place in the document's structure."""

    document: Document
    number: int
    title: str
    headings: tuple[str, ...]
    intro: str
    clauses: tuple[Clause, ...]

    @property
    def id(self) -> str:
        return str(UnitId(self.document.doc, self.number))

    @property
    def full_text(self) -> str:
        parts = [self.intro] if self.intro else []
        parts.extend(c.full_text for c in self.clauses)
        return "\n".join(parts)


@dataclass
class Corpus:
    """Every document that parsed, and an error for every file that did not."""

    documents: dict[str, Document] = field(default_factory=dict)
    articles: list[Article] = field(default_factory=list)
    errors: list[CorpusError] = field(default_factory=list)
    timeline: Timeline | None = None
    """Every dated version of the documents and their events, when there is more than one
    version or an event; the documents and articles above are then the newest versions."""

    def as_of(self, day: date) -> Corpus:
        """The texts in force on ``day`` with their validity on that day (for an answer given
        that day); the corpus itself when it has no history."""
        return self.timeline.corpus_on(day) if self.timeline else self

    def unit_ids(self) -> set[str]:
        """Every citable ID: articles, clauses and points."""
        ids: set[str] = set()
        for article in self.articles:
            doc = article.document.doc
            ids.add(article.id)
            for clause in article.clauses:
                ids.add(str(UnitId(doc, article.number, clause.number)))
                ids.update(
                    str(UnitId(doc, article.number, clause.number, p.letter)) for p in clause.points
                )
        return ids

    def unit_text(self, uid: str | UnitId) -> str | None:
        """The text of an article, clause or point by its ID; None when there is no such unit."""
        try:
            unit = uid if isinstance(uid, UnitId) else UnitId.parse(uid)
        except ValueError:
            return None
        article = self.article(unit.doc, unit.article)
        if article is None or unit.clause is None:
            return article.full_text if article else None
        clause = next((c for c in article.clauses if c.number == unit.clause), None)
        if clause is None or unit.point is None:
            return clause.full_text if clause else None
        return next((p.text for p in clause.points if p.letter == unit.point), None)

    def quotation(self, uid: str | UnitId) -> str | None:
        """A unit's text as an answer quotes it: whole, and after the words that lead into it
        (the article's opening sentence for a clause, the clause's for a point), so that a list
        item is never quoted without what it is a list of."""
        unit = uid if isinstance(uid, UnitId) else UnitId.parse(uid)
        text = self.unit_text(unit)
        article = self.article(unit.doc, unit.article)
        if text is None or article is None or unit.clause is None:
            return text
        clause = next(c for c in article.clauses if c.number == unit.clause)
        if unit.point is not None and clause.points and clause.points[0].letter != unit.point:
            return f"{clause.text}\n…\n{text}"
        if unit.point is not None:
            return f"{clause.text}\n{text}"
        return f"{article.intro}\n{text}" if article.intro else text

    def article(self, doc: str, number: int) -> Article | None:
        return next(
            (a for a in self.articles if a.document.doc == doc and a.number == number), None
        )


def load_corpus(corpus_dir: Path) -> Corpus:
    """Parse every ``*.txt`` in ``corpus_dir``; a bad file is reported and the others still load."""
    corpus = Corpus()
    paths = sorted(corpus_dir.glob("*.txt"))
    if not paths:
        corpus.errors.append(CorpusError(corpus_dir, "no corpus files (*.txt) in this folder"))
    for path in paths:
        try:
            document, articles = parse_file(path)
        except CorpusError as error:
            corpus.errors.append(error)
            continue
        corpus.documents[document.doc] = document
        corpus.articles.extend(articles)
    return corpus


def parse_file(path: Path) -> tuple[Document, list[Article]]:
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CorpusError(path, f"cannot read the file ({error})") from error
    return parse_text(unicodedata.normalize("NFC", raw), path)


def parse_text(text: str, path: Path) -> tuple[Document, list[Article]]:
    front_matter, body = _split_front_matter(text, path)
    document = _document_from(front_matter, path)
    articles = list(parse_articles(document, body))
    if not articles:
        raise CorpusError(path, "no article (a line 'Điều <n>. <title>') found")
    return document, articles


def _split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    if not text.startswith("---\n"):
        raise CorpusError(path, "missing the '---' front-matter block at the top")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise CorpusError(path, "the front-matter block is not closed with '---'")
    try:
        meta = yaml.safe_load(text[4:end])
    except yaml.YAMLError as error:
        raise CorpusError(path, f"malformed front matter ({error})") from error
    if not isinstance(meta, dict):
        raise CorpusError(path, "front matter is not a mapping of keys to values")
    return meta, text[end + 5 :]


def _document_from(meta: dict, path: Path) -> Document:
    missing = [key for key in _REQUIRED_KEYS if not meta.get(key)]
    if missing:
        raise CorpusError(path, f"front matter lacks {', '.join(missing)}")
    try:
        effective = date.fromisoformat(str(meta["effective"]))
        issued = date.fromisoformat(str(meta["issued"])) if meta.get("issued") else None
    except ValueError as error:
        raise CorpusError(path, f"bad date in front matter ({error})") from error
    return Document(
        doc=str(meta["doc"]),
        kind=str(meta.get("kind", "")),
        title=str(meta["title"]),
        issuer=str(meta.get("issuer", "")),
        issued=issued,
        effective=effective,
        status=str(meta["status"]),
        guides=str(meta.get("guides", "")),
        replaces=str(meta.get("replaces", "")),
        repeals=str(meta.get("repeals", "")),
        source_url=str(meta.get("source_url", "")),
        note=str(meta.get("note", "")),
    )


def parse_articles(document: Document, body: str) -> Iterator[Article]:
    """Walk the body's non-blank lines; each line is a heading, an article title or a paragraph."""
    lines = [line.strip() for line in body.splitlines() if line.strip()]
    chapter = section = ""
    builder: _ArticleBuilder | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if _CHAPTER.match(line) or _SECTION.match(line):
            if builder:
                yield builder.build()
                builder = None
            title = lines[i + 1] if i + 1 < len(lines) else ""
            heading = f"{line} {title}".strip()
            if _CHAPTER.match(line):
                chapter, section = heading, ""
            else:
                section = heading
            i += 2
            continue
        if match := _ARTICLE.match(line):
            if builder:
                yield builder.build()
            headings = tuple(h for h in (chapter, section) if h)
            builder = _ArticleBuilder(document, int(match[1]), match[2].strip(), headings)
        elif builder:
            builder.add_paragraph(line)
        i += 1
    if builder:
        yield builder.build()


@dataclass
class _ArticleBuilder:
    document: Document
    number: int
    title: str
    headings: tuple[str, ...]
    intro: list[str] = field(default_factory=list)
    clauses: list[tuple[int, list[str], list[Point]]] = field(default_factory=list)

    def add_paragraph(self, line: str) -> None:
        if match := _CLAUSE.match(line):
            self.clauses.append((int(match[1]), [line], []))
        elif (match := _POINT.match(line)) and self.clauses:
            self.clauses[-1][2].append(Point(match[1], line))
        elif self.clauses:
            points = self.clauses[-1][2]
            if points:
                last = points[-1]
                points[-1] = Point(last.letter, f"{last.text}\n{line}")
            else:
                self.clauses[-1][1].append(line)
        else:
            self.intro.append(line)

    def build(self) -> Article:
        return Article(
            document=self.document,
            number=self.number,
            title=self.title,
            headings=(*self.headings, f"Điều {self.number}. {self.title}"),
            intro="\n".join(self.intro),
            clauses=tuple(
                Clause(number, "\n".join(text), tuple(points))
                for number, text, points in self.clauses
            ),
        )
