"""Optional answer composition by a language model, allowed to use the retrieved passages only.

Every citation in the model's answer is checked against the retrieved units; an answer that cites
anything else, cites nothing, or fails in any way falls back to the extractive answer.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import date

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from bot.core import catalogue
from bot.core.compose import Answer, ExtractiveComposer, cite, parse_citation, validity_warning
from knowledge_base.legal import Document
from knowledge_base.search import Hit

log = logging.getLogger(__name__)

_CITED = re.compile(r"\[([^\[\]#]+#d\d+(?:\.k\d+)?(?:\.[a-zđ])?)\]")
_ARTICLE_MENTION = re.compile(r"Điều\s+(\d+)")

PROMPT = ChatPromptTemplate.from_messages(
    [
        (
            "system",
            "Bạn là trợ lý thông tin về quyền lợi người tiêu dùng của một cơ quan nhà nước. "
            "Chỉ dùng các trích đoạn pháp luật được cung cấp, không dùng kiến thức khác. "
            "Trả lời bằng tiếng Việt có dấu, ngắn gọn, dễ hiểu, lịch sự. Sau mỗi ý pháp lý, ghi "
            "mã trích đoạn làm căn cứ trong ngoặc vuông, đúng như mã đã cho, ví dụ "
            "[19/2023/QH15#d26.k1]. Không nhắc đến điều luật nào không có trong trích đoạn. "
            "Nếu trích đoạn không trả lời được câu hỏi, hãy nói rằng bạn chưa chắc chắn.",
        ),
        ("human", "Câu hỏi của người dân: {question}\n\nTrích đoạn pháp luật:\n{passages}"),
    ]
)


class LlmComposer:
    def __init__(
        self,
        model: BaseChatModel,
        fallback: ExtractiveComposer,
        documents: dict[str, Document],
        timeout_s: float,
        passages: int = 3,
    ) -> None:
        self._chain = PROMPT | model | StrOutputParser()
        self._fallback = fallback
        self._documents = documents
        self._timeout_s = timeout_s
        self._passages = passages

    async def compose(self, question: str, hits: list[Hit], today: date) -> Answer:
        used = hits[: self._passages]
        passages = "\n\n".join(f"[{h.id}] {h.title}\n{h.point_text or h.text}" for h in used)
        try:
            async with asyncio.timeout(self._timeout_s):
                text = await self._chain.ainvoke({"question": question, "passages": passages})
        except Exception:
            log.warning("language model failed; using the extractive answer", exc_info=True)
            return await self._fallback.compose(question, hits, today)
        cited = verified_citations(text, used)
        if cited is None:
            log.warning("language model answer cited units it was not given; falling back")
            return await self._fallback.compose(question, hits, today)
        return self._render(text, cited, today)

    def _render(self, text: str, cited: list[str], today: date) -> Answer:
        citations = tuple(dict.fromkeys(parse_citation(uid) for uid in cited))
        for uid in cited:
            citation = parse_citation(uid)
            text = text.replace(f"[{uid}]", f"({cite(citation, self._documents[citation.doc])})")
        warnings = [
            warning
            for doc in dict.fromkeys(c.doc for c in citations)
            if (warning := validity_warning(self._documents[doc], today))
        ]
        return Answer("\n\n".join([text.strip(), *warnings, catalogue.NEXT_STEP]), citations)


def verified_citations(text: str, hits: list[Hit]) -> list[str] | None:
    """The unit IDs the answer cites, or None when it cites nothing, cites a unit it was not
    given, or names an article ("Điều 12") that is not among the passages."""
    allowed = {h.id for h in hits} | {h.article_id for h in hits}
    allowed |= {f"{h.id}.{h.point}" for h in hits if h.point}
    cited = _CITED.findall(text)
    if not cited or any(uid not in allowed for uid in cited):
        return None
    articles = {str(h.article) for h in hits}
    if any(number not in articles for number in _ARTICLE_MENTION.findall(text)):
        return None
    return cited
