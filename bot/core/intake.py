"""Complaint intake: explain the options, ask consent, take the case file down step by step.

The form's progress lives in the conversation's ``dialogue`` (stored in the database after every
turn), so it survives interruptions and restarts. The citizen may correct any answer ("sửa số
điện thoại"), ask a question in the middle (answered, then the form resumes) or cancel ("hủy").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from itertools import pairwise

from bot.core import replies
from bot.core.answers import dont_remember, parse_amount, parse_date, parse_phone, yes_or_no
from bot.core.compose import Answer
from bot.core.handlers import Handler, Turn
from bot.core.handoff import Handoff
from bot.core.messages import Action, OutgoingMessage
from knowledge_base.text import fold

YES_NO = ("Có", "Không")
OPTIONS_GUIDANCE = "khieu-nai-o-dau"
_CANCEL = re.compile(r"^(huy|huy bo|huy khieu nai|dung lai|thoi khong khieu nai( nua)?)\b")
_CORRECT = re.compile(r"^(sua|sua lai|doi|chinh lai)\s+(.+)$")
_QUESTION_END = re.compile(
    r"(\?|\b(khong|ko|k|chua|sao|the nao|nhu the nao|ntn|bao lau|o dau|gi|j|duoc khong)\s*\??)$"
)
_DONE = {"xong", "xong roi", "het roi", "da gui", "gui xong", "ok xong"}
_SKIP = {"bo qua", "khong co", "ko co", "k co", "khong", "ko", "k", "khong can"}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    question: str
    aliases: tuple[str, ...]


STEPS = (
    Step(
        "business",
        "Bên bán",
        "Tên cửa hàng hoặc doanh nghiệp bạn muốn khiếu nại là gì, kèm địa "
        "chỉ hoặc trang web/gian hàng của họ?",
        ("cua hang", "doanh nghiep", "ben ban", "shop", "ten", "dia chi", "cong ty"),
    ),
    Step(
        "product",
        "Sản phẩm, dịch vụ",
        "Bạn đã mua sản phẩm hoặc dùng dịch vụ gì?",
        ("san pham", "dich vu", "hang"),
    ),
    Step(
        "purchase",
        "Ngày mua, số tiền",
        "Bạn mua vào ngày nào và với giá bao nhiêu? (Ví dụ: "
        "12/3/2026, 1.500.000đ. Nếu không nhớ, bạn cứ nhắn «không nhớ».)",
        ("ngay", "gia", "so tien", "tien", "ngay mua"),
    ),
    Step(
        "problem",
        "Sự việc",
        "Chuyện gì đã xảy ra? Bạn mô tả ngắn gọn vấn đề bạn gặp phải.",
        ("su viec", "van de", "noi dung"),
    ),
    Step(
        "desired",
        "Mong muốn",
        "Bạn mong muốn bên bán giải quyết thế nào? (Ví dụ: đổi hàng, "
        "trả lại tiền, sửa chữa, bồi thường.)",
        ("mong muon", "yeu cau", "de nghi"),
    ),
    Step(
        "phone",
        "Số điện thoại",
        "Số điện thoại để cán bộ liên hệ với bạn là gì?",
        ("so dien thoai", "sdt", "dien thoai", "so dt"),
    ),
    Step(
        "evidence",
        "Ảnh chứng từ",
        "Bạn có ảnh hóa đơn, sản phẩm hoặc tin nhắn với bên bán "
        "không? Hãy gửi ảnh vào đây; gửi xong thì nhắn «xong». Nếu không có, nhắn «bỏ qua».",
        ("anh", "hinh", "chung tu", "hoa don"),
    ),
)
_STEP = {step.key: step for step in STEPS}
_NEXT = {a.key: b.key for a, b in pairwise(STEPS)} | {"evidence": "confirm"}


def looks_like_question(text: str) -> bool:
    return bool(_QUESTION_END.search(fold(text).strip()))


class ComplaintIntake:
    def __init__(
        self,
        options: Callable[[], Answer | None],
        answer_question: Handler,
        handoff: Handoff,
    ) -> None:
        """``options`` gives the cited explanation of the ways to settle a dispute."""
        self._options = options
        self._answer_question = answer_question
        self._handoff = handoff

    async def offer(self, turn: Turn) -> OutgoingMessage:
        """The options the law gives, then the offer to record a complaint."""
        turn.dialogue.clear()
        turn.dialogue["expecting"] = "complaint_offer"
        explained = self._options()
        text = replies.COMPLAINT_OFFER
        citations = ()
        if explained:
            text = f"{explained.text}\n\n{text}"
            citations = explained.citations
        return turn.reply(text, Action.COMPLAINT, citations=citations, quick_replies=YES_NO)

    async def on_offer_answer(self, turn: Turn) -> OutgoingMessage | None:
        answer = yes_or_no(turn.text.text, turn.intent.name)
        if answer is None:
            turn.dialogue.clear()
            return None
        if not answer:
            turn.dialogue.clear()
            return turn.reply(replies.OFFER_DECLINED, Action.SMALLTALK)
        turn.dialogue["expecting"] = "consent"
        return turn.reply(
            replies.PRIVACY_NOTICE, Action.COMPLAINT, quick_replies=("Đồng ý", "Không")
        )

    async def on_consent_answer(self, turn: Turn) -> OutgoingMessage:
        answer = yes_or_no(turn.text.text, turn.intent.name)
        if answer is None:
            return turn.reply(
                f"{replies.YES_NO_HINT}\n\n{replies.PRIVACY_NOTICE}",
                Action.COMPLAINT,
                quick_replies=("Đồng ý", "Không"),
            )
        if not answer:
            turn.dialogue.clear()
            return turn.reply(replies.NO_CONSENT, Action.SMALLTALK)
        turn.dialogue.update(
            expecting="form",
            step="business",
            fields={},
            evidence=0,
            consent_at=self._handoff.now().isoformat(),
        )
        return self._ask(turn, "Cảm ơn bạn. ")

    async def on_form_answer(self, turn: Turn) -> OutgoingMessage:
        folded = fold(turn.text.text).strip(" .!?")
        if _wants_to_cancel(turn, folded):
            turn.dialogue.clear()
            return turn.reply(replies.COMPLAINT_CANCELLED, Action.SMALLTALK)
        if (match := _CORRECT.match(folded)) and (step := _step_named(match.group(2))):
            turn.dialogue.update(step=step.key, editing=True)
            return self._ask(turn, f"Vâng, bạn sửa mục «{step.label}». ")
        step_key = str(turn.dialogue["step"])
        if step_key == "confirm":
            return await self._on_confirm(turn)
        if self._is_interruption(turn, step_key):
            answer = await self._answer_question(turn)
            question = self._ask(turn, "").text
            return turn.reply(
                f"{answer.text}\n\n{replies.FORM_RESUME} {question}",
                answer.action,
                citations=answer.citations,
            )
        error = self._record(turn, step_key)
        if error:
            return self._ask(turn, f"{error} ")
        following = "confirm" if turn.dialogue.pop("editing", False) else _NEXT[step_key]
        if step_key == "evidence" and not self._evidence_finished(turn):
            return turn.reply(
                f"Tôi đã nhận {turn.dialogue['evidence']} ảnh/tệp. Gửi tiếp nếu còn, hoặc nhắn "
                "«xong».",
                Action.COMPLAINT,
                quick_replies=("Xong",),
            )
        turn.dialogue["step"] = following
        return self._ask(turn, "")

    def _is_interruption(self, turn: Turn, step_key: str) -> bool:
        answers_step = step_key in ("phone", "purchase") and (
            parse_phone(turn.text.text) or dont_remember(turn.text.text)
        )
        if turn.message.attachments or answers_step:
            return False
        asks_law = turn.intent.name.startswith("ask_law") and turn.intent.confidence >= 0.7
        return asks_law and looks_like_question(turn.text.text)

    def _record(self, turn: Turn, step_key: str) -> str:
        """Store the answer to ``step_key``; return what is wrong with it, or ""."""
        fields: dict[str, object] = turn.dialogue["fields"]  # type: ignore[assignment]
        text = turn.text.text
        if step_key == "phone":
            phone = parse_phone(text)
            if phone is None:
                return (
                    "Số điện thoại chưa đúng. Bạn nhập lại giúp tôi số di động 10 chữ số, ví "
                    "dụ 0912 345 678."
                )
            fields["phone"] = phone
        elif step_key == "purchase":
            today = self._handoff.now().date()
            day, rest = parse_date(text, today)
            amount = parse_amount(rest)
            if day is None and amount is None and not dont_remember(text):
                return (
                    "Tôi chưa đọc được ngày mua hoặc số tiền. Bạn ghi theo dạng 12/3/2026, "
                    "500.000đ, hoặc nhắn «không nhớ»."
                )
            fields["date"] = day.isoformat() if day else "không nhớ"
            fields["amount"] = amount if amount is not None else "không nhớ"
        elif step_key == "evidence":
            turn.dialogue["evidence"] = int(turn.dialogue.get("evidence", 0)) + len(
                turn.message.attachments
            )
        elif len(text.strip()) < 2:
            return "Câu trả lời hơi ngắn."
        else:
            fields[step_key] = text.strip()
        return ""

    def _evidence_finished(self, turn: Turn) -> bool:
        folded = fold(turn.text.text).strip(" .!")
        return not turn.message.attachments and (folded in _DONE or folded in _SKIP or not folded)

    async def _on_confirm(self, turn: Turn) -> OutgoingMessage:
        answer = yes_or_no(turn.text.text, turn.intent.name)
        if answer is None and "xac nhan" not in fold(turn.text.text):
            return self._ask(turn, "Bạn nhắn «xác nhận» để gửi, hoặc «sửa …» để sửa một mục. ")
        if answer is False:
            turn.dialogue.clear()
            return turn.reply(replies.COMPLAINT_CANCELLED, Action.SMALLTALK)
        fields = dict(turn.dialogue["fields"])  # type: ignore[arg-type]
        fields["evidence_count"] = turn.dialogue.get("evidence", 0)
        consent_at = datetime.fromisoformat(str(turn.dialogue["consent_at"]))
        number, wait = await self._handoff.hand_over(
            turn.conversation.id, "complaint", fields, consent_at
        )
        turn.dialogue.clear()
        return turn.reply(
            f"Tôi đã ghi nhận khiếu nại của bạn. Mã hồ sơ: {number}. {wait} Bạn có thể hỏi tình "
            f"trạng hồ sơ bất cứ lúc nào bằng cách nhắn mã {number}.",
            Action.COMPLAINT,
        )

    def _ask(self, turn: Turn, prefix: str) -> OutgoingMessage:
        step_key = str(turn.dialogue["step"])
        if step_key == "confirm":
            return turn.reply(
                prefix + self._summary(turn), Action.COMPLAINT, quick_replies=("Xác nhận", "Hủy")
            )
        quick = ("Bỏ qua",) if step_key == "evidence" else ()
        quick = ("Không nhớ",) if step_key == "purchase" else quick
        return turn.reply(prefix + _STEP[step_key].question, Action.COMPLAINT, quick_replies=quick)

    @staticmethod
    def _summary(turn: Turn) -> str:
        fields: dict[str, object] = turn.dialogue["fields"]  # type: ignore[assignment]
        amount = fields.get("amount")
        day = fields.get("date")
        lines = [
            f"- Bên bán: {fields.get('business', '')}",
            f"- Sản phẩm, dịch vụ: {fields.get('product', '')}",
            f"- Ngày mua: {_show_date(day)}; số tiền: {_show_amount(amount)}",
            f"- Sự việc: {fields.get('problem', '')}",
            f"- Mong muốn: {fields.get('desired', '')}",
            f"- Số điện thoại: {fields.get('phone', '')}",
            f"- Ảnh, tệp đính kèm: {turn.dialogue.get('evidence', 0)}",
        ]
        return (
            "Bạn kiểm tra lại thông tin khiếu nại:\n" + "\n".join(lines) + "\n\nNhắn "
            "«xác nhận» để gửi, «sửa …» để sửa một mục (ví dụ «sửa số điện thoại»), hoặc "
            "«hủy» để dừng."
        )


def _wants_to_cancel(turn: Turn, folded: str) -> bool:
    """«hủy», or what NLU is sure is a cancel; an answer with digits (a phone number, a date, an
    amount) never is: NLU sees it with personal data redacted."""
    if _CANCEL.match(folded):
        return True
    sure = turn.intent.name == "cancel" and turn.intent.confidence >= 0.8
    return sure and not any(c.isdigit() for c in turn.text.text)


def _step_named(words: str) -> Step | None:
    return next((s for s in STEPS if any(words.startswith(a) for a in s.aliases)), None)


def _show_date(value: object) -> str:
    if isinstance(value, str) and value != "không nhớ":
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    return "không nhớ"


def _show_amount(value: object) -> str:
    return f"{value:,}".replace(",", ".") + "đ" if isinstance(value, int) else "không nhớ"
