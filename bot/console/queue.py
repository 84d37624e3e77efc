"""The staff queue: conversations waiting for or held by staff, oldest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.core.catalogue import CASE_KIND_TITLES, INTENTS, REASONS, label
from bot.core.conversation import State
from bot.storage.database import Database
from bot.storage.models import Case, Conversation, Message, StaffUser, StateTransition, utcnow

QUEUE_STATES = (State.WAITING_STAFF.value, State.WITH_STAFF.value)


@dataclass(frozen=True)
class QueueItem:
    conversation_id: int
    platform: str
    state: str
    since: datetime
    wait_min: int
    topic: str
    case_number: str
    holder: str
    overdue: bool


async def queue(database: Database, sla_min: int) -> list[QueueItem]:
    """Waiting conversations first-come first-served, with who holds the others."""
    now = utcnow()
    async with database.sessions() as session:
        conversations = list(
            await session.scalars(select(Conversation).where(Conversation.state.in_(QUEUE_STATES)))
        )
        ids = [c.id for c in conversations]
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
        cases = {
            case.conversation_id: case
            for case in await session.scalars(
                select(Case).where(Case.conversation_id.in_(ids)).order_by(Case.id)
            )
        }
        names = dict((await session.execute(select(StaffUser.id, StaffUser.display_name))).all())
        intents = dict(
            (
                await session.execute(
                    select(Message.conversation_id, Message.intent)
                    .where(Message.conversation_id.in_(ids), Message.intent.is_not(None))
                    .order_by(Message.id)
                )
            ).all()
        )
    items = []
    for conversation in conversations:
        since = handed.get(conversation.id) or conversation.updated_at
        case = cases.get(conversation.id)
        wait_min = max(0, int((now - since).total_seconds() // 60))
        waiting = conversation.state == State.WAITING_STAFF
        items.append(
            QueueItem(
                conversation_id=conversation.id,
                platform=conversation.platform,
                state=conversation.state,
                since=since,
                wait_min=wait_min,
                topic=topic(case, intents.get(conversation.id)),
                case_number=case.number if case else "",
                holder=names.get(case.assigned_to, "") if case and case.assigned_to else "",
                overdue=waiting and wait_min >= sla_min,
            )
        )
    items.sort(key=lambda item: (item.state != State.WAITING_STAFF, item.since))
    return items


def topic(case: Case | None, intent: str | None) -> str:
    """The case's kind and reason, else the last intent NLU recognised."""
    if case is not None:
        kind = label(CASE_KIND_TITLES, case.kind)
        return f"{kind} ({label(REASONS, case.reason)})" if case.reason else kind
    return label(INTENTS, intent)
