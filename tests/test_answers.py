"""Reading the citizen's short answers in the complaint form, and staff working hours."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from bot.core.answers import dont_remember, parse_amount, parse_date, parse_phone, yes_or_no
from bot.core.handoff import WorkingHours

TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Có", True),
        ("dạ có ạ", True),
        ("ok bạn", True),
        ("dc", True),
        ("Đồng ý", True),
        ("không", False),
        ("ko", False),
        ("dạ không cần đâu ạ", False),
        ("thôi", False),
        ("có bảo hành không", None),
        ("shop ABC", None),
    ],
)
def test_yes_or_no(text: str, answer: bool | None) -> None:
    assert yes_or_no(text) is answer


@pytest.mark.parametrize(
    ("text", "phone"),
    [
        ("0912345678", "0912345678"),
        ("sdt cua toi 0912 345 678 nhe", "0912345678"),
        ("+84 912.345.678", "0912345678"),
        ("84912345678", "0912345678"),
        ("(028) 3822 1234", "02838221234"),
        ("091234", None),
        ("1800.6838", None),
        ("0123456789", None),
    ],
)
def test_phone_numbers(text: str, phone: str | None) -> None:
    assert parse_phone(text) == phone


@pytest.mark.parametrize(
    ("text", "day", "amount"),
    [
        ("mua ngày 10/11/2026, giá 8.500.000đ", date(2026, 11, 10), 8_500_000),
        ("12/3 gia 500k", date(2026, 3, 12), 500_000),
        ("hôm qua, 1,5 triệu", date(2026, 11, 22), 1_500_000),
        ("ngay 5 thang 10 nam 2026 het 2tr", date(2026, 10, 5), 2_000_000),
        ("300.000 đồng", None, 300_000),
        ("ngày 30/2/2026", None, None),
        ("ngày 1/12/2026", None, None),
    ],
)
def test_dates_and_amounts(text: str, day: date | None, amount: int | None) -> None:
    found, rest = parse_date(text, TODAY)
    assert found == day
    assert parse_amount(rest) == amount


def test_dont_remember() -> None:
    assert dont_remember("không nhớ") and dont_remember("ko nho lam") and dont_remember("k ro")
    assert not dont_remember("nhớ rồi, 12/3")


HOURS = WorkingHours.parse("08:00-17:00", "0-4", "Asia/Ho_Chi_Minh")


@pytest.mark.parametrize(
    ("moment", "is_open", "next_opening"),
    [
        ("2026-11-23T10:00:00+07:00", True, "2026-11-24T08:00:00+07:00"),
        ("2026-11-23T02:00:00+00:00", True, "2026-11-24T08:00:00+07:00"),
        ("2026-11-23T07:59:00+07:00", False, "2026-11-23T08:00:00+07:00"),
        ("2026-11-23T17:00:00+07:00", False, "2026-11-24T08:00:00+07:00"),
        ("2026-11-27T18:00:00+07:00", False, "2026-11-30T08:00:00+07:00"),
        ("2026-11-28T10:00:00+07:00", False, "2026-11-30T08:00:00+07:00"),
    ],
)
def test_working_hours_in_vietnam_time(moment: str, is_open: bool, next_opening: str) -> None:
    at = datetime.fromisoformat(moment)
    assert HOURS.is_open(at) is is_open
    assert HOURS.next_opening(at) == datetime.fromisoformat(next_opening)
