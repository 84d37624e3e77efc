"""Finding conversations again: by case number, by phone number (matched on the value the case
file stores, shown masked), by business name or by words of the conversation. Staff find only
conversations that were handed to staff; admins find any."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select

from bot.console.present import mask_phone
from bot.core.answers import parse_phone
from bot.core.catalogue import OUTCOMES, PLATFORMS, label
from bot.core.conversation import State
from bot.core.messages import CASE_NUMBER
from bot.storage.database import Database
from bot.storage.models import Case, Conversation, Message, StateTransition
from knowledge_base.text import fold

MAX_RESULTS = 50
MIN_QUERY_CHARS = 2
SNIPPET_CHARS = 120


@dataclass(frozen=True)
class Found:
    conversation_id: int
    platform: str
    state: str
    case_number: str
    business: str
    phone: str
    """Masked."""
    outcome: str
    at: datetime
    matched: str
    """What matched: the case number, the phone, the business or a snippet of a message."""


async def search(database: Database, query: str, everything: bool) -> list[Found]:
    """Conversations matching ``query``; ``everything``: also those never handed to staff."""
    query = " ".join(query.split())
    if len(query) < MIN_QUERY_CHARS:
        return []
    numbers = {n.upper() for n in CASE_NUMBER.findall(query)}
    phone = parse_phone(query)
    folded = fold(query)
    matched: dict[int, tuple[str, Case | None]] = {}
    """By conversation: what matched, and the case it matched in (newest match first)."""
    async with database.sessions() as session:
        if numbers:
            for case in await session.scalars(select(Case).where(Case.number.in_(numbers))):
                matched.setdefault(case.conversation_id, (case.number, case))
        elif phone:
            for case in await session.scalars(
                select(Case)
                .where(Case.fields["phone"].as_string() == phone)
                .order_by(Case.id.desc())
            ):
                matched.setdefault(case.conversation_id, (mask_phone(phone), case))
        else:
            # Business names are compared without case or diacritics, which SQL cannot do
            # portably: the names are read (one short field per case) and compared here.
            named = await session.execute(
                select(Case.id, Case.fields["business"].as_string())
                .where(Case.fields["business"].as_string().is_not(None))
                .order_by(Case.id.desc())
            )
            ids = [case_id for case_id, name in named if folded in fold(name or "")]
            cases = {c.id: c for c in await session.scalars(select(Case).where(Case.id.in_(ids)))}
            for case_id in ids:
                case = cases[case_id]
                matched.setdefault(case.conversation_id, (str(case.fields["business"]), case))
            words = await session.execute(
                select(Message.conversation_id, Message.text)
                .where(or_(Message.text.ilike(f"%{query}%"), Message.text.ilike(f"%{folded}%")))
                .order_by(Message.id.desc())
                .limit(MAX_RESULTS * 4)
            )
            for conversation_id, text in words:
                matched.setdefault(conversation_id, (_snippet(text, query), None))
        found_ids = list(matched)
        if not everything:
            handed = set(
                await session.scalars(
                    select(StateTransition.conversation_id)
                    .where(StateTransition.conversation_id.in_(found_ids))
                    .where(StateTransition.to_state == State.WAITING_STAFF.value)
                )
            )
            found_ids = [i for i in found_ids if i in handed]
        found_ids = found_ids[:MAX_RESULTS]
        conversations = {
            c.id: c
            for c in await session.scalars(
                select(Conversation).where(Conversation.id.in_(found_ids))
            )
        }
        newest: dict[int, Case] = {}
        for case in await session.scalars(
            select(Case).where(Case.conversation_id.in_(found_ids)).order_by(Case.id.desc())
        ):
            newest.setdefault(case.conversation_id, case)
    return [_found(conversations[i], *matched[i], newest.get(i)) for i in found_ids]


def _found(conversation: Conversation, what: str, case: Case | None, newest: Case | None) -> Found:
    """A result: the case that matched, else the conversation's newest."""
    case = case or newest
    fields = case.fields if case else {}
    return Found(
        conversation_id=conversation.id,
        platform=label(PLATFORMS, conversation.platform),
        state=conversation.state,
        case_number=case.number if case else "",
        business=str(fields.get("business", "")),
        phone=mask_phone(str(fields["phone"])) if fields.get("phone") else "",
        outcome=label(OUTCOMES, case.outcome) if case and case.outcome else "",
        at=conversation.updated_at,
        matched=what,
    )


def _snippet(text: str, query: str) -> str:
    """The part of ``text`` around the query."""
    at = max(0, fold(text).find(fold(query)))
    start = max(0, at - SNIPPET_CHARS // 3)
    piece = " ".join(text[start : start + SNIPPET_CHARS].split())
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_CHARS < len(text) else "")
