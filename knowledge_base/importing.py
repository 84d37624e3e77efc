"""Bring a legal text in as the official portals publish it: plain text (the corpus layout, or a
bare text), Word (.docx), HTML as saved from vbpl.vn or chinhphu.vn, and PDF with a text layer.

The file becomes lines (python-docx, BeautifulSoup, pypdf); the structure (Chương / Mục / Điều /
khoản / điểm) and the metadata the text states (number, title, issuer, dates) are found; what
looks wrong is reported: a missing or repeated article number, a clause or point out of order, a
page header repeated inside the text, a page number inside a clause. The result is the text in
the corpus layout, which ``knowledge_base.legal`` parses like the shared corpus.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import PurePath

import yaml

from knowledge_base.legal import Article, Document, parse_articles

FORMATS = (".txt", ".docx", ".html", ".htm", ".pdf")
METADATA_KEYS = (
    "doc",
    "kind",
    "title",
    "issuer",
    "issued",
    "effective",
    "status",
    "guides",
    "replaces",
    "repeals",
    "source_url",
    "note",
)
REQUIRED_METADATA = ("doc", "title", "effective")
STATUSES = ("in_force", "amended", "repealed")
# The head of a text states its number, issuer and date; the rest is the law itself.
HEAD_LINES = 40
POINT_LETTERS = "abcdđeghiklmnopqrstuvxy"

_CHAPTER = re.compile(r"^(Chương\s+[IVXLC]+)\b\s*[.:\-–]?\s*(.*)$")
_SECTION = re.compile(r"^(Mục\s+\d+)\b\s*[.:\-–]?\s*(.*)$")
_ARTICLE = re.compile(r"^Điều\s+(\d+)\s*[.:]\s*(.*)$")
_CLAUSE = re.compile(r"^(\d+)\.\s+")
_POINT = re.compile(r"^([a-zđ])\)\s+")
_PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*\d{1,4}\s*[-–—]|\d{1,4}|(?:Trang|Page)\s+\d{1,4}(?:\s*/\s*\d{1,4})?|\d{1,4}\s*/\s*\d{1,4})$",
    re.IGNORECASE,
)
_PAGE_HEADERS = (
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "CỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "ĐỘC LẬP - TỰ DO - HẠNH PHÚC",
    "ĐỘC LẬP – TỰ DO – HẠNH PHÚC",
)
_NUMBER = re.compile(r"\bsố\s*:?\s*(\d{1,4}/\d{4}/[A-ZĐ0-9][A-ZĐ0-9\-]*[A-ZĐ0-9])", re.IGNORECASE)
_VI_DATE = r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})"
_SHORT_DATE = r"(\d{1,2})/(\d{1,2})/(\d{4})"
_ISSUED = re.compile(_VI_DATE, re.IGNORECASE)
_ISSUED_SHORT = re.compile(rf"ban hành ngày\s+{_SHORT_DATE}", re.IGNORECASE)
_EFFECTIVE = re.compile(
    rf"hiệu lực(?:\s+thi hành)?(?:\s+kể)?\s+từ(?:\s+ngày)?\s+(?:{_VI_DATE}|{_SHORT_DATE})",
    re.IGNORECASE,
)
_KINDS = {
    "LUẬT": "Luật",
    "NGHỊ ĐỊNH": "Nghị định",
    "THÔNG TƯ": "Thông tư",
    "NGHỊ QUYẾT": "Nghị quyết",
    "QUYẾT ĐỊNH": "Quyết định",
    "PHÁP LỆNH": "Pháp lệnh",
}
_KIND_BY_SUFFIX = (
    ("QH", "Luật"),
    ("NĐ-CP", "Nghị định"),
    ("TT-", "Thông tư"),
    ("QĐ-", "Quyết định"),
)
_ISSUERS = {
    "QUỐC HỘI": "Quốc hội",
    "CHÍNH PHỦ": "Chính phủ",
    "ỦY BAN THƯỜNG VỤ QUỐC HỘI": "Ủy ban Thường vụ Quốc hội",
    "THỦ TƯỚNG CHÍNH PHỦ": "Thủ tướng Chính phủ",
    "BỘ CÔNG THƯƠNG": "Bộ Công Thương",
}
_DOC_NUMBER = re.compile(r"^\d{1,4}/\d{4}/[A-ZĐ0-9][A-ZĐ0-9\-]*$")
UNTITLED = "—"
_HTML_BLOCKS = ("p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "table")
_HTML_CONTENT_IDS = ("toanvancontent", "divContentDoc", "content1", "fulltext")


class UnreadableFile(Exception):
    """A file that cannot be read at all (a format we do not read, not UTF-8, damaged, a PDF
    without a text layer); ``code`` names why, ``detail`` is the library's own message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class Problem:
    """Something the editor should look at, named by ``code`` (the catalogue words it) with its
    place (article, clause) and values; ``blocking`` problems keep the text from being published
    until they are corrected."""

    code: str
    article: int | None = None
    clause: int | None = None
    values: tuple[tuple[str, str], ...] = ()
    blocking: bool = False


@dataclass
class ParsedImport:
    """A text as found in a file: metadata, the body in the corpus layout, the articles and
    what looks wrong."""

    metadata: dict[str, str]
    body: str
    articles: list[Article] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def blocking(self) -> list[Problem]:
        return [p for p in self.problems if p.blocking]


def corpus_text(metadata: dict[str, str], body: str) -> str:
    """The text in the corpus layout: a front-matter block, then the body."""
    meta = {k: metadata[k] for k in METADATA_KEYS if metadata.get(k)}
    front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{front}---\n{body}"


def import_file(name: str, data: bytes) -> ParsedImport:
    """Read a file of one of the FORMATS; raises UnreadableFile when it cannot be read at all."""
    suffix = PurePath(name.lower()).suffix
    if suffix not in FORMATS:
        raise UnreadableFile("unsupported_format", suffix or name)
    given: dict[str, str] = {}
    if suffix == ".txt":
        given, lines = _text_lines(data)
    elif suffix == ".docx":
        lines = _docx_lines(data)
    elif suffix == ".pdf":
        lines = _join_wrapped(_pdf_lines(data))
    else:
        lines = _html_lines(data)
    return parse_lines(lines, given)


def parse_lines(raw_lines: Iterable[str], given: dict[str, str] | None = None) -> ParsedImport:
    """Structure, metadata and problems of a text given as lines (``given``: metadata the file
    states in a front-matter block, which wins over what is found in the text)."""
    lines = [line for line in map(_clean, raw_lines) if line]
    metadata = found_metadata(lines) | {k: v for k, v in (given or {}).items() if v}
    metadata.setdefault("status", "in_force")
    return parse_body(metadata, "\n\n".join(lines) + "\n")


def parse_body(metadata: dict[str, str], text: str) -> ParsedImport:
    """The articles and problems of a body with the given metadata (after an editor corrected
    the metadata, the stored body is parsed again through here)."""
    problems: list[Problem] = []
    lines = [line for line in map(_clean, text.splitlines()) if line]
    body = "\n\n".join(_canonical(lines, problems)) + "\n"
    articles = list(parse_articles(placeholder_document(metadata), body))
    problems += metadata_problems(metadata) + structure_problems(articles)
    return ParsedImport(metadata, body, articles, problems)


def placeholder_document(metadata: dict[str, str]) -> Document:
    """A Document from metadata that may still be incomplete (for the preview)."""
    return Document(
        doc=metadata.get("doc", "") or "?",
        kind=metadata.get("kind", ""),
        title=metadata.get("title", ""),
        issuer=metadata.get("issuer", ""),
        issued=_iso(metadata.get("issued", "")),
        effective=_iso(metadata.get("effective", "")) or date.min,
        status=metadata.get("status", "in_force"),
        guides=metadata.get("guides", ""),
        replaces=metadata.get("replaces", ""),
        repeals=metadata.get("repeals", ""),
        source_url=metadata.get("source_url", ""),
        note=metadata.get("note", ""),
    )


def metadata_problems(metadata: dict[str, str]) -> list[Problem]:
    problems = [
        Problem("metadata_missing", values=(("field", key),), blocking=True)
        for key in REQUIRED_METADATA
        if not metadata.get(key)
    ]
    problems += [
        Problem("metadata_bad_date", values=(("field", key),), blocking=True)
        for key in ("issued", "effective")
        if metadata.get(key) and _iso(metadata[key]) is None
    ]
    if metadata.get("doc") and not _DOC_NUMBER.match(metadata["doc"]):
        problems.append(Problem("metadata_bad_number", values=(("doc", metadata["doc"]),)))
    if metadata.get("status", "in_force") not in STATUSES:
        problems.append(Problem("metadata_bad_status", blocking=True))
    return problems


def structure_problems(articles: list[Article]) -> list[Problem]:
    """Article numbers missing, repeated or out of order; clauses and points out of order."""
    if not articles:
        return [Problem("no_articles", blocking=True)]
    problems: list[Problem] = []
    seen: set[int] = set()
    previous = 0
    for article in articles:
        number = article.number
        if number in seen:
            problems.append(Problem("article_repeated", number, blocking=True))
        elif number < previous:
            problems.append(
                Problem("article_out_of_order", number, values=(("after", str(previous)),))
            )
        elif number > previous + 1:
            missing = ", ".join(str(n) for n in range(previous + 1, number))
            problems.append(Problem("article_missing", number, values=(("missing", missing),)))
        seen.add(number)
        previous = max(previous, number)
    for article in articles:
        clauses = [c.number for c in article.clauses]
        if clauses and clauses != list(range(1, len(clauses) + 1)):
            order = ", ".join(map(str, clauses))
            problems.append(
                Problem("clauses_out_of_order", article.number, values=(("order", order),))
            )
        for clause in article.clauses:
            letters = [p.letter for p in clause.points]
            if letters and letters != list(POINT_LETTERS[: len(letters)]):
                problems.append(
                    Problem(
                        "points_out_of_order",
                        article.number,
                        clause.number,
                        (("order", ", ".join(letters)),),
                    )
                )
    return problems


def found_metadata(lines: list[str]) -> dict[str, str]:
    """What the text itself says about the document: number, kind, title, issuer, dates."""
    first_article = next((i for i, line in enumerate(lines) if _ARTICLE.match(line)), len(lines))
    head = lines[: min(HEAD_LINES, first_article)]
    head_text = "\n".join(head)
    found: dict[str, str] = {}
    if number := _NUMBER.search(head_text):
        found["doc"] = number[1].upper()
    for line in head:
        if line.upper() in _ISSUERS and "issuer" not in found:
            found["issuer"] = _ISSUERS[line.upper()]
    kind_line = next((i for i, line in enumerate(head) if _kind_of(line)), None)
    if kind_line is not None:
        kind, rest = _kind_of(head[kind_line]) or ("", "")
        found["kind"] = kind
        subject = _sentence_case(rest) if rest else _title_after(head, kind_line + 1)
        if subject:
            if kind == "Luật":
                subject = subject[:1].upper() + subject[1:]
            found["title"] = f"{kind} {subject}"
    elif found.get("doc"):
        suffix = found["doc"].split("/")[-1]
        kind = next((k for prefix, k in _KIND_BY_SUFFIX if suffix.startswith(prefix)), "")
        if kind:
            found["kind"] = kind
    if issued := _ISSUED.search(head_text) or _ISSUED_SHORT.search(head_text):
        found["issued"] = _date_of(issued.groups())
    whole = "\n".join(lines)
    if effective := _EFFECTIVE.search(whole):
        groups = effective.groups()
        found["effective"] = _date_of(groups[:3] if groups[0] else groups[3:])
    return {k: v for k, v in found.items() if v}


def _kind_of(line: str) -> tuple[str, str] | None:
    """("Luật", "BẢO VỆ …") for a title line "LUẬT BẢO VỆ …" (or a bare "LUẬT"); None otherwise."""
    if not line.isupper():
        return None
    for word, kind in _KINDS.items():
        if line == word or line.startswith(word + " "):
            return kind, line[len(word) :].strip()
    return None


def _title_after(head: list[str], start: int) -> str:
    """The subject on the lines after a bare kind line ("LUẬT" / "BẢO VỆ QUYỀN LỢI …")."""
    parts: list[str] = []
    for line in head[start : start + 3]:
        if _ARTICLE.match(line) or _CHAPTER.match(line) or line.startswith("Căn cứ"):
            break
        parts.append(line)
        if not line.isupper():
            break
    return _sentence_case(" ".join(parts))


def _sentence_case(text: str) -> str:
    text = text.strip()
    if text.isupper():
        text = text.lower()
    return text[:1].lower() + text[1:]


def _date_of(groups: tuple[str | None, ...]) -> str:
    day, month, year = (int(g or 0) for g in groups)
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


def _iso(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _clean(line: str) -> str:
    """NFC, no control characters, single spaces."""
    line = unicodedata.normalize("NFC", line)
    line = "".join(ch if ch.isprintable() else " " for ch in line)
    return " ".join(line.split())


def _canonical(lines: list[str], problems: list[Problem]) -> list[str]:
    """The lines in the corpus layout: "Chương I" and its title on two lines, "Mục 1" likewise,
    "Điều 1. Title"; page numbers and page headers repeated inside the law are dropped, each
    with a problem saying where it was."""
    out: list[str] = []
    article: int | None = None
    clause: int | None = None
    pending_heading: str | None = None
    for line in lines:
        if pending_heading is not None:
            untitled = bool(_ARTICLE.match(line) or _CHAPTER.match(line) or _SECTION.match(line))
            out.extend([pending_heading, UNTITLED if untitled else line])
            if untitled:
                problems.append(Problem("heading_untitled", values=(("heading", pending_heading),)))
            pending_heading = None
            if not untitled:
                continue
        if article is not None and _PAGE_NUMBER.match(line):
            problems.append(Problem("page_number", article, clause, (("line", line),)))
            continue
        if article is not None and line.upper() in _PAGE_HEADERS:
            problems.append(Problem("page_header", article, clause, (("line", line),)))
            continue
        if heading := _CHAPTER.match(line) or _SECTION.match(line):
            if heading[2]:
                out.extend([heading[1], heading[2]])
            else:
                pending_heading = heading[1]
            continue
        if found := _ARTICLE.match(line):
            article, clause = int(found[1]), None
            out.append(f"Điều {found[1]}. {found[2]}".rstrip())
            continue
        if article is not None and (found := _CLAUSE.match(line)):
            clause = int(found[1])
        out.append(line)
    if pending_heading is not None:
        out.extend([pending_heading, UNTITLED])
    return out


def _text_lines(data: bytes) -> tuple[dict[str, str], list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile("not_utf8") from error
    given: dict[str, str] = {}
    if text.startswith("---\n") and (end := text.find("\n---\n", 4)) > 0:
        try:
            meta = yaml.safe_load(text[4:end])
        except yaml.YAMLError as error:
            raise UnreadableFile("bad_front_matter", str(error)) from error
        if isinstance(meta, dict):
            given = {str(k): str(v) for k, v in meta.items() if k in METADATA_KEYS and v}
        text = text[end + 5 :]
    return given, text.splitlines()


def _docx_lines(data: bytes) -> list[str]:
    from docx import Document as WordDocument
    from docx.table import Table

    try:
        word = WordDocument(io.BytesIO(data))
    except Exception as error:  # python-docx raises several kinds for a damaged package
        raise UnreadableFile("unreadable_docx", str(error)) from error
    lines: list[str] = []
    for block in word.iter_inner_content():
        if isinstance(block, Table):
            for row in block.rows:
                for cell in row.cells:
                    lines.extend(p.text for p in cell.paragraphs)
        else:
            lines.extend(block.text.split("\n"))
    return lines


def _html_lines(data: bytes) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(data, "html.parser")
    for tag in soup(["script", "style", "head", "nav", "header", "footer", "form"]):
        tag.decompose()
    root = next(
        (
            found
            for key in _HTML_CONTENT_IDS
            if (found := soup.find(id=key) or soup.find(class_=key))
        ),
        soup.body or soup,
    )
    for tag in root.find_all(_HTML_BLOCKS):
        tag.insert_after("\n")
    return root.get_text().splitlines()


def _pdf_lines(data: bytes) -> list[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        # Layout mode places glyphs by position: Vietnamese letters with their marks stay whole.
        pages = [page.extract_text(extraction_mode="layout") or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError) as error:
        raise UnreadableFile("unreadable_pdf", str(error)) from error
    if not any(page.strip() for page in pages):
        raise UnreadableFile("pdf_without_text")
    return [line for page in pages for line in page.splitlines()]


def _join_wrapped(lines: list[str]) -> list[str]:
    """PDF text breaks lines where the page did: a line continues the previous one unless it
    starts a heading, an article, a clause or a point, or the previous one ended a sentence."""
    joined: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        starts_unit = any(
            p.match(line) for p in (_CHAPTER, _SECTION, _ARTICLE, _CLAUSE, _POINT, _PAGE_NUMBER)
        )
        previous = joined[-1] if joined else ""
        continues = (
            previous
            and not starts_unit
            and not previous.endswith((".", ":", ";", "…", "!", "?"))
            and not previous.isupper()
            and not _CHAPTER.match(previous)
            and not _SECTION.match(previous)
            and not _PAGE_NUMBER.match(previous)
        )
        if continues:
            joined[-1] = f"{previous} {line}"
        else:
            joined.append(line)
    return joined
