"""Handlers: one per kind of request, each turning a turn into a reply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.core import replies
from bot.core.compose import Composer
from bot.core.messages import Action, IncomingMessage, Intent, OutgoingMessage
from bot.core.normalise import NormalisedText
from knowledge_base.search import Hit, HybridSearcher


@dataclass(frozen=True)
class Turn:
    """One citizen message as the handlers see it."""

    message: IncomingMessage
    text: NormalisedText
    intent: Intent

    def reply(self, text: str, action: Action, **fields: object) -> OutgoingMessage:
        prefix = replies.TRUNCATED if self.text.truncated else ""
        return OutgoingMessage(
            chat_id=self.message.chat_id,
            text=prefix + text,
            action=action,
            intent=self.intent,
            **fields,  # type: ignore[arg-type]
        )


class Handler(Protocol):
    async def __call__(self, turn: Turn) -> OutgoingMessage: ...


class FixedReply:
    """A short fixed answer (greetings, identity, out of scope, human request)."""

    def __init__(self, text: str, action: Action) -> None:
        self._text = text
        self._action = action

    async def __call__(self, turn: Turn) -> OutgoingMessage:
        return turn.reply(self._text, self._action)


@dataclass(frozen=True)
class MatchFloors:
    """How well a question must match before the bot quotes law: the dense similarity or the
    BM25 score must reach its floor (calibrated on the development set and unrelated questions)."""

    similarity: float
    lexical: float

    def passed_by(self, hit: Hit) -> bool:
        return hit.similarity >= self.similarity or hit.lexical_score >= self.lexical


class LawQuestion:
    """Retrieval, then an extractive answer citing the best article; unsure below the floor."""

    def __init__(
        self,
        searcher: HybridSearcher,
        composer: Composer,
        floors: MatchFloors,
        action: Action = Action.ANSWER,
        intro: str = "",
    ) -> None:
        self._searcher = searcher
        self._composer = composer
        self._floors = floors
        self._action = action
        self._intro = intro

    async def __call__(self, turn: Turn) -> OutgoingMessage:
        hits = await asyncio.to_thread(self._searcher.search, turn.text.text, 3)
        if not hits or not self._floors.passed_by(hits[0]):
            return turn.reply(replies.NOT_SURE, Action.CLARIFY)
        answer = await self._composer.compose(turn.text.text, hits, date.today())
        return turn.reply(self._intro + answer.text, self._action, citations=answer.citations)
