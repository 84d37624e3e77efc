"""Handlers: one per kind of request, each turning a turn into a reply."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date

from bot.core import catalogue
from bot.core.catalogue import CASE_KINDS, CASE_STATUSES, label
from bot.core.compose import Composer
from bot.core.handoff import Handoff
from bot.core.messages import Action, OutgoingMessage
from bot.core.ports import Searcher
from bot.core.turn import Turn
from knowledge_base.search import Hit


class FixedReply:
    """A short fixed answer (greetings, identity, out of scope, human request)."""

    def __init__(self, text: str, action: Action) -> None:
        self._text = text
        self._action = action

    async def __call__(self, turn: Turn) -> OutgoingMessage:
        return turn.say(self._text, self._action)


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
        searcher: Searcher,
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
            return turn.say(catalogue.NOT_SURE, Action.CLARIFY)
        answer = await self._composer.compose(turn.text.text, hits, date.today())
        return turn.say(self._intro + answer.text, self._action, citations=answer.citations)


class HumanRequest:
    """Hand the conversation to staff: a case number and the expected wait."""

    def __init__(self, handoff: Handoff, reason: str = "citizen_request") -> None:
        self._handoff = handoff
        self._reason = reason

    async def __call__(self, turn: Turn) -> OutgoingMessage:
        turn.dialogue.clear()
        number, wait = await self._handoff.hand_over(turn.record, self._reason)
        return turn.say(catalogue.HANDED_OVER.format(number=number, wait=wait), Action.HANDOFF)


class CaseStatus:
    """Tell the citizen where their cases stand: only the cases of their own conversation."""

    async def __call__(self, turn: Turn) -> OutgoingMessage:
        cases = await turn.record.cases()
        number = next((e.value for e in turn.entities if e.entity == "case_number"), None)
        if number:
            cases = [c for c in cases if c.number == number]
            if not cases:
                return turn.say(catalogue.CASE_NOT_FOUND.format(number=number), Action.ANSWER)
        if not cases:
            return turn.say(catalogue.NO_CASES, Action.ANSWER)
        lines = [
            catalogue.CASE_LINE.format(
                number=c.number,
                kind=label(CASE_KINDS, c.kind),
                created=c.created_at,
                status=label(CASE_STATUSES, c.status),
            )
            for c in cases
        ]
        return turn.say("\n".join(lines), Action.ANSWER)
