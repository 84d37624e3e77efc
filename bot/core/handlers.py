"""Handlers: one per kind of request, each turning a turn into a reply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from bot.core import replies
from bot.core.compose import Composer
from bot.core.handoff import Handoff
from bot.core.messages import (
    Action,
    ConversationSnapshot,
    Entity,
    IncomingMessage,
    Intent,
    OutgoingMessage,
)
from bot.core.normalise import NormalisedText
from bot.storage.conversations import ConversationStore
from knowledge_base.search import Hit, HybridSearcher


@dataclass(frozen=True)
class Turn:
    """One citizen message as the handlers see it. Handlers may change ``dialogue`` (what the
    bot is in the middle of); the pipeline stores it after the turn."""

    message: IncomingMessage
    text: NormalisedText
    intent: Intent
    conversation: ConversationSnapshot
    dialogue: dict[str, object]
    entities: tuple[Entity, ...] = ()

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


class HumanRequest:
    """Hand the conversation to staff: a case number and the expected wait."""

    def __init__(self, handoff: Handoff, reason: str = "citizen_request") -> None:
        self._handoff = handoff
        self._reason = reason

    async def __call__(self, turn: Turn) -> OutgoingMessage:
        turn.dialogue.clear()
        number, wait = await self._handoff.hand_over(turn.conversation.id, self._reason)
        return turn.reply(
            f"Tôi đã chuyển bạn đến cán bộ tư vấn. Mã hồ sơ của bạn: {number}. {wait} Trong lúc "
            "chờ, bạn có thể mô tả ngắn gọn sự việc để cán bộ nắm trước.",
            Action.HANDOFF,
        )


class CaseStatus:
    """Tell the citizen where their case stands; only cases of their own conversation."""

    def __init__(self, store: ConversationStore) -> None:
        self._store = store

    async def __call__(self, turn: Turn) -> OutgoingMessage:
        number = next((e.value for e in turn.entities if e.entity == "case_number"), None)
        if number:
            case = await self._store.find_case(number, turn.conversation.id)
            if case is None:
                text = replies.CASE_NOT_FOUND.format(number=number)
                return turn.reply(text, Action.ANSWER)
            cases = [case]
        else:
            cases = await self._store.cases(turn.conversation.id)
        if not cases:
            return turn.reply(replies.NO_CASES, Action.ANSWER)
        lines = [
            f"Hồ sơ {c.number} ({_KINDS.get(c.kind, c.kind)}, tạo ngày {c.created_at:%d/%m/%Y}): "
            f"{_STATUSES.get(c.status, c.status)}."
            for c in cases
        ]
        return turn.reply("\n".join(lines), Action.ANSWER)


_KINDS = {"complaint": "khiếu nại", "handoff": "yêu cầu gặp cán bộ"}
_STATUSES = {
    "open": "đang chờ cán bộ xử lý",
    "in_progress": "cán bộ đang xử lý",
    "resolved": "đã giải quyết xong",
    "closed": "đã đóng",
}
