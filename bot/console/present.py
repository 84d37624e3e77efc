"""What staff read: recorded values in Vietnamese (case fields, dates, amounts, masked phone
numbers, who did what and when), never internal keys or raw values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from bot.core import catalogue
from bot.core.answers import parse_amount, parse_phone
from bot.core.catalogue import CASE_FIELDS, OUTCOMES, label
from bot.storage.models import StateTransition

DATE_FIELD, AMOUNT_FIELD, PHONE_FIELD = "date", "amount", "phone"
PHONE_SHOWN_DIGITS = 3
"""Digits left visible at each end of a masked phone number."""
STAFF_ACTOR = "staff:"


def money(amount: int) -> str:
    """12.000.000 đ"""
    return f"{amount:,}".replace(",", ".") + " đ"


def shown_date(value: str) -> str:
    """An exact date as dd/mm/yyyy; a rough one («hồi tháng 9») as the citizen wrote it."""
    try:
        return f"{date.fromisoformat(value):%d/%m/%Y}"
    except ValueError:
        return value


def shown_value(key: str, value: object) -> str:
    if key == AMOUNT_FIELD and isinstance(value, int):
        return money(value)
    if key == DATE_FIELD and isinstance(value, str):
        return shown_date(value)
    return str(value)


def stored_value(key: str, text: str) -> object:
    """What staff typed into the case file, stored like the bot stores it: a date as
    YYYY-MM-DD, an amount as a number of đồng; anything else (and what does not read as a date
    or amount) as typed."""
    if key == AMOUNT_FIELD:
        digits = text.replace(".", "").replace(" ", "").removesuffix("đ")
        amount = int(digits) if digits.isdigit() else parse_amount(text)
        return text if amount is None else amount
    if key == DATE_FIELD:
        try:
            return datetime.strptime(text.strip(), "%d/%m/%Y").date().isoformat()
        except ValueError:
            return text
    return text


def mask_phone(phone: str) -> str:
    """0912 *** 678: enough to tell two citizens apart, not enough to call them."""
    digits = parse_phone(phone) or phone
    if len(digits) <= 2 * PHONE_SHOWN_DIGITS:
        return "*" * len(digits)
    return f"{digits[:4]} *** {digits[-PHONE_SHOWN_DIGITS:]}"


@dataclass(frozen=True)
class CaseField:
    key: str
    label: str
    shown: str
    """As staff read it."""
    editable: str
    """As the edit form shows it (dates dd/mm/yyyy, amounts with dots)."""


def case_fields(fields: Mapping[str, object]) -> list[CaseField]:
    return [
        CaseField(key, label(CASE_FIELDS, key), shown_value(key, value), _editable(key, value))
        for key, value in fields.items()
    ]


def _editable(key: str, value: object) -> str:
    return shown_value(key, value).removesuffix(" đ") if key != PHONE_FIELD else str(value)


class Names:
    """Staff display names by ID and by username; who wrote a message or made a change."""

    def __init__(self, users: list[tuple[int, str, str]]) -> None:
        self.by_id = {user_id: name for user_id, _, name in users}
        self.by_username = {username: name for _, username, name in users}

    def of_actor(self, actor: str | None) -> str:
        """``staff:lan`` → Trần Thị Lan; ``citizen`` → Người dân; the bot otherwise."""
        if actor and actor.startswith(STAFF_ACTOR):
            username = actor.removeprefix(STAFF_ACTOR)
            return self.by_username.get(username, username)
        return catalogue.CITIZEN if actor == "citizen" else catalogue.BOT

    def of_id(self, user_id: int | None) -> str:
        return self.by_id.get(user_id, "") if user_id is not None else ""


def history_line(transition: StateTransition, names: Names, at: Callable[[datetime], str]) -> str:
    """«Trần Thị Lan nhận xử lý lúc 15:12 30/11/2026»."""
    reason, _, detail = transition.reason.partition(":")
    template = catalogue.HISTORY.get(reason)
    if template is None:
        event = f"{transition.from_state} → {transition.to_state} ({transition.reason})"
    else:
        event = template.format(
            actor=names.of_actor(transition.actor),
            colleague=names.by_username.get(detail, detail),
            outcome=label(OUTCOMES, detail),
        )
    return catalogue.HISTORY_AT.format(event=event, time=at(transition.created_at))
