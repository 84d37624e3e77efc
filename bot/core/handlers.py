"""Handlers: one per kind of request, each turning a turn into a reply."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.core import catalogue
from bot.core.catalogue import CASE_KINDS, CASE_STATUSES, CITIZEN_OUTCOMES, label
from bot.core.compose import Composer
from bot.core.handoff import Handoff
from bot.core.messages import Action, Intent, OutgoingMessage
from bot.core.turn import Turn
from knowledge_base.in_force import Searcher
from knowledge_base.search import Found
from knowledge_base.text import words


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
    BM25 score must reach its floor (calibrated on the development set and unrelated questions),
    and the ranker must be confident enough that the first article answers it."""

    similarity: float
    lexical: float
    confidence: float = 0.0

    def passed_by(self, found: Found) -> bool:
        matched = found.similarity >= self.similarity or found.lexical_score >= self.lexical
        confidence = found.hits[0].confidence if found.hits else None
        return matched and (confidence is None or confidence >= self.confidence)


@dataclass(frozen=True)
class AnswerFloors:
    """``alone``: the match a question needs when nothing else says it is about consumer law;
    ``on_topic``: the lower match it needs when NLU's best intent names a law topic (two
    witnesses agree)."""

    alone: MatchFloors
    on_topic: MatchFloors
    topic_intents: frozenset[str]

    def passed_by(self, found: Found, intent: Intent) -> bool:
        floors = self.on_topic if intent.name in self.topic_intents else self.alone
        return floors.passed_by(found)


class LawQuestion:
    """Retrieval, then an extractive answer citing the best article; unsure below the floor.
    A question naming another field (land, traffic, health…) is declined with a pointer unless
    it matches the law well on its own."""

    def __init__(
        self,
        searcher: Searcher,
        composer: Composer,
        floors: AnswerFloors,
        action: Action = Action.ANSWER,
        intro: str = "",
        today: Callable[[], date] = date.today,
    ) -> None:
        """``today``: the day the answer is given for (the law in force that day is quoted)."""
        self._searcher = searcher
        self._today = today
        self._composer = composer
        self._floors = floors
        self._action = action
        self._intro = intro

    async def __call__(self, turn: Turn) -> OutgoingMessage:
        found = await self.find(turn)
        strong = self._floors.alone.passed_by(found)
        if not strong and (outside := out_of_scope_pointer(turn.text.text)):
            return turn.say(outside, Action.OUT_OF_SCOPE)
        if not found.hits or not self._floors.passed_by(found, turn.intent):
            return turn.say(catalogue.NOT_SURE, Action.CLARIFY)
        return await self.answer(turn, found)

    async def find(self, turn: Turn) -> Found:
        return await asyncio.to_thread(self._searcher.find, turn.text.text, 3)

    def matches_alone(self, found: Found) -> bool:
        """Whether the question matches the law well enough whatever NLU said."""
        return bool(found.hits) and self._floors.alone.passed_by(found)

    async def answer(self, turn: Turn, found: Found) -> OutgoingMessage:
        answer = await self._composer.compose(turn.text.text, found.hits, self._today())
        turn.dialogue.more = answer.more
        return turn.say(
            self._intro + answer.text,
            self._action,
            citations=answer.citations,
            quick_replies=(catalogue.MORE,) if answer.more else (),
        )


_OTHER_FIELDS = {
    "land": ("dat dai", "sang ten so do", "so hong", "thua dat", "quyen su dung dat"),
    "traffic": ("phat nguoi", "giao thong", "vuot den do", "bang lai", "giay phep lai xe", "csgt"),
    "health": ("bi sot", "uong thuoc gi", "trieu chung", "di kham benh"),
    "tax": ("thue thu nhap", "quyet toan thue", "ma so thue", "nop thue"),
    "family": ("ly hon", "dang ky ket hon", "nuoi con", "cap duong", "thua ke"),
    "labour": ("tien luong", "luong toi thieu", "bao hiem xa hoi", "hop dong lao dong", "sa thai"),
}


def out_of_scope_pointer(text: str) -> str:
    """A polite refusal naming the body that handles the question's field (land, traffic,
    health…); empty when the question names no such field."""
    folded = f" {' '.join(words(text))} "
    for field, phrases in _OTHER_FIELDS.items():
        if any(f" {phrase} " in folded for phrase in phrases):
            pointer = catalogue.OUT_OF_SCOPE_POINTERS[field]
            return catalogue.OUT_OF_SCOPE_WITH_POINTER.format(pointer=pointer)
    return ""


class OutOfScope:
    """A question NLU finds outside consumer law: declined politely, with the right body when
    known; answered as a law question when it names no other field and matches the law well
    on its own (NLU learnt from far fewer examples than retrieval indexes)."""

    def __init__(self, law: LawQuestion) -> None:
        self._law = law

    async def __call__(self, turn: Turn) -> OutgoingMessage:
        if outside := out_of_scope_pointer(turn.text.text):
            return turn.say(outside, Action.OUT_OF_SCOPE)
        found = await self._law.find(turn)
        if self._law.matches_alone(found):
            return await self._law.answer(turn, found)
        return turn.say(catalogue.OUT_OF_SCOPE, Action.OUT_OF_SCOPE)


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
    """Tell the citizen where their cases stand, with the real outcome of a closed one: only
    the cases of their own conversation (another one's number gets a polite why-not)."""

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
                status=CITIZEN_OUTCOMES.get(c.outcome or "") or label(CASE_STATUSES, c.status),
            )
            for c in cases
        ]
        return turn.say("\n".join(lines), Action.ANSWER)
