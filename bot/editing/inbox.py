"""The unanswered-questions inbox: citizens' questions the bot asked to clarify, declined, answered
but was then asked for a person, or answered in a conversation rated low; grouped by similarity
(agglomerative clustering of their embeddings) with counts and example wording. The texts are
the stored ones (redacted when stored) and are redacted again before they are shown."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import numpy as np
from langchain_core.embeddings import Embeddings
from sklearn.cluster import AgglomerativeClustering
from sqlalchemy import select

from bot.core.messages import Action
from bot.core.safety import redact
from bot.storage.database import Database
from bot.storage.models import Case, InboxResolution, Message, utcnow

LOOKBACK = timedelta(days=90)
LOW_RATING = 2
"""A rating of 1 or 2 (out of 5) marks the conversation's answers for review."""
SAME_QUESTION = 0.3
"""Cosine similarity from which two questions count as the same question asked differently."""
EXAMPLES = 5
MIN_LETTERS = 3
_NONZERO = 1e-12


@dataclass(frozen=True)
class Unanswered:
    message_id: int
    text: str
    reason: str
    at: datetime


@dataclass
class Group:
    questions: list[Unanswered] = field(default_factory=list)

    @property
    def key(self) -> str:
        """Names the group in a form (its smallest message ID)."""
        return str(min(q.message_id for q in self.questions))

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def reasons(self) -> Counter[str]:
        return Counter(q.reason for q in self.questions)

    @property
    def examples(self) -> list[str]:
        return list(dict.fromkeys(q.text for q in self.questions))[:EXAMPLES]

    @property
    def last_at(self) -> datetime:
        return max(q.at for q in self.questions)


@dataclass(frozen=True)
class Followed:
    """A later question like those of a resolved group, and what the bot did with it."""

    text: str
    action: str
    at: datetime

    @property
    def answered(self) -> bool:
        return self.action == Action.ANSWER.value


def _readable(text: str) -> bool:
    return sum(ch.isalpha() for ch in text) >= MIN_LETTERS


async def unanswered(database: Database, since: datetime | None = None) -> list[Unanswered]:
    """Every question of the period the bot did not answer well, except those already turned
    into guidance."""
    since = since or utcnow() - LOOKBACK
    async with database.sessions() as session:
        messages = list(
            await session.scalars(
                select(Message)
                .where(Message.created_at >= since)
                .order_by(Message.conversation_id, Message.id)
            )
        )
        low_rated = list(
            await session.scalars(
                select(Case).where(Case.rating.is_not(None), Case.rating <= LOW_RATING)
            )
        )
        done = {
            message_id
            for ids in await session.scalars(select(InboxResolution.message_ids))
            for message_id in ids
        }
    found: dict[int, Unanswered] = {}
    asked: Message | None = None
    last_answered: Message | None = None
    conversation_id = None
    for message in messages:
        if message.conversation_id != conversation_id:
            conversation_id, asked, last_answered = message.conversation_id, None, None
        if message.direction == "in":
            asked = message
            continue
        if asked is None or message.author:
            continue
        reason = None
        if message.action in (Action.CLARIFY.value, Action.OUT_OF_SCOPE.value):
            reason, question = message.action, asked
        elif message.action == Action.HANDOFF.value and last_answered is not None:
            # The citizen asked for a person right after an answer: it did not help.
            reason, question = "handoff_after_answer", last_answered
        if reason and _readable(question.text):
            found.setdefault(
                question.id, Unanswered(question.id, question.text, reason, question.created_at)
            )
        last_answered = asked if message.action == Action.ANSWER.value else None
        asked = None
    found |= _low_rated(messages, low_rated, found)
    return sorted(
        (
            Unanswered(q.message_id, redact(q.text), q.reason, q.at)
            for q in found.values()
            if q.message_id not in done
        ),
        key=lambda q: q.at,
    )


def _low_rated(
    messages: list[Message], cases: list[Case], known: dict[int, Unanswered]
) -> dict[int, Unanswered]:
    """The answered questions of conversations whose case was rated low, before the case."""
    rated = {case.conversation_id: case.created_at for case in cases}
    found: dict[int, Unanswered] = {}
    previous: Message | None = None
    for message in messages:
        opened = rated.get(message.conversation_id)
        answered = (
            previous is not None
            and previous.conversation_id == message.conversation_id
            and previous.direction == "in"
            and message.action == Action.ANSWER.value
        )
        if (
            opened
            and answered
            and previous is not None
            and previous.created_at <= opened
            and previous.id not in known
            and _readable(previous.text)
        ):
            found[previous.id] = Unanswered(
                previous.id, previous.text, "low_rating", previous.created_at
            )
        previous = message
    return found


def group(questions: list[Unanswered], embedding: Embeddings) -> list[Group]:
    """Questions asked the same way grouped together, the largest groups first."""
    if not questions:
        return []
    if len(questions) == 1:
        return [Group(list(questions))]
    vectors = np.array(embedding.embed_documents([q.text for q in questions]))
    labels = AgglomerativeClustering(
        n_clusters=None,
        metric="cosine",
        linkage="average",
        distance_threshold=1.0 - SAME_QUESTION,
    ).fit_predict(vectors)
    groups: dict[int, Group] = {}
    for label, question in zip(labels, questions, strict=True):
        groups.setdefault(int(label), Group()).questions.append(question)
    return sorted(groups.values(), key=lambda g: (-g.count, -g.last_at.timestamp()))


async def later_questions(
    database: Database, resolution: InboxResolution, embedding: Embeddings
) -> list[Followed]:
    """Questions asked after a group was turned into guidance that are like its examples, with
    the bot's answer to each (so the editor sees whether they are answered now)."""
    async with database.sessions() as session:
        messages = list(
            await session.scalars(
                select(Message)
                .where(Message.created_at > resolution.at)
                .order_by(Message.conversation_id, Message.id)
            )
        )
    pairs = [
        (asked, reply)
        for asked, reply in itertools.pairwise(messages)
        if asked.direction == "in"
        and reply.direction == "out"
        and asked.conversation_id == reply.conversation_id
        and not reply.author
        and _readable(asked.text)
    ]
    if not pairs or not resolution.examples:
        return []
    examples = np.array(embedding.embed_documents(resolution.examples))
    asked_vectors = np.array(embedding.embed_documents([a.text for a, _ in pairs]))
    similarity = _cosine(asked_vectors, examples).max(axis=1)
    return [
        Followed(redact(asked.text), reply.action or "", asked.created_at)
        for (asked, reply), score in zip(pairs, similarity, strict=True)
        if score >= SAME_QUESTION
    ]


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), _NONZERO)
    b = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), _NONZERO)
    return a @ b.T
