"""What staff do to a conversation: claim, release, transfer, reply, notes, case fields,
return to the bot, resolve. Every state change goes through ConversationStore.transition and
every message to the citizen through the outbox of the citizen's platform."""

from __future__ import annotations

from sqlalchemy import select, update

from bot.console.auth import Staff
from bot.core.messages import Action, OutgoingMessage
from bot.core.safety import redact
from bot.delivery.service import Delivery
from bot.storage.conversations import ConversationStore
from bot.storage.database import Database
from bot.storage.models import (
    Attachment,
    AuditEntry,
    Case,
    CaseNote,
    Conversation,
    Message,
    StaffUser,
    StateTransition,
    utcnow,
)

OUTCOMES = {
    "resolved": "Đã giải quyết",
    "referred_mediation": "Chuyển hòa giải",
    "referred_authority": "Chuyển cơ quan chức năng",
    "not_consumer_matter": "Không thuộc lĩnh vực bảo vệ người tiêu dùng",
    "no_response": "Người dân không phản hồi",
}
RATING_REPLIES = ("1", "2", "3", "4", "5")


class ConsoleError(Exception):
    """An action that cannot be done now; the message is shown to staff."""


class Console:
    def __init__(self, database: Database, delivery: Delivery) -> None:
        self._database = database
        self._sessions = database.sessions
        self._delivery = delivery
        self.conversations = ConversationStore(database)

    async def conversation(self, conversation_id: int, staff: Staff) -> Conversation:
        """A conversation staff may open: one handed to staff at some point (admins: any)."""
        async with self._sessions() as session:
            found = await session.get(Conversation, conversation_id)
            handed = found is not None and await session.scalar(
                select(StateTransition.id)
                .where(StateTransition.conversation_id == conversation_id)
                .where(StateTransition.to_state == "waiting_staff")
                .limit(1)
            )
        if found is None or not (handed or staff.may()):
            raise ConsoleError("Không tìm thấy cuộc trò chuyện.")
        return found

    async def attachment(self, attachment_id: int, staff: Staff) -> Attachment:
        """A file of a conversation staff may open."""
        async with self._sessions() as session:
            found = await session.get(Attachment, attachment_id)
        if found is None:
            raise ConsoleError("Không tìm thấy tệp.")
        await self.conversation(found.conversation_id, staff)
        return found

    async def case(self, conversation_id: int) -> Case | None:
        """The conversation's newest case."""
        cases = await self.conversations.cases(conversation_id)
        return cases[-1] if cases else None

    async def claim(self, conversation_id: int, staff: Staff) -> None:
        conversation = await self.conversation(conversation_id, staff)
        if conversation.state != "waiting_staff":
            raise ConsoleError("Cuộc trò chuyện này không còn chờ cán bộ.")
        case = await self.case(conversation_id)
        if case is not None and not await self._assign(case.id, staff.id, only_if_free=True):
            raise ConsoleError("Một cán bộ khác vừa nhận cuộc trò chuyện này.")
        await self.conversations.transition(conversation_id, "with_staff", staff.actor, "claim")
        await self.tell(conversation, f"Cán bộ {staff.display_name} đã tham gia cuộc trò chuyện.")

    async def release(self, conversation_id: int, staff: Staff) -> None:
        conversation = await self._held(conversation_id, staff)
        case = await self.case(conversation_id)
        if case is not None:
            await self._assign(case.id, None)
        await self.conversations.transition(
            conversation.id, "waiting_staff", staff.actor, "release"
        )

    async def transfer(self, conversation_id: int, staff: Staff, to_user_id: int) -> str:
        conversation = await self._held(conversation_id, staff)
        async with self._sessions() as session:
            colleague = await session.get(StaffUser, to_user_id)
        if colleague is None or not colleague.active or colleague.role == "editor":
            raise ConsoleError("Không thể chuyển cho tài khoản này.")
        case = await self.case(conversation_id)
        if case is None:
            raise ConsoleError("Cuộc trò chuyện chưa có hồ sơ để chuyển.")
        await self._assign(case.id, colleague.id)
        await self.conversations.transition(
            conversation.id, "with_staff", staff.actor, f"transfer:{colleague.username}"
        )
        await self.tell(
            conversation, f"Cán bộ {colleague.display_name} đã tham gia cuộc trò chuyện."
        )
        return colleague.display_name

    async def reply(self, conversation_id: int, staff: Staff, text: str) -> None:
        conversation = await self._held(conversation_id, staff)
        if not text.strip():
            raise ConsoleError("Tin nhắn trống.")
        await self.tell(conversation, text.strip(), author=staff.actor)

    async def note(self, conversation_id: int, staff: Staff, text: str) -> None:
        await self._held(conversation_id, staff)
        case = await self.case(conversation_id)
        if case is None:
            raise ConsoleError("Cuộc trò chuyện chưa có hồ sơ để ghi chú.")
        if not text.strip():
            raise ConsoleError("Ghi chú trống.")
        async with self._sessions() as session, session.begin():
            session.add(CaseNote(case_id=case.id, author_id=staff.id, text=text.strip()))

    async def notes(self, case_id: int) -> list[tuple[CaseNote, str]]:
        async with self._sessions() as session:
            rows = await session.execute(
                select(CaseNote, StaffUser.display_name)
                .join(StaffUser, StaffUser.id == CaseNote.author_id)
                .where(CaseNote.case_id == case_id)
                .order_by(CaseNote.id)
            )
            return [(note, name) for note, name in rows.all()]

    async def save_fields(
        self, conversation_id: int, staff: Staff, fields: dict[str, object]
    ) -> None:
        """Replace the case file's fields; the change is in the audit trail."""
        await self._held(conversation_id, staff)
        case = await self.case(conversation_id)
        if case is None:
            raise ConsoleError("Cuộc trò chuyện chưa có hồ sơ.")
        if fields == case.fields:
            return
        async with self._sessions() as session, session.begin():
            await session.execute(update(Case).where(Case.id == case.id).values(fields=fields))
            session.add(
                AuditEntry(
                    actor=staff.actor,
                    action="case.fields",
                    target=f"case:{case.number}",
                    before=case.fields,
                    after=fields,
                )
            )

    async def return_to_bot(self, conversation_id: int, staff: Staff) -> None:
        conversation = await self._held(conversation_id, staff, waiting_ok=True)
        await self.conversations.transition(conversation.id, "bot", staff.actor, "return_to_bot")
        await self.conversations.save_dialogue(conversation.id, {})
        await self.tell(
            conversation,
            "Cuộc trò chuyện đã được chuyển lại cho trợ lý tự động. Bạn cứ tiếp tục đặt câu hỏi; "
            "khi cần gặp cán bộ, hãy nhắn «gặp cán bộ».",
        )

    async def resolve(self, conversation_id: int, staff: Staff, outcome: str) -> None:
        if outcome not in OUTCOMES:
            raise ConsoleError("Kết quả xử lý không hợp lệ.")
        conversation = await self._held(conversation_id, staff)
        case = await self.case(conversation_id)
        if case is None:
            raise ConsoleError("Cuộc trò chuyện chưa có hồ sơ.")
        async with self._sessions() as session, session.begin():
            await session.execute(
                update(Case)
                .where(Case.id == case.id)
                .values(outcome=outcome, resolved_at=utcnow(), status="resolved")
            )
        await self.conversations.transition(
            conversation.id, "bot", staff.actor, f"resolved:{outcome}"
        )
        await self.conversations.save_dialogue(
            conversation.id, {"expecting": "rating", "case": case.number}
        )
        await self.tell(
            conversation,
            f"Hồ sơ {case.number} đã được xử lý xong. Bạn đánh giá sự hỗ trợ của chúng tôi "
            "thế nào, từ 1 (không hài lòng) đến 5 (rất hài lòng)?",
            quick_replies=RATING_REPLIES,
        )

    async def tell(
        self,
        conversation: Conversation,
        text: str,
        author: str = "bot",
        quick_replies: tuple[str, ...] = (),
    ) -> int:
        """Store a message to the citizen and queue it on their platform; returns its ID."""
        async with self._sessions() as session, session.begin():
            message = Message(
                conversation_id=conversation.id,
                direction="out",
                text=redact(text),
                action=Action.HANDOFF.value,
                author=author,
            )
            session.add(message)
            await session.flush()
            message_id = message.id
        outgoing = OutgoingMessage(
            conversation.chat_id, text, Action.HANDOFF, quick_replies=quick_replies
        )
        connector = self._delivery.connectors.get(conversation.platform)
        payloads = (
            connector.render(outgoing)
            if connector
            else [{"text": text, "quick_replies": list(quick_replies)}]
        )
        await self._delivery.store.enqueue(
            conversation.platform, conversation.chat_id, payloads, message_id=message_id
        )
        return message_id

    async def _held(
        self, conversation_id: int, staff: Staff, waiting_ok: bool = False
    ) -> Conversation:
        """The conversation, if ``staff`` holds it (admins may act on any held one)."""
        conversation = await self.conversation(conversation_id, staff)
        if waiting_ok and conversation.state == "waiting_staff":
            return conversation
        if conversation.state != "with_staff":
            raise ConsoleError("Hãy nhận cuộc trò chuyện trước.")
        case = await self.case(conversation_id)
        holder = case.assigned_to if case else None
        if holder != staff.id and not staff.may():
            raise ConsoleError("Cuộc trò chuyện đang do cán bộ khác phụ trách.")
        return conversation

    async def _assign(self, case_id: int, user_id: int | None, only_if_free: bool = False) -> bool:
        statement = update(Case).where(Case.id == case_id).values(assigned_to=user_id)
        if only_if_free:
            statement = statement.where(Case.assigned_to.is_(None))
        async with self._sessions() as session, session.begin():
            result = await session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]
