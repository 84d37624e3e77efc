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
    async with database.sessions() as session:
        cases = list(await session.scalars(select(Case).order_by(Case.id.desc())))
        matched: dict[int, tuple[str, Case | None]] = {}
        """By conversation: what matched, and the case it matched in."""
        phone = parse_phone(query)
        numbers = {n.upper() for n in CASE_NUMBER.findall(query)}
        folded = fold(query)
        for case in cases:
            fields = case.fields or {}
            business = str(fields.get("business", ""))
            if case.number in numbers:
                matched.setdefault(case.conversation_id, (case.number, case))
            elif phone and fields.get("phone") == phone:
                matched.setdefault(case.conversation_id, (mask_phone(phone), case))
            elif not numbers and not phone and folded in fold(business):
                matched.setdefault(case.conversation_id, (business, case))
        if not numbers and not phone:
            words = await session.execute(
                select(Message.conversation_id, Message.text)
                .where(or_(Message.text.ilike(f"%{query}%"), Message.text.ilike(f"%{folded}%")))
                .order_by(Message.id.desc())
                .limit(MAX_RESULTS * 4)
            )
            for conversation_id, text in words:
                matched.setdefault(conversation_id, (_snippet(text, query), None))
        ids = list(matched)
        if not everything:
            handed = set(
                await session.scalars(
                    select(StateTransition.conversation_id)
                    .where(StateTransition.conversation_id.in_(ids))
                    .where(StateTransition.to_state == State.WAITING_STAFF.value)
                )
            )
            ids = [i for i in ids if i in handed]
        conversations = {
            c.id: c
            for c in await session.scalars(select(Conversation).where(Conversation.id.in_(ids)))
        }
    newest: dict[int, Case] = {}
    for case in cases:
        newest.setdefault(case.conversation_id, case)
    found = []
    for conversation_id in ids[:MAX_RESULTS]:
        conversation = conversations[conversation_id]
        what, case = matched[conversation_id]
        case = case or newest.get(conversation_id)
        fields = case.fields if case else {}
        found.append(
            Found(
                conversation_id=conversation_id,
                platform=label(PLATFORMS, conversation.platform),
                state=conversation.state,
                case_number=case.number if case else "",
                business=str(fields.get("business", "")),
                phone=mask_phone(str(fields["phone"])) if fields.get("phone") else "",
                outcome=label(OUTCOMES, case.outcome) if case and case.outcome else "",
                at=conversation.updated_at,
                matched=what,
            )
        )
    return found


def _snippet(text: str, query: str) -> str:
    """The part of ``text`` around the query."""
    at = max(0, fold(text).find(fold(query)))
    start = max(0, at - SNIPPET_CHARS // 3)
    piece = " ".join(text[start : start + SNIPPET_CHARS].split())
    return ("…" if start else "") + piece + ("…" if start + SNIPPET_CHARS < len(text) else "")
