"""Every text the bot shows to citizens and staff (Vietnamese, NFC), and the names it gives to
what it records in English identifiers (intents, case kinds, statuses, outcomes, roles).

Texts with ``{placeholders}`` are filled with ``str.format``. Editors' guidance and the legal texts
are content, not part of this catalogue.
"""

GREET = (
    "Xin chào! Tôi là trợ lý thông tin về quyền lợi người tiêu dùng. Bạn có thể hỏi tôi về đổi trả "
    "hàng, bảo hành, mua hàng online, hợp đồng, quảng cáo sai sự thật, cách khiếu nại… "
    "Bạn đang gặp chuyện gì ạ?"
)
THANKS = "Không có gì ạ. Nếu cần hỏi thêm về quyền lợi người tiêu dùng, bạn cứ nhắn cho tôi nhé."
GOODBYE = "Chào bạn, chúc bạn một ngày tốt lành! Khi cần, bạn cứ quay lại hỏi nhé."
BOT_IDENTITY = (
    "Tôi là trợ lý tự động (chatbot) cung cấp thông tin về quyền lợi người tiêu dùng theo "
    "pháp luật Việt Nam. Mỗi câu trả lời của tôi đều dẫn điều luật làm căn cứ. Khi cần, tôi có "
    "thể chuyển bạn đến cán bộ tư vấn."
)
OUT_OF_SCOPE = (
    "Xin lỗi, câu hỏi này nằm ngoài phạm vi tôi hỗ trợ. Tôi cung cấp thông tin về quyền lợi người "
    "tiêu dùng khi mua hàng hóa, dịch vụ: đổi trả, bảo hành, hàng lỗi, hàng giả, mua bán online, "
    "hợp đồng, khiếu nại doanh nghiệp…"
)
EMPTY = (
    "Tôi chưa đọc được nội dung câu hỏi. Bạn vui lòng nhắn bằng chữ điều bạn muốn hỏi, ví dụ: "
    "«Mua hàng online bị lỗi có được đổi trả không?»"
)
TRUNCATED = "Tin nhắn của bạn khá dài nên tôi chỉ đọc phần đầu. "
NOT_SURE = (
    "Xin lỗi, tôi chưa tìm được quy định thật sự phù hợp với câu hỏi của bạn. Bạn có thể nói rõ "
    "hơn: bạn mua hàng hóa hay dịch vụ gì, mua ở đâu (cửa hàng, online, sàn thương mại điện tử) và "
    "đang gặp vấn đề gì? Nếu muốn, bạn cũng có thể nhắn «gặp cán bộ» để được tư vấn trực tiếp."
)
NEXT_STEP = (
    "Bước tiếp theo: hãy giữ lại hóa đơn, tin nhắn, hình ảnh liên quan và trao đổi bằng văn bản "
    "với bên bán. Nếu không được giải quyết, bạn có thể nhắn «khiếu nại» để tôi hướng dẫn, hoặc "
    "«gặp cán bộ» để được tư vấn trực tiếp. Nội dung trên là thông tin tham khảo, không thay thế "
    "tư vấn pháp lý."
)
CITE_CLAUSE = "khoản {clause} "
CITE_POINT = "điểm {point} "
CITE = "{clause}Điều {article} {document}"
LEGAL_BASIS = "Căn cứ pháp lý: theo {basis}:\n«{quote}»"
SEE_ALSO = "Xem thêm: {units}."
AMENDED = (
    "Lưu ý: {name} đã được sửa đổi, bổ sung; nội dung trích dẫn có thể chưa phản ánh quy định "
    "mới nhất."
)
NOT_IN_FORCE = "Lưu ý: {name} không còn hiệu lực; bạn nên kiểm tra văn bản thay thế."
IN_FORCE_FROM = "Lưu ý: {name} có hiệu lực từ ngày {date:%d/%m/%Y}."
SYSTEM_ERROR = (
    "Xin lỗi, hệ thống đang gặp trục trặc nên chưa trả lời được câu hỏi này. Bạn vui lòng thử lại "
    "sau ít phút."
)

# Complaint intake
YES, NO = "Có", "Không"
AGREE = "Đồng ý"
CONFIRM, CANCEL = "Xác nhận", "Hủy"
SKIP, DONE, DONT_REMEMBER = "Bỏ qua", "Xong", "Không nhớ"
CONSENT_THANKS = "Cảm ơn bạn. "
CORRECTING = "Vâng, bạn sửa mục «{label}». "
PHONE_INVALID = (
    "Số điện thoại chưa đúng. Bạn nhập lại giúp tôi số di động 10 chữ số, ví dụ 0912 345 678."
)
PURCHASE_INVALID = (
    "Tôi chưa đọc được ngày mua hoặc số tiền. Bạn ghi theo dạng 12/3/2026, 500.000đ, hoặc nhắn "
    "«không nhớ»."
)
ANSWER_TOO_SHORT = "Câu trả lời hơi ngắn."
EVIDENCE_RECEIVED = "Tôi đã nhận {count} ảnh/tệp. Gửi tiếp nếu còn, hoặc nhắn «xong»."
CONFIRM_HINT = "Bạn nhắn «xác nhận» để gửi, hoặc «sửa …» để sửa một mục. "
NOT_REMEMBERED = "không nhớ"
SUMMARY = (
    "Bạn kiểm tra lại thông tin khiếu nại:\n{lines}\n\nNhắn «xác nhận» để gửi, «sửa …» để sửa "
    "một mục (ví dụ «sửa số điện thoại»), hoặc «hủy» để dừng."
)
COMPLAINT_RECORDED = (
    "Tôi đã ghi nhận khiếu nại của bạn. Mã hồ sơ: {number}. {wait} Bạn có thể hỏi tình trạng hồ "
    "sơ bất cứ lúc nào bằng cách nhắn mã {number}."
)
FORM_QUESTIONS = {
    "business": (
        "Tên cửa hàng hoặc doanh nghiệp bạn muốn khiếu nại là gì, kèm địa chỉ hoặc trang "
        "web/gian hàng của họ?"
    ),
    "product": "Bạn đã mua sản phẩm hoặc dùng dịch vụ gì?",
    "purchase": (
        "Bạn mua vào ngày nào và với giá bao nhiêu? (Ví dụ: 12/3/2026, 1.500.000đ. Nếu không "
        "nhớ, bạn cứ nhắn «không nhớ».)"
    ),
    "problem": "Chuyện gì đã xảy ra? Bạn mô tả ngắn gọn vấn đề bạn gặp phải.",
    "desired": (
        "Bạn mong muốn bên bán giải quyết thế nào? (Ví dụ: đổi hàng, trả lại tiền, sửa chữa, "
        "bồi thường.)"
    ),
    "phone": "Số điện thoại để cán bộ liên hệ với bạn là gì?",
    "evidence": (
        "Bạn có ảnh hóa đơn, sản phẩm hoặc tin nhắn với bên bán không? Hãy gửi ảnh vào đây; gửi "
        "xong thì nhắn «xong». Nếu không có, nhắn «bỏ qua»."
    ),
}
COMPLAINT_OFFER = (
    "Thông tin thực tế (không phải trích dẫn luật): ở địa phương, đơn của người tiêu dùng thường "
    "được gửi tới Sở Công Thương tỉnh, thành phố; bạn cũng có thể gọi Tổng đài tư vấn, hỗ trợ "
    "người tiêu dùng 1800.6838 (miễn phí).\n\n"
    "Bạn có muốn tôi ghi nhận khiếu nại này thành hồ sơ để chuyển cho cán bộ xử lý không?"
)
PRIVACY_NOTICE = (
    "Để ghi nhận khiếu nại, tôi sẽ hỏi bạn vài thông tin: bên bán, sản phẩm hoặc dịch vụ, ngày "
    "mua và số tiền, sự việc, mong muốn của bạn, số điện thoại liên hệ và ảnh chứng từ (nếu có). "
    "Các thông tin này chỉ dùng để cán bộ giải quyết khiếu nại của bạn, được lưu trữ an toàn và "
    "không cung cấp cho bên khác ngoài cơ quan, tổ chức có thẩm quyền giải quyết. Bạn có thể nhắn "
    "«hủy» bất cứ lúc nào.\n\nBạn có đồng ý để tôi ghi lại các thông tin này không?"
)
NO_CONSENT = (
    "Vâng, tôi sẽ không ghi lại thông tin nào. Bạn vẫn có thể hỏi tôi về quyền lợi của mình, hoặc "
    "nhắn «gặp cán bộ» khi cần."
)
OFFER_DECLINED = "Vâng. Nếu cần, bạn cứ hỏi tiếp hoặc nhắn «khiếu nại» khi muốn ghi nhận hồ sơ."
COMPLAINT_CANCELLED = (
    "Tôi đã hủy việc ghi nhận khiếu nại; những thông tin bạn vừa nhập không được lưu thành hồ sơ. "
    "Bạn cứ hỏi tiếp nếu cần nhé."
)
FORM_RESUME = "Quay lại hồ sơ khiếu nại của bạn:"
YES_NO_HINT = "Bạn vui lòng trả lời «Có» hoặc «Không»."

# Handoff
HANDED_OVER = (
    "Tôi đã chuyển bạn đến cán bộ tư vấn. Mã hồ sơ của bạn: {number}. {wait} Trong lúc chờ, bạn "
    "có thể mô tả ngắn gọn sự việc để cán bộ nắm trước."
)
WAIT_IN_HOURS = (
    "Cán bộ tư vấn sẽ trả lời bạn ngay trong cuộc trò chuyện này, thường trong khoảng "
    "{minutes} phút."
)
WAIT_OUT_OF_HOURS = (
    "Hiện đang ngoài giờ làm việc ({hours}). Cán bộ sẽ trả lời bạn từ {opening}. {hotline}"
)
WORKING_HOURS = "{opens}–{closes}, {first_day} đến {last_day}"
OPENING = "{time} {weekday}, ngày {date}"
WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")
STAFF_JOINED = "Cán bộ {name} đã tham gia cuộc trò chuyện."
RETURNED_TO_BOT = (
    "Cuộc trò chuyện đã được chuyển lại cho trợ lý tự động. Bạn cứ tiếp tục đặt câu hỏi; khi cần "
    "gặp cán bộ, hãy nhắn «gặp cán bộ»."
)
CASE_CLOSED_RATE = (
    "Hồ sơ {number} đã được xử lý xong. Bạn đánh giá sự hỗ trợ của chúng tôi thế nào, từ 1 "
    "(không hài lòng) đến 5 (rất hài lòng)?"
)
RATINGS = ("1", "2", "3", "4", "5")
HANDOFF_OFFER = (
    "Có vẻ tôi chưa hiểu đúng ý bạn. Bạn có muốn nói chuyện trực tiếp với cán bộ tư vấn không?"
)
DISTRESS_OFFER = (
    "Tôi hiểu bạn đang rất bức xúc. Nếu muốn, tôi có thể chuyển bạn đến cán bộ tư vấn ngay. "
    "Bạn có muốn gặp cán bộ không?"
)
SELF_HARM = (
    "Tôi rất lo cho bạn. Nếu bạn đang gặp nguy hiểm, hãy gọi ngay 115 (cấp cứu) hoặc nhờ người "
    "thân ở bên cạnh. Tôi đã chuyển cuộc trò chuyện cho cán bộ để hỗ trợ bạn."
)
BACK_TO_BOT = (
    "Bạn đã quay lại trò chuyện với trợ lý tự động. Hồ sơ của bạn vẫn được giữ nguyên; bạn cứ hỏi "
    "tôi về quyền lợi người tiêu dùng nhé."
)
HOTLINE = (
    "Nếu cần gấp, bạn có thể gọi Tổng đài tư vấn, hỗ trợ người tiêu dùng 1800.6838 (miễn phí)."
)

# Safety
INJECTION = (
    "Tôi chỉ hỗ trợ thông tin về quyền lợi người tiêu dùng theo pháp luật Việt Nam và không thể "
    "thay đổi vai trò hay tiết lộ hướng dẫn nội bộ. Bạn cần hỏi gì về mua bán hàng hóa, dịch vụ ạ?"
)
ABUSE = (
    "Tôi hiểu bạn đang không hài lòng. Tôi ở đây để giúp bạn về quyền lợi người tiêu dùng; bạn "
    "hãy kể cho tôi sự việc, hoặc nhắn «gặp cán bộ» để trao đổi với cán bộ tư vấn."
)

# Case status
CASE_LINE = "Hồ sơ {number} ({kind}, tạo ngày {created:%d/%m/%Y}): {status}."
NO_CASES = (
    "Tôi chưa thấy hồ sơ nào trong cuộc trò chuyện này. Nếu bạn có mã hồ sơ (dạng KN-2026-000123), "
    "hãy nhắn mã đó cho tôi."
)
CASE_NOT_FOUND = (
    "Tôi không tìm thấy hồ sơ {number} trong cuộc trò chuyện của bạn. Bạn kiểm tra lại mã giúp tôi "
    "nhé (dạng KN-2026-000123)."
)

ATTACHMENT_RECEIVED = (
    "Tôi đã nhận ảnh/tệp của bạn. Nếu bạn muốn khiếu nại một cửa hàng hay doanh nghiệp, hãy nhắn "
    "«khiếu nại» để tôi hướng dẫn ghi nhận hồ sơ kèm ảnh này."
)
NOTHING_TO_CONFIRM = "Vâng. Bạn cần hỏi gì về quyền lợi người tiêu dùng ạ?"
NOTHING_TO_CANCEL = "Hiện không có việc gì đang làm dở để hủy. Bạn cần hỏi gì thêm không ạ?"
ALREADY_WITH_BOT = "Bạn đang trò chuyện với trợ lý tự động. Bạn cần hỏi gì ạ?"

HELP = (
    "Tôi trả lời câu hỏi về quyền lợi người tiêu dùng và dẫn điều luật làm căn cứ. Bạn có thể:\n"
    "- hỏi, ví dụ «Mua hàng online bị lỗi có được đổi trả không?»;\n"
    "- nhắn «khiếu nại» để tôi ghi nhận khiếu nại với một cửa hàng, doanh nghiệp;\n"
    "- nhắn «gặp cán bộ» (hoặc /nhanvien) để trao đổi với cán bộ tư vấn;\n"
    "- nhắn mã hồ sơ (dạng KN-2026-000123) để hỏi tình trạng hồ sơ."
)
STICKER = (
    "Cảm ơn bạn! Tôi chưa đọc được nhãn dán hay ảnh động. Bạn nhắn bằng chữ điều bạn muốn hỏi "
    "giúp tôi nhé."
)
RATING_THANKS = (
    "Cảm ơn bạn đã đánh giá! Ý kiến của bạn giúp chúng tôi phục vụ tốt hơn. Khi cần, bạn cứ nhắn "
    "cho tôi nhé."
)

# The web chat's page and API
BAD_REQUEST = (
    "Xin lỗi, tin nhắn gửi lên không đúng định dạng. Bạn vui lòng tải lại trang và thử lại."
)
TOO_LONG = (
    "Tin nhắn của bạn dài quá {limit} ký tự. Bạn vui lòng rút gọn, hoặc chia thành vài tin nhắn "
    "ngắn rồi gửi lại."
)
SLOW_DOWN = (
    "Bạn đang gửi hơi nhanh. Bạn vui lòng chờ khoảng {seconds} giây rồi gửi tiếp nhé; tin nhắn "
    "vừa rồi chưa được gửi đi."
)
TEMPORARILY_UNAVAILABLE = (
    "Xin lỗi, hệ thống đang tạm gián đoạn. Bạn vui lòng thử lại sau ít phút; tin nhắn vừa rồi "
    "chưa được gửi đi."
)
TOO_LARGE = "Xin lỗi, nội dung gửi lên quá lớn. Bạn vui lòng rút gọn rồi gửi lại."
MAINTENANCE = (
    "Trợ lý đang tạm dừng để bảo trì. {notice}\nTin nhắn của bạn đã được ghi nhận. {hotline}"
)
MAINTENANCE_DEFAULT_NOTICE = "Bạn vui lòng quay lại sau ít phút."
RETAINED_TEXT = "[Nội dung đã được xóa khi hết thời hạn lưu trữ]"

# Staff
STAFF_NOTICE = "Hồ sơ mới {number} ({kind}) đang chờ cán bộ.\n{link}"
NOT_FOUND = "Không tìm thấy cuộc trò chuyện."
NOT_WAITING = "Cuộc trò chuyện này không còn chờ cán bộ."
TAKEN = "Một cán bộ khác vừa nhận cuộc trò chuyện này."
CLAIM_FIRST = "Hãy nhận cuộc trò chuyện trước."
HELD_BY_OTHER = "Cuộc trò chuyện đang do cán bộ khác phụ trách."
CANNOT_TRANSFER = "Không thể chuyển cho tài khoản này."
NO_CASE = "Cuộc trò chuyện chưa có hồ sơ."
EMPTY_MESSAGE = "Tin nhắn trống."
EMPTY_NOTE = "Ghi chú trống."
BAD_OUTCOME = "Kết quả xử lý không hợp lệ."
FILE_NOT_FOUND = "Không tìm thấy tệp."
CLAIMED = "Bạn đã nhận cuộc trò chuyện."
RELEASED = "Cuộc trò chuyện đã trở lại hàng chờ."
TRANSFERRED = "Đã chuyển cho {name}."
SENT = "Đã gửi tin nhắn."
NOTE_SAVED = "Đã lưu ghi chú nội bộ."
FIELDS_SAVED = "Đã lưu hồ sơ."
BACK_WITH_BOT = "Cuộc trò chuyện đã trở lại trợ lý tự động."
RESOLVED = "Hồ sơ đã được đóng; người dân được mời đánh giá."
NO_SUCH_ACTION = "Không có thao tác này."
BAD_FORM = "Dữ liệu gửi lên không hợp lệ."
FORBIDDEN_PAGE = "Bạn không có quyền mở trang này."
BAD_CSRF = "Phiên làm việc không hợp lệ. Vui lòng tải lại trang."
LOGIN_EXPIRED = "Phiên đăng nhập hết hạn, vui lòng thử lại."
LOGIN_THROTTLED = (
    "Bạn đã nhập sai quá nhiều lần. Vui lòng thử lại sau {seconds} giây hoặc liên hệ quản trị viên."
)
LOGIN_WRONG = "Tên đăng nhập hoặc mật khẩu không đúng."
SESSION_NOT_FOUND = "Không tìm thấy phiên đăng nhập này."
SESSION_REVOKED = "Đã đăng xuất phiên đó."
DEAD_LETTER_RETRIED = "Đã đưa tin nhắn vào hàng xử lý lại."
ATTACHMENT_UNAVAILABLE = "Không tải được tệp này từ nền tảng (có thể đã hết hạn hoặc quá lớn)."

# Names of what the bot records
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
REASONS = {"citizen_request": "người dân yêu cầu", "complaint": "khiếu nại"}
CASE_KINDS = {"complaint": "khiếu nại", "handoff": "yêu cầu gặp cán bộ"}
CASE_KIND_TITLES = {"complaint": "Khiếu nại", "handoff": "Gặp cán bộ"}
CASE_STATUSES = {
    "open": "đang chờ cán bộ xử lý",
    "in_progress": "cán bộ đang xử lý",
    "resolved": "đã giải quyết xong",
    "closed": "đã đóng",
}
OUTCOMES = {
    "resolved": "Đã giải quyết",
    "referred_mediation": "Chuyển hòa giải",
    "referred_authority": "Chuyển cơ quan chức năng",
    "not_consumer_matter": "Không thuộc lĩnh vực bảo vệ người tiêu dùng",
    "no_response": "Người dân không phản hồi",
}
ROLES = {"staff": "Cán bộ", "editor": "Biên tập viên", "admin": "Quản trị viên"}
FORM_LABELS = {
    "business": "Bên bán",
    "product": "Sản phẩm, dịch vụ",
    "purchase": "Ngày mua, số tiền",
    "problem": "Sự việc",
    "desired": "Mong muốn",
    "phone": "Số điện thoại",
    "evidence": "Ảnh chứng từ",
}


def label(names: dict[str, str], key: str | None) -> str:
    """The Vietnamese name of a recorded value; the value itself when it has none."""
    return names.get(key or "", key or "")
