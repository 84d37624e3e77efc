"""Answer composition: the best legal unit, quoted and cited, then the next step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core import replies
from bot.core.messages import Citation
from knowledge_base.legal import Document
from knowledge_base.search import Hit

_MAX_QUOTE_CHARS = 700


@dataclass(frozen=True)
class Answer:
    text: str
    citations: tuple[Citation, ...]


def cite(hit: Hit, document: Document) -> str:
    """ "khoản 1 Điều 26 Luật Bảo vệ quyền lợi người tiêu dùng 2023"."""
    clause = f"khoản {hit.clause} " if hit.clause else ""
    return f"{clause}Điều {hit.article} {document.short_name}"


def validity_warning(document: Document, today: date) -> str:
    """A sentence warning that the cited text is outdated or not yet in force; empty otherwise."""
    if document.status == "amended":
        return (
            "Lưu ý: văn bản này đã được sửa đổi, bổ sung; nội dung trích dẫn có thể chưa phản ánh "
            "quy định mới nhất."
        )
    if document.status != "in_force":
        return "Lưu ý: văn bản này không còn hiệu lực; bạn nên kiểm tra quy định thay thế."
    if document.effective > today:
        return f"Lưu ý: văn bản này có hiệu lực từ ngày {document.effective:%d/%m/%Y}."
    return ""


def quote(text: str) -> str:
    if len(text) <= _MAX_QUOTE_CHARS:
        return text
    return text[:_MAX_QUOTE_CHARS].rsplit(" ", 1)[0] + " …"


class ExtractiveComposer:
    """Builds the answer from the retrieved text only, so it never states law it did not find."""

    def __init__(self, documents: dict[str, Document]) -> None:
        self._documents = documents

    def compose(self, hit: Hit, today: date) -> Answer:
        document = self._documents[hit.doc]
        parts = [f"Theo {cite(hit, document)}:\n«{quote(hit.text)}»"]
        if warning := validity_warning(document, today):
            parts.append(warning)
        parts.append(replies.NEXT_STEP)
        return Answer("\n\n".join(parts), (Citation(hit.doc, hit.article, hit.clause),))
