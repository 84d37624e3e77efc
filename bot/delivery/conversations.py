"""What staff do to a conversation: claim, release, transfer, reply, note, edit the case file,
return it to the bot, resolve it. Each action is one transaction: the state change, the case,
the message to the citizen and its outbox rows commit together. Only the staff member holding a
conversation (or an admin) changes it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Protocol

from sqlalchemy import select, update

from bot.core import catalogue
from bot.core.conversation import Dialogue, Expecting, State
from bot.core.messages import Action, OutgoingMessage
from bot.core.safety import redact
from bot.delivery.store import DeliveryStore
from bot.storage.conversations import ConversationNotFound, ConversationRecords, StoredConversation
from bot.storage.models import (
    Attachment,
    AuditEntry,
    Case,
    CaseNote,
    Message,
    StaffUser,
    StateTransition,
    utcnow,
)
from connectors.base import Connector


class Acting(Protocol):
    """The staff member acting."""

    @property
    def id(self) -> int: ...

    @property
    def display_name(self) -> str: ...

    @property
    def actor(self) -> str:
        """``staff:<username>``, as transitions and messages record it."""

    @property
    def is_admin(self) -> bool: ...


class NotAllowed(Exception):
    """The action cannot be done now; the message says why, for staff."""


class ConversationService:
    def __init__(
        self,
        records: ConversationRecords,
        store: DeliveryStore,
        connectors: Mapping[str, Connector],
    ) -> None:
        self._records = records
        self._store = store
        self._connectors = connectors

    @asynccontextmanager
    async def _open(self, conversation_id: int, staff: Acting) -> AsyncIterator[StoredConversation]:
        """A conversation staff may see: one handed to staff at some point (admins: any)."""
        try:
            async with self._records.by_id(conversation_id) as conversation:
                handed = await conversation.session.scalar(
                    select(StateTransition.id)
                    .where(StateTransition.conversation_id == conversation_id)
                    .where(StateTransition.to_state == State.WAITING_STAFF.value)
                    .limit(1)
                )
                if not handed and not staff.is_admin:
                    raise NotAllowed(catalogue.NOT_FOUND)
                yield conversation
        except ConversationNotFound as error:
            raise NotAllowed(catalogue.NOT_FOUND) from error

    @asynccontextmanager
    async def _held(
        self, conversation_id: int, staff: Acting, waiting_ok: bool = False
    ) -> AsyncIterator[tuple[StoredConversation, Case | None]]:
        """The conversation and its newest case, if ``staff`` holds it (admins: any held)."""
        async with self._open(conversation_id, staff) as conversation:
            case = await conversation.newest_case()
            if not (waiting_ok and conversation.state is State.WAITING_STAFF):
                if conversation.state is not State.WITH_STAFF:
                    raise NotAllowed(catalogue.CLAIM_FIRST)
                holder = case.assigned_to if case else None
                if holder != staff.id and not staff.is_admin:
                    raise NotAllowed(catalogue.HELD_BY_OTHER)
            yield conversation, case

    async def visible(self, conversation_id: int, staff: Acting) -> None:
        """Raise NotAllowed unless ``staff`` may open the conversation."""
        async with self._open(conversation_id, staff):
            pass

    async def attachment(self, attachment_id: int, staff: Acting) -> Attachment:
        """A file of a conversation ``staff`` may open."""
        found = await self._records.attachment(attachment_id)
        if found is None:
            raise NotAllowed(catalogue.FILE_NOT_FOUND)
        await self.visible(found.conversation_id, staff)
        return found

    async def claim(self, conversation_id: int, staff: Acting) -> None:
        async with self._open(conversation_id, staff) as conversation:
            if conversation.state is not State.WAITING_STAFF:
                raise NotAllowed(catalogue.NOT_WAITING)
            case = await conversation.newest_case()
            if case is not None:
                # Conditional, so that of two staff claiming at once only one gets it.
                taken = await conversation.session.execute(
                    update(Case)
                    .where(Case.id == case.id, Case.assigned_to.is_(None))
                    .values(assigned_to=staff.id, status="in_progress")
                )
                if not taken.rowcount:  # type: ignore[attr-defined]
                    raise NotAllowed(catalogue.TAKEN)
            conversation.transition(State.WITH_STAFF, staff.actor, "claim")
            self._tell(conversation, catalogue.STAFF_JOINED.format(name=staff.display_name))

    async def release(self, conversation_id: int, staff: Acting) -> None:
        async with self._held(conversation_id, staff) as (conversation, case):
            if case is not None:
                case.assigned_to, case.status = None, "open"
            conversation.transition(State.WAITING_STAFF, staff.actor, "release")

    async def transfer(self, conversation_id: int, staff: Acting, to_user_id: int) -> str:
        """Hand a held conversation to a colleague; returns the colleague's name."""
        async with self._held(conversation_id, staff) as (conversation, case):
            colleague = await conversation.session.get(StaffUser, to_user_id)
            if colleague is None or not colleague.active or colleague.role == "editor":
                raise NotAllowed(catalogue.CANNOT_TRANSFER)
            if case is None:
                raise NotAllowed(catalogue.NO_CASE)
            case.assigned_to = colleague.id
            conversation.transition(State.WITH_STAFF, staff.actor, f"transfer:{colleague.username}")
            self._tell(conversation, catalogue.STAFF_JOINED.format(name=colleague.display_name))
            return colleague.display_name

    async def reply(self, conversation_id: int, staff: Acting, text: str) -> None:
        if not text.strip():
            raise NotAllowed(catalogue.EMPTY_MESSAGE)
        async with self._held(conversation_id, staff) as (conversation, _):
            self._tell(conversation, text.strip(), author=staff.actor, sender=staff.display_name)

    async def note(self, conversation_id: int, staff: Acting, text: str) -> None:
        if not text.strip():
            raise NotAllowed(catalogue.EMPTY_NOTE)
        async with self._held(conversation_id, staff) as (conversation, case):
            if case is None:
                raise NotAllowed(catalogue.NO_CASE)
            conversation.session.add(
                CaseNote(case_id=case.id, author_id=staff.id, text=text.strip())
            )

    async def save_fields(
        self, conversation_id: int, staff: Acting, fields: dict[str, object]
    ) -> None:
        """Replace the case file's fields; the change is in the audit trail."""
        async with self._held(conversation_id, staff) as (conversation, case):
            if case is None:
                raise NotAllowed(catalogue.NO_CASE)
            if fields == case.fields:
                return
            conversation.session.add(
                AuditEntry(
                    actor=staff.actor,
                    action="case.fields",
                    target=f"case:{case.number}",
                    before=case.fields,
                    after=fields,
                )
            )
            case.fields = fields

    async def return_to_bot(self, conversation_id: int, staff: Acting) -> None:
        async with self._held(conversation_id, staff, waiting_ok=True) as (conversation, _):
            conversation.transition(State.BOT, staff.actor, "return_to_bot")
            conversation.save_dialogue(Dialogue())
            self._tell(conversation, catalogue.RETURNED_TO_BOT)

    async def resolve(self, conversation_id: int, staff: Acting, outcome: str) -> None:
        """Close the case with its outcome; the citizen is asked to rate the help."""
        if outcome not in catalogue.OUTCOMES:
            raise NotAllowed(catalogue.BAD_OUTCOME)
        async with self._held(conversation_id, staff) as (conversation, case):
            if case is None:
                raise NotAllowed(catalogue.NO_CASE)
            case.outcome, case.resolved_at, case.status = outcome, utcnow(), "resolved"
            conversation.transition(State.BOT, staff.actor, f"resolved:{outcome}")
            conversation.save_dialogue(Dialogue(expecting=Expecting.RATING, case=case.number))
            self._tell(
                conversation,
                catalogue.CASE_CLOSED_RATE.format(
                    number=case.number, outcome=catalogue.CITIZEN_OUTCOMES[outcome]
                ),
                quick_replies=catalogue.RATINGS,
            )

    def _tell(
        self,
        conversation: StoredConversation,
        text: str,
        author: str = "bot",
        quick_replies: tuple[str, ...] = (),
        sender: str = "",
    ) -> Message:
        """Store a message to the citizen (redacted) and queue its delivery on their platform,
        in the action's transaction; ``sender``: the staff member's name the citizen sees."""
        message = conversation.record_staff_message(redact(text), author, Action.HANDOFF.value)
        snapshot = conversation.snapshot
        outgoing = OutgoingMessage(
            snapshot.chat_id, text, Action.HANDOFF, quick_replies=quick_replies, sender=sender
        )
        connector = self._connectors.get(snapshot.platform)
        payloads = (
            connector.render(outgoing)
            if connector
            else [{"text": text, "quick_replies": list(quick_replies), "sender": sender}]
        )
        self._store.queue(
            conversation.session,
            snapshot.platform,
            snapshot.chat_id,
            payloads,
            message=message,
            conversation_id=conversation.id,
        )
        return message
