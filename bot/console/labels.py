"""Vietnamese names for what the bot records in English identifiers (intents, reasons)."""

from __future__ import annotations

INTENTS = {
    "ask_law_purchase": "Mua bán, đổi trả, mua online, hợp đồng, dịch vụ",
    "ask_law_warranty": "Bảo hành",
    "ask_law_quality": "Chất lượng, hàng lỗi, hàng giả",
    "ask_law_marketing": "Quảng cáo, khuyến mại, tin nhắn rác",
    "ask_law_rights": "Quyền của người tiêu dùng, khiếu nại",
    "complain_business": "Khiếu nại doanh nghiệp",
    "ask_human": "Muốn gặp cán bộ",
    "check_case_status": "Hỏi tình trạng hồ sơ",
    "out_of_scope": "Ngoài phạm vi",
    "greet": "Chào hỏi",
    "thanks": "Cảm ơn",
    "goodbye": "Tạm biệt",
    "bot_identity": "Hỏi về trợ lý",
    "affirm": "Đồng ý",
    "deny": "Từ chối",
    "cancel": "Hủy",
    "back_to_bot": "Quay lại trợ lý",
    "nlu_unavailable": "Không rõ (NLU không hoạt động)",
}
REASONS = {
    "citizen_request": "người dân yêu cầu",
    "complaint": "khiếu nại",
}


def intent_label(intent: str) -> str:
    return INTENTS.get(intent, intent)


def reason_label(reason: str) -> str:
    return REASONS.get(reason, reason)
