"""What staff read instead of internal keys and raw values: labels, dates, amounts, masked phone
numbers and the history in words."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.console.present import (
    Names,
    case_fields,
    history_line,
    mask_phone,
    money,
    stored_value,
)
from bot.storage.models import StateTransition

NAMES = Names([(1, "lan", "Trần Thị Lan"), (2, "minh", "Lê Văn Minh")])
AT = datetime(2026, 11, 30, 8, 12, tzinfo=UTC)


def test_a_case_file_reads_in_vietnamese() -> None:
    fields = case_fields(
        {
            "business": "Điện máy Hoàng Long",
            "date": "2026-09-15",
            "amount": 12_000_000,
            "evidence_count": 2,
            "nguoi_lien_he": "chị Hoa",
        }
    )
    shown = [(f.label, f.shown) for f in fields]
    assert shown == [
        ("Bên bán", "Điện máy Hoàng Long"),
        ("Ngày mua", "15/09/2026"),
        ("Số tiền", "12.000.000 đ"),
        ("Số ảnh, tệp gửi kèm", "2"),
        ("nguoi_lien_he", "chị Hoa"),  # a field staff added keeps the name they gave it
    ]
    assert [f.editable for f in fields[1:3]] == ["15/09/2026", "12.000.000"]
    assert case_fields({"date": "hồi tháng 9"})[0].shown == "hồi tháng 9"


def test_what_staff_type_is_stored_like_the_bot_stores_it() -> None:
    assert stored_value("date", "15/09/2026") == "2026-09-15"
    assert stored_value("date", "khoảng tháng 9") == "khoảng tháng 9"
    assert stored_value("amount", "12.000.000") == 12_000_000
    assert stored_value("amount", "12000000 đ") == 12_000_000
    assert stored_value("amount", "2 triệu") == 2_000_000
    assert stored_value("amount", "chưa rõ") == "chưa rõ"
    assert stored_value("business", "12.000.000") == "12.000.000"
    assert money(1_500_000) == "1.500.000 đ"


def test_phone_numbers_are_masked() -> None:
    assert mask_phone("0912345678") == "0912 *** 678"
    assert mask_phone("+84 912 345 678") == "0912 *** 678"
    assert "345" not in mask_phone("0912345678")


def test_the_history_in_words_with_display_names() -> None:
    def line(actor: str, reason: str) -> str:
        move = StateTransition(
            from_state="waiting_staff", to_state="with_staff", actor=actor, reason=reason
        )
        move.created_at = AT
        return history_line(move, NAMES, lambda m: f"{m:%H:%M}")

    assert line("staff:lan", "claim") == "Trần Thị Lan nhận xử lý lúc 08:12"
    assert line("staff:lan", "transfer:minh") == "Trần Thị Lan chuyển cho Lê Văn Minh lúc 08:12"
    assert line("staff:minh", "resolved:referred_authority") == (
        "Lê Văn Minh kết thúc hồ sơ: Chuyển cơ quan chức năng lúc 08:12"
    )
    assert line("bot", "citizen_request") == "Người dân yêu cầu gặp cán bộ lúc 08:12"
    assert line("citizen", "back_to_bot") == "Người dân quay lại trợ lý tự động lúc 08:12"
