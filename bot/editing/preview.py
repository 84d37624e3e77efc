"""What a citizen would see: a guidance entry's answer on each platform (as the connectors split
it, with its length), and the bot's answer to a question on a chosen day."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.core import catalogue
from bot.core.compose import Answer, ExtractiveComposer
from bot.core.handlers import MatchFloors
from connectors.telegram import TelegramConnector
from connectors.text import split_text
from connectors.webchat import WebChatConnector
from connectors.zalo import ZaloConnector
from knowledge_base.guidance import GuidanceEntry
from knowledge_base.in_force import InForceSearcher
from knowledge_base.service import KnowledgeBase

ANSWER_HITS = 3
"""As many hits as a conversation's law answer looks at."""
PHONE_SCREEN_CHARS = 600
"""About one phone screen: the first message should fit it (design brief)."""
PLATFORMS = (
    ("Telegram", TelegramConnector.max_text_chars),
    ("Zalo", ZaloConnector.max_text_chars),
    ("Web chat", WebChatConnector.max_text_chars),
)


@dataclass(frozen=True)
class PlatformView:
    name: str
    limit: int
    messages: tuple[str, ...]


@dataclass(frozen=True)
class Preview:
    answer: Answer | None
    platforms: tuple[PlatformView, ...] = ()

    @property
    def length(self) -> int:
        return len(self.answer.text) if self.answer else 0

    @property
    def too_long(self) -> bool:
        return self.length > PHONE_SCREEN_CHARS


def on_platforms(answer: Answer) -> tuple[PlatformView, ...]:
    return tuple(
        PlatformView(name, limit, tuple(split_text(answer.text, limit)))
        for name, limit in PLATFORMS
    )


def entry_preview(kb: KnowledgeBase, entry: GuidanceEntry, today: date) -> Preview:
    """The entry's answer as the bot gives it (its first citation quoted), on each platform;
    no answer when its first citation is not a unit of the law."""
    guidance = [e for e in kb.guidance if e.id != entry.id] + [entry]
    answer = ExtractiveComposer(kb.corpus, guidance).compose_guidance(entry.id, today)
    return Preview(answer, on_platforms(answer) if answer else ())


async def answer_on(kb: KnowledgeBase, floors: MatchFloors, question: str, day: date) -> Preview:
    """The law answer the bot gives to ``question`` on ``day`` (retrieval and composition as in
    a conversation; the intent is not recognised here)."""
    found = InForceSearcher(kb.searcher, kb.corpus, lambda: day).find(question, ANSWER_HITS)
    if not found.hits or not floors.passed_by(found):
        return Preview(Answer(catalogue.NOT_SURE, ()), ())
    answer = await ExtractiveComposer(kb.corpus, kb.guidance).compose(question, found.hits, day)
    return Preview(answer, on_platforms(answer))
