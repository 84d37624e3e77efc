"""Complaint intake: explain the options, ask consent, take the case file down step by step.

The form's progress lives in the conversation's ``Dialogue`` (stored after every turn), so it
survives interruptions and restarts. What the first message already said (business, product,
date, amount) is kept and not asked again. The citizen may correct any answer ("sửa số điện
thoại", or «Sửa» on the summary and then the item) without touching the others, ask a question
in the middle (answered, then the form resumes) or cancel ("hủy"). A date the citizen gives
only roughly ("hồi tháng 9") is kept as written.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from bot.core import catalogue
from bot.core.answers import dont_remember, parse_amount, parse_date, parse_phone, yes_or_no
from bot.core.compose import Answer
from bot.core.conversation import Expecting
from bot.core.handoff import Handoff
from bot.core.messages import Action, OutgoingMessage
from bot.core.turn import Handler, Turn
from knowledge_base.text import fold

YES_NO = (catalogue.YES, catalogue.NO)
OPTIONS_GUIDANCE = "khieu-nai-o-dau"
CONFIRM = "confirm"
CHOOSE_ITEM = "choose_item"
"""The citizen said «sửa» without naming the item: the bot asks which."""
MIN_ANSWER_CHARS = 2
INTERRUPTION_CONFIDENCE = 0.7
"""A law question in the middle of the form is answered when NLU is at least this sure."""
CANCEL_CONFIDENCE = 0.8
"""NLU's «cancel» ends the form only when it is at least this sure."""
_CANCEL = re.compile(r"^(huy|huy bo|huy khieu nai|dung lai|thoi khong khieu nai( nua)?)\b")
_CORRECT = re.compile(r"^(sua|sua lai|doi|chinh lai)\s+(.+)$")
_QUESTION_END = re.compile(
    r"(\?|\b(khong|ko|k|chua|sao|the nao|nhu the nao|ntn|bao lau|o dau|gi|j|duoc khong)\s*\??)$"
)
_EDIT = {"sua", "sua lai", "chinh lai", "chinh sua", "sua thong tin", "sua muc"}
_APPROXIMATE_DATE = re.compile(
    r"(?:(?:hoi|khoang|tu|vao|dau|giua|cuoi)\s+)*"
    r"(?:thang\s+\d{1,2}(?:\s*(?:/|nam)\s*\d{2,4})?|thang\s+(?:truoc|nay|roi)"
    r"|tuan\s+(?:truoc|nay|roi)|nam\s+(?:ngoai|truoc|nay)"
    r"|\d{1,2}\s+(?:ngay|tuan|thang|nam)\s+(?:truoc|roi)|(?:dau|giua|cuoi)\s+(?:thang|nam|tuan))\b"
)
_DONE = {"xong", "xong roi", "het roi", "da gui", "gui xong", "ok xong"}
_SKIP = {"bo qua", "khong co", "ko co", "k co", "khong", "ko", "k", "khong can"}


@dataclass(frozen=True)
class Step:
    key: str
    aliases: tuple[str, ...]
    """Folded words by which a citizen names the step in «sửa …»."""

    @property
    def label(self) -> str:
        return catalogue.FORM_LABELS[self.key]

    @property
    def question(self) -> str:
        return catalogue.FORM_QUESTIONS[self.key]


@dataclass(frozen=True)
class Purchase:
    """What an answer says of the purchase: an exact day, or a rough date as written, and an
    amount; each may be missing."""

    day: date | None
    rough_date: str
    amount: int | None

    @property
    def date_value(self) -> str:
        return self.day.isoformat() if self.day else self.rough_date

    @property
    def empty(self) -> bool:
        return not self.date_value and self.amount is None


def read_purchase(text: str, today: date) -> Purchase:
    day, rest = parse_date(text, today)
    rough = ""
    if day is None and (found := _APPROXIMATE_DATE.search(fold(text))):
        # ``fold`` keeps one character per character of NFC text: the span is the citizen's.
        rough = text[found.start() : found.end()].strip()
        rest = rest[: found.start()] + " " + rest[found.end() :]
    return Purchase(day, rough, parse_amount(rest))


STEPS = (
    Step("business", ("cua hang", "doanh nghiep", "ben ban", "shop", "ten", "dia chi", "cong ty")),
    Step("product", ("san pham", "dich vu", "hang")),
    Step("purchase", ("ngay", "gia", "so tien", "tien", "ngay mua")),
    Step("problem", ("su viec", "van de", "noi dung")),
    Step("desired", ("mong muon", "yeu cau", "de nghi")),
    Step("phone", ("so dien thoai", "sdt", "dien thoai", "so dt")),
    Step("evidence", ("anh", "hinh", "chung tu", "hoa don")),
)
_STEP = {step.key: step for step in STEPS}
PURCHASE_FIELDS = ("date", "amount")
PREFILLED_ENTITIES = ("business", "product")
"""NLU entities of the first message that answer a step of the form."""


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
        """The answer to the citizen's situation first, then the offer to record a complaint;
        when the law on the situation is not clear, the ways the law gives to settle it. What
        the message already says of the case is kept for the form."""
        turn.dialogue.clear()
        answer = await self._answer_question(turn)
        turn.dialogue.expecting = Expecting.COMPLAINT_OFFER
        turn.dialogue.fields = self._prefill(turn)
        if answer.action is Action.ANSWER:
            return replace(
                answer,
                text=f"{answer.text}\n\n{catalogue.COMPLAINT_OFFER_AFTER_ANSWER}",
                action=Action.COMPLAINT,
                quick_replies=answer.quick_replies + YES_NO,
            )
        explained = self._options()
        text = catalogue.COMPLAINT_OFFER
        citations = ()
        if explained:
            text = f"{explained.text}\n\n{text}"
            citations = explained.citations
        return turn.say(text, Action.COMPLAINT, citations=citations, quick_replies=YES_NO)

    async def on_offer_answer(self, turn: Turn) -> OutgoingMessage | None:
        answer = yes_or_no(turn.text.text, turn.intent.name)
        if answer is None:
            turn.dialogue.clear()
            return None
        if not answer:
            turn.dialogue.clear()
            return turn.say(catalogue.OFFER_DECLINED, Action.SMALLTALK)
        turn.dialogue.expecting = Expecting.CONSENT
        return turn.say(catalogue.PRIVACY_NOTICE, Action.COMPLAINT, quick_replies=_CONSENT)

    async def on_consent_answer(self, turn: Turn) -> OutgoingMessage:
        answer = yes_or_no(turn.text.text, turn.intent.name)
        if answer is None:
            return turn.say(
                f"{catalogue.YES_NO_HINT}\n\n{catalogue.PRIVACY_NOTICE}",
                Action.COMPLAINT,
                quick_replies=_CONSENT,
            )
        if not answer:
            turn.dialogue.clear()
            return turn.say(catalogue.NO_CONSENT, Action.SMALLTALK)
        dialogue = turn.dialogue
        dialogue.expecting, dialogue.step = Expecting.FORM, _next_step(dialogue.fields, None)
        dialogue.evidence = 0
        dialogue.consent_at = self._handoff.now()
        return self._ask(turn, catalogue.CONSENT_THANKS + _prefilled(dialogue.fields))

    def _prefill(self, turn: Turn) -> dict[str, object]:
        fields: dict[str, object] = {}
        for entity in turn.entities:
            value = entity.value.strip()
            if entity.entity in PREFILLED_ENTITIES and len(value) >= MIN_ANSWER_CHARS:
                fields.setdefault(entity.entity, value)
        purchase = read_purchase(turn.text.text, self._handoff.now().date())
        if purchase.date_value:
            fields["date"] = purchase.date_value
        if purchase.amount is not None:
            fields["amount"] = purchase.amount
        return fields

    async def on_form_answer(self, turn: Turn) -> OutgoingMessage:
        dialogue = turn.dialogue
        folded = fold(turn.text.text).strip(" .!?")
        if _wants_to_cancel(turn, folded):
            dialogue.clear()
            return turn.say(catalogue.COMPLAINT_CANCELLED, Action.SMALLTALK)
        step_key = dialogue.step
        if folded in _EDIT:
            dialogue.step = CHOOSE_ITEM
            return self._ask(turn, "")
        if step := self._item_to_correct(folded, step_key):
            dialogue.step, dialogue.editing = step.key, True
            return self._ask(turn, catalogue.CORRECTING.format(label=step.label))
        if step_key == CHOOSE_ITEM:
            return self._ask(turn, "")
        if step_key == CONFIRM:
            return await self._on_confirm(turn)
        if self._is_interruption(turn, step_key):
            answer = await self._answer_question(turn)
            question = self._ask(turn, "").text
            return turn.say(
                f"{answer.text}\n\n{catalogue.FORM_RESUME} {question}",
                answer.action,
                citations=answer.citations,
            )
        error = self._record(turn, step_key)
        if error:
            return self._ask(turn, f"{error} ")
        following = CONFIRM if dialogue.editing else _next_step(dialogue.fields, step_key)
        dialogue.editing = False
        if step_key == "evidence" and not self._evidence_finished(turn):
            return turn.say(
                catalogue.EVIDENCE_RECEIVED.format(count=dialogue.evidence),
                Action.COMPLAINT,
                quick_replies=(catalogue.DONE,),
            )
        dialogue.step = following
        return self._ask(turn, "")

    @staticmethod
    def _item_to_correct(folded: str, step_key: str) -> Step | None:
        """The item a «sửa …» names, or the item chosen after a bare «sửa». At the wishes step
        «đổi hàng» is a wish, not a correction of the product."""
        if step_key == CHOOSE_ITEM:
            return _step_named(folded)
        match = _CORRECT.match(folded)
        if not match or (step_key == "desired" and match.group(1) == "doi"):
            return None
        return _step_named(match.group(2))

    def _is_interruption(self, turn: Turn, step_key: str) -> bool:
        answers_step = step_key in ("phone", "purchase") and (
            parse_phone(turn.text.text) or dont_remember(turn.text.text)
        )
        if turn.message.attachments or answers_step:
            return False
        sure = turn.intent.confidence >= INTERRUPTION_CONFIDENCE
        asks_law = turn.intent.name.startswith("ask_law") and sure
        return asks_law and looks_like_question(turn.text.text)

    def _record(self, turn: Turn, step_key: str) -> str:
        """Store the answer to ``step_key``; return what is wrong with it, or ""."""
        fields = turn.dialogue.fields
        text = turn.text.text
        if step_key == "phone":
            phone = parse_phone(text)
            if phone is None:
                return catalogue.PHONE_INVALID
            fields["phone"] = phone
        elif step_key == "purchase":
            purchase = read_purchase(text, self._handoff.now().date())
            forgotten = purchase.empty and dont_remember(text)
            if purchase.empty and not forgotten:
                return catalogue.PURCHASE_INVALID
            if purchase.date_value:
                fields["date"] = purchase.date_value
            if purchase.amount is not None:
                fields["amount"] = purchase.amount
            for key in PURCHASE_FIELDS:
                # A correction changes only what it names; «không nhớ» forgets both.
                if key not in fields or (forgotten and turn.dialogue.editing):
                    fields[key] = catalogue.NOT_REMEMBERED
        elif step_key == "evidence":
            turn.dialogue.evidence += len(turn.message.attachments)
        elif len(text.strip()) < MIN_ANSWER_CHARS:
            return catalogue.ANSWER_TOO_SHORT
        else:
            fields[step_key] = text.strip()
        return ""

    def _evidence_finished(self, turn: Turn) -> bool:
        folded = fold(turn.text.text).strip(" .!")
        return not turn.message.attachments and (folded in _DONE or folded in _SKIP or not folded)

    async def _on_confirm(self, turn: Turn) -> OutgoingMessage:
        answer = yes_or_no(turn.text.text, turn.intent.name)
        if answer is None and "xac nhan" not in fold(turn.text.text):
            return self._ask(turn, catalogue.CONFIRM_HINT)
        if answer is False:
            turn.dialogue.clear()
            return turn.say(catalogue.COMPLAINT_CANCELLED, Action.SMALLTALK)
        fields = dict(turn.dialogue.fields)
        fields["evidence_count"] = turn.dialogue.evidence
        number, wait = await self._handoff.hand_over(
            turn.record, "complaint", fields, turn.dialogue.consent_at
        )
        turn.dialogue.clear()
        return turn.say(
            catalogue.COMPLAINT_RECORDED.format(number=number, wait=wait), Action.COMPLAINT
        )

    def _ask(self, turn: Turn, prefix: str) -> OutgoingMessage:
        step_key = turn.dialogue.step
        if step_key == CONFIRM:
            return turn.say(
                prefix + _summary(turn),
                Action.COMPLAINT,
                quick_replies=(catalogue.CONFIRM, catalogue.EDIT, catalogue.CANCEL),
            )
        if step_key == CHOOSE_ITEM:
            labels = tuple(step.label for step in STEPS)
            return turn.say(prefix + catalogue.WHICH_ITEM, Action.COMPLAINT, quick_replies=labels)
        quick = {
            "evidence": (catalogue.SKIP,),
            "purchase": (catalogue.DONT_REMEMBER,),
            "desired": catalogue.WISHES,
        }
        return turn.say(
            prefix + _STEP[step_key].question,
            Action.COMPLAINT,
            quick_replies=quick.get(step_key, ()),
        )


_CONSENT = (catalogue.AGREE, catalogue.NO)


def _summary(turn: Turn) -> str:
    fields = turn.dialogue.fields
    labels = catalogue.FORM_LABELS
    lines = [
        f"- {labels['business']}: {fields.get('business', '')}",
        f"- {labels['product']}: {fields.get('product', '')}",
        f"- Ngày mua: {_show_date(fields.get('date'))}; số tiền: "
        f"{_show_amount(fields.get('amount'))}",
        f"- {labels['problem']}: {fields.get('problem', '')}",
        f"- {labels['desired']}: {fields.get('desired', '')}",
        f"- {labels['phone']}: {fields.get('phone', '')}",
        f"- Ảnh, tệp đính kèm: {turn.dialogue.evidence}",
    ]
    return catalogue.SUMMARY.format(lines="\n".join(lines))


def _wants_to_cancel(turn: Turn, folded: str) -> bool:
    """«hủy», or what NLU is sure is a cancel; an answer with digits (a phone number, a date, an
    amount) never is: NLU sees it with personal data redacted."""
    if _CANCEL.match(folded):
        return True
    sure = turn.intent.name == "cancel" and turn.intent.confidence >= CANCEL_CONFIDENCE
    return sure and not any(c.isdigit() for c in turn.text.text)


def _step_named(words: str) -> Step | None:
    return next((s for s in STEPS if any(words.startswith(a) for a in s.aliases)), None)


def _answered(fields: dict[str, object], step: Step) -> bool:
    if step.key == "purchase":
        return all(key in fields for key in PURCHASE_FIELDS)
    return step.key in fields


def _next_step(fields: dict[str, object], after: str | None) -> str:
    """The first step after ``after`` (None: from the start) not answered yet."""
    keys = [step.key for step in STEPS]
    start = keys.index(after) + 1 if after else 0
    return next((s.key for s in STEPS[start:] if not _answered(fields, s)), CONFIRM)


def _prefilled(fields: dict[str, object]) -> str:
    if not fields:
        return ""
    items = [
        f"{catalogue.CASE_FIELDS[key].lower()} «{_show_value(key, value)}»"
        for key, value in fields.items()
    ]
    return catalogue.PREFILLED.format(items=", ".join(items))


def _show_value(key: str, value: object) -> str:
    """A recorded value as the citizen reads it (dates dd/mm/yyyy, amounts 1.500.000đ)."""
    if key == "date":
        return _show_date(value)
    if key == "amount":
        return _show_amount(value)
    return str(value)


def _show_date(value: object) -> str:
    """An exact date as dd/mm/yyyy; a rough one as the citizen wrote it."""
    if not isinstance(value, str):
        return catalogue.NOT_REMEMBERED
    try:
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    except ValueError:
        return value


def _show_amount(value: object) -> str:
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".") + "đ"
    return catalogue.NOT_REMEMBERED
