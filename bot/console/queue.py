"""The staff queue: conversations waiting for or held by staff (oldest first), or the cases
closed lately, each row with what staff need to choose: the last message, the topic or the
business, the platform, the wait, unread messages and flags (distress, out of hours, SLA)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, select

from bot.console.present import Names
from bot.core.catalogue import CASE_KIND_TITLES, INTENTS, OUTCOMES, PLATFORMS, REASONS, label
from bot.core.conversation import State
from bot.core.handoff import WorkingHours
from bot.core.safety import Risk, classify_risk
from bot.settings import Settings
from bot.storage.database import Database
from bot.storage.models import (
    Case,
    Conversation,
    ConversationRead,
    Message,
    StaffUser,
    StateTransition,
    utcnow,
)

QUEUE_STATES = (State.WAITING_STAFF.value, State.WITH_STAFF.value)
CLOSED_SHOWN = 50
"""The «đã đóng» view lists this many of the latest closed cases."""
PREVIEW_CHARS = 90
HANDOFF_TURN = timedelta(seconds=2)
"""The message that asked for staff is stored in the handoff's own transaction, a moment
before its transition row: it counts as unread for staff who never opened the conversation."""
DISTRESS = frozenset({Risk.DISTRESS, Risk.SELF_HARM})


class View(StrEnum):
    """The queue's filters."""

    OPEN = ""  # waiting for or held by staff
    MINE = "mine"  # held by me
    WAITING = "waiting"  # nobody has claimed it
    CLOSED = "closed"  # cases closed lately

    @classmethod
    def named(cls, name: str) -> View:
        return cls(name) if name in cls._value2member_map_ else cls.OPEN


@dataclass(frozen=True)
class QueueItem:
    conversation_id: int
    platform: str
    state: str
    since: datetime
    wait_min: int
    topic: str
    business: str
    case_number: str
    holder: str
    mine: bool
    overdue: bool
    preview: str
    unread: int
    distress: bool
    out_of_hours: bool
    outcome: str = ""
    closed_at: datetime | None = None

    @property
    def waiting(self) -> bool:
        return self.state == State.WAITING_STAFF


async def queue(
    database: Database, settings: Settings, staff_id: int, view: View = View.OPEN
) -> list[QueueItem]:
    """Waiting conversations first-come first-served, then those held by staff (or, for
    ``View.CLOSED``, the cases closed lately, newest first)."""
    now = utcnow()
    hours = WorkingHours.parse(settings.working_hours, settings.working_days, settings.timezone)
    async with database.sessions() as session:
        if view is View.CLOSED:
            closed = list(
                await session.scalars(
                    select(Case)
                    .where(Case.resolved_at.is_not(None))
                    .order_by(Case.resolved_at.desc())
                    .limit(CLOSED_SHOWN)
                )
            )
            ids = list(dict.fromkeys(case.conversation_id for case in closed))
            conversations = {
                c.id: c
                for c in await session.scalars(select(Conversation).where(Conversation.id.in_(ids)))
            }
        else:
            closed = []
            found = await session.scalars(
                select(Conversation).where(Conversation.state.in_(QUEUE_STATES))
            )
            conversations = {c.id: c for c in found}
            ids = list(conversations)
        handed = dict(
            (
                await session.execute(
                    select(StateTransition.conversation_id, func.max(StateTransition.created_at))
                    .where(StateTransition.conversation_id.in_(ids))
                    .where(StateTransition.to_state == State.WAITING_STAFF.value)
                    .group_by(StateTransition.conversation_id)
                )
            ).all()
        )
        newest = {
            case.conversation_id: case
            for case in await session.scalars(
                select(Case).where(Case.conversation_id.in_(ids)).order_by(Case.id)
            )
        }
        users = await session.execute(
            select(StaffUser.id, StaffUser.username, StaffUser.display_name)
        )
        names = Names([(user_id, username, name) for user_id, username, name in users])
        intents = dict(
            (
                await session.execute(
                    select(Message.conversation_id, Message.intent)
                    .where(Message.conversation_id.in_(ids), Message.intent.is_not(None))
                    .order_by(Message.id)
                )
            ).all()
        )
        read = dict(
            (
                await session.execute(
                    select(ConversationRead.conversation_id, ConversationRead.last_message_id)
                    .where(ConversationRead.conversation_id.in_(ids))
                    .where(ConversationRead.staff_id == staff_id)
                )
            ).all()
        )
        last_in = {
            m.conversation_id: m
            for m in await session.scalars(
                select(Message)
                .where(Message.conversation_id.in_(ids), Message.direction == "in")
                .order_by(Message.id)
            )
        }
        since_of = {i: handed.get(i) or conversations[i].updated_at for i in ids}
        earliest = min(since_of.values(), default=now) - HANDOFF_TURN
        recent = list(
            await session.scalars(
                select(Message)
                .where(Message.conversation_id.in_(ids), Message.direction == "in")
                .where(Message.created_at >= earliest)
            )
        )

    def unread(conversation_id: int) -> int:
        pointer = read.get(conversation_id)
        start = since_of[conversation_id] - HANDOFF_TURN
        return sum(
            m.conversation_id == conversation_id
            and (m.id > pointer if pointer is not None else m.created_at >= start)
            for m in recent
        )

    def distressed(conversation_id: int) -> bool:
        start = since_of[conversation_id] - HANDOFF_TURN
        return any(
            m.conversation_id == conversation_id
            and m.created_at >= start
            and classify_risk(m.text) in DISTRESS
            for m in recent
        )

    items = []
    rows = (
        [(conversations[c.conversation_id], c) for c in closed]
        if view is View.CLOSED
        else [(c, newest.get(c.id)) for c in conversations.values()]
    )
    for conversation, case in rows:
        since = since_of[conversation.id]
        wait_min = max(0, int((now - since).total_seconds() // 60))
        waiting = conversation.state == State.WAITING_STAFF and view is not View.CLOSED
        holder_id = case.assigned_to if case else None
        item = QueueItem(
            conversation_id=conversation.id,
            platform=label(PLATFORMS, conversation.platform),
            state=conversation.state if view is not View.CLOSED else State.CLOSED.value,
            since=since,
            wait_min=wait_min,
            topic=topic(case, intents.get(conversation.id)),
            business=str((case.fields or {}).get("business", "")) if case else "",
            case_number=case.number if case else "",
            holder=names.of_id(holder_id),
            mine=holder_id == staff_id,
            overdue=waiting and wait_min >= settings.console_sla_min,
            preview=_preview(last_in.get(conversation.id)),
            unread=unread(conversation.id) if view is not View.CLOSED else 0,
            distress=distressed(conversation.id) if view is not View.CLOSED else False,
            out_of_hours=not hours.is_open(since),
            outcome=label(OUTCOMES, case.outcome) if case and case.outcome else "",
            closed_at=case.resolved_at if case else None,
        )
        if in_view(item, view):
            items.append(item)
    if view is not View.CLOSED:
        items.sort(key=lambda item: (not item.waiting, item.since))
    return items


def in_view(item: QueueItem, view: View) -> bool:
    if view is View.MINE:
        return item.mine and item.state == State.WITH_STAFF
    if view is View.WAITING:
        return item.waiting
    return True


def _preview(message: Message | None) -> str:
    if message is None:
        return ""
    text = " ".join(message.text.split())
    return text if len(text) <= PREVIEW_CHARS else text[: PREVIEW_CHARS - 1] + "…"


def topic(case: Case | None, intent: str | None) -> str:
    """The case's kind and reason, else the last intent NLU recognised."""
    if case is not None:
        kind = label(CASE_KIND_TITLES, case.kind)
        return f"{kind} ({label(REASONS, case.reason)})" if case.reason else kind
    return label(INTENTS, intent)
