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
OUT_OF_SCOPE_WITH_POINTER = (
    "Xin lỗi, câu hỏi này nằm ngoài phạm vi tôi hỗ trợ (quyền lợi người tiêu dùng). {pointer} "
    "Nếu bạn có vướng mắc khi mua hàng hóa, dịch vụ, tôi sẵn lòng hỗ trợ."
)
OUT_OF_SCOPE_POINTERS = {
    "land": "Về đất đai, bạn nên hỏi Văn phòng đăng ký đất đai hoặc Ủy ban nhân dân cấp xã nơi có "
    "đất.",
    "traffic": "Về vi phạm giao thông và phạt nguội, bạn nên hỏi cơ quan Cảnh sát giao thông hoặc "
    "tra cứu trên Cổng dịch vụ công quốc gia.",
    "health": "Về sức khỏe, bạn nên hỏi bác sĩ hoặc cơ sở y tế; trường hợp khẩn cấp hãy gọi 115.",
    "tax": "Về thuế, bạn nên hỏi cơ quan thuế quản lý nơi bạn cư trú.",
    "family": "Về hôn nhân, gia đình, bạn nên hỏi Ủy ban nhân dân cấp xã hoặc Tòa án nhân dân.",
    "labour": "Về lao động, tiền lương, bảo hiểm xã hội, bạn nên hỏi cơ quan bảo hiểm xã hội hoặc "
    "cơ quan quản lý lao động ở địa phương.",
}
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
    "Bạn nên giữ hóa đơn, tin nhắn, hình ảnh liên quan và trao đổi bằng văn bản với bên bán; "
    "nhắn «khiếu nại» nếu cần ghi nhận hồ sơ."
)
CITE_CLAUSE = "khoản {clause} "
CITE_POINT = "điểm {point} "
CITE = "{clause}Điều {article} {document}"
LEGAL_BASIS = "Căn cứ: {basis}:\n«{quote}»"
BASIS_ONLY = "Căn cứ: {basis} (toàn văn ở phần «Xem thêm»)."
NEAREST_RULE = "Quy định gần nhất với câu hỏi của bạn là Điều {article} ({title}) {document}."
RELATED = "Có thể liên quan: {summary} ({basis})."
ARTICLE_SHORT = "Điều {article} {document}"
MORE = "Xem thêm"
DISCLAIMER = "Nội dung trên là thông tin tham khảo, không thay thế tư vấn pháp lý."
SEE_ALSO = "Xem thêm: {units}."
AMENDED = (
    "Lưu ý: {name} đã được sửa đổi, bổ sung; nội dung trích dẫn có thể chưa phản ánh quy định "
    "mới nhất."
)
AMENDED_BY = (
    "Lưu ý: {name} đã được sửa đổi, bổ sung bởi {by} từ ngày {date:%d/%m/%Y}; nội dung trích dẫn "
    "có thể chưa phản ánh quy định mới nhất."
)
NEWER_TEXT_FROM = (
    "Lưu ý: đây là quy định đang áp dụng; nội dung sửa đổi của {name} có hiệu lực từ ngày "
    "{date:%d/%m/%Y}."
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
CONFIRM, CANCEL, EDIT = "Xác nhận", "Hủy", "Sửa"
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
    "Bạn kiểm tra lại thông tin khiếu nại:\n{lines}\n\nNhắn «xác nhận» để gửi, «sửa» để sửa "
    "một mục (hoặc nói luôn, ví dụ «sửa số điện thoại»), hoặc «hủy» để dừng."
)
WHICH_ITEM = "Bạn muốn sửa mục nào?"
PREFILLED = (
    "Từ tin nhắn đầu của bạn, tôi đã ghi: {items}. Nếu chưa đúng, bạn sửa được ở bước cuối. "
)
WISHES = ("Đổi hàng", "Trả hàng hoàn tiền", "Sửa chữa", "Bồi thường")
"""Quick replies for what the citizen wants the business to do."""
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
COMPLAINT_OFFER_AFTER_ANSWER = (
    "Nếu bên bán không giải quyết, tôi có thể ghi nhận khiếu nại của bạn thành hồ sơ để chuyển cho "
    "cán bộ xử lý. Bạn có muốn không?"
)
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
    "Hồ sơ {number} {outcome}. Bạn đánh giá sự hỗ trợ của chúng tôi thế nào, từ 1 "
    "(không hài lòng) đến 5 (rất hài lòng)?"
)
STAFF_SIGNATURE = "{name} (cán bộ tư vấn):"
"""Put before a staff member's message on platforms that show no sender of their own."""
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
    "Tôi không thấy hồ sơ {number} trong cuộc trò chuyện này. Để bảo vệ thông tin của người khiếu "
    "nại, tình trạng hồ sơ chỉ được báo trong cuộc trò chuyện đã tạo ra hồ sơ (cùng tài khoản "
    "Zalo, Telegram hoặc cùng trình duyệt). Nếu bạn tạo hồ sơ từ thiết bị hay tài khoản khác, bạn "
    "hỏi lại từ đó nhé; nếu không, bạn kiểm tra lại mã giúp tôi (dạng KN-2026-000123)."
)

PHOTO_TOO_LARGE = "Ảnh lớn quá {limit} MB. Bạn vui lòng chọn ảnh nhỏ hơn rồi gửi lại."
PHOTO_NOT_AN_IMAGE = "Tôi chỉ nhận được ảnh JPEG, PNG hoặc WebP. Bạn vui lòng chọn một tệp ảnh."

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
NOBODY_WAITING = "Hiện không có ai đang chờ."
RELEASED = "Cuộc trò chuyện đã trở lại hàng chờ."
TRANSFERRED = "Đã chuyển cho {name}."
SENT = "Đã gửi tin nhắn."
NOTE_SAVED = "Đã lưu ghi chú nội bộ."
FIELDS_SAVED = "Đã lưu hồ sơ."
BACK_WITH_BOT = "Cuộc trò chuyện đã trở lại trợ lý tự động."
RESOLVED = "Hồ sơ đã được đóng; người dân được mời đánh giá."
CONFIRM_RESOLVE = "Hãy đánh dấu ô xác nhận trước khi kết thúc hồ sơ."
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
CITIZEN_OUTCOMES = {
    "resolved": "đã được giải quyết xong",
    "referred_mediation": "đã được chuyển sang hòa giải; tổ chức hòa giải sẽ liên hệ với bạn",
    "referred_authority": (
        "đã được chuyển tới cơ quan nhà nước có thẩm quyền; cơ quan này sẽ xem xét và trả lời bạn"
    ),
    "not_consumer_matter": (
        "đã đóng vì sự việc không thuộc lĩnh vực bảo vệ quyền lợi người tiêu dùng"
    ),
    "no_response": "đã đóng vì chúng tôi chưa nhận được phản hồi của bạn",
}
"""A closed case's outcome as the citizen hears it: a referral is not a settlement."""
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
CASE_FIELDS = {
    "business": "Bên bán",
    "product": "Sản phẩm, dịch vụ",
    "date": "Ngày mua",
    "amount": "Số tiền",
    "problem": "Sự việc",
    "desired": "Mong muốn",
    "phone": "Số điện thoại",
    "evidence_count": "Số ảnh, tệp gửi kèm",
}
"""The case file's fields as staff read them."""
PLATFORMS = {"telegram": "Telegram", "zalo": "Zalo", "web": "Web chat"}
LAW_TOPIC_INTENTS = frozenset(
    {
        "ask_law_purchase",
        "ask_law_warranty",
        "ask_law_quality",
        "ask_law_marketing",
        "ask_law_rights",
        "complain_business",
    }
)
"""The NLU intents that say a message is about consumer law."""
TOPIC_INTENTS = LAW_TOPIC_INTENTS | frozenset(
    {
        "ask_human",
        "check_case_status",
        "out_of_scope",
    }
)
"""Intents that name what a citizen asked about; answers («Đồng ý», «Hủy») and small talk do
not."""
HISTORY = {
    "claim": "{actor} nhận xử lý",
    "release": "{actor} trả về hàng chờ",
    "transfer": "{actor} chuyển cho {colleague}",
    "return_to_bot": "{actor} chuyển lại cho trợ lý tự động",
    "resolved": "{actor} kết thúc hồ sơ: {outcome}",
    "citizen_request": "Người dân yêu cầu gặp cán bộ",
    "complaint": "Người dân gửi khiếu nại",
    "back_to_bot": "Người dân quay lại trợ lý tự động",
}
"""A state change in words, by the reason recorded (``transfer:<username>`` and
``resolved:<outcome>`` carry a detail)."""
HISTORY_AT = "{event} lúc {time}"
CITIZEN = "Người dân"
BOT = "Trợ lý tự động"
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


# Editors: importing legal texts
IMPORT_PROBLEMS = {
    "metadata_missing": "thiếu «{field}»; hãy điền trong phần thông tin văn bản",
    "metadata_bad_date": "«{field}» phải là một ngày dạng năm-tháng-ngày, ví dụ 2026-07-01",
    "metadata_bad_number": "số hiệu «{doc}» không có dạng thường gặp (ví dụ 19/2023/QH15)",
    "metadata_bad_status": "tình trạng văn bản không hợp lệ",
    "no_articles": "không tìm thấy điều nào (dòng bắt đầu bằng «Điều 1.»)",
    "article_repeated": "số điều bị lặp lại",
    "article_out_of_order": "đứng sau Điều {after}: sai thứ tự",
    "article_missing": "thiếu Điều {missing} ở trước",
    "clauses_out_of_order": "các khoản không theo thứ tự ({order})",
    "points_out_of_order": "các điểm không theo thứ tự ({order})",
    "page_number": "số trang «{line}» nằm giữa nội dung; đã bỏ dòng này",
    "page_header": "tiêu đề trang «{line}» lặp lại giữa văn bản; đã bỏ dòng này",
    "heading_untitled": "«{heading}» không có tên",
}
WHERE_ARTICLE = "Điều {article}"
WHERE_CLAUSE = "khoản {clause} Điều {article}"
UNREADABLE_FILE = {
    "unsupported_format": (
        "Chưa đọc được định dạng «{detail}». Hãy dùng tệp .txt, .docx, .html hoặc .pdf."
    ),
    "not_utf8": "Tệp văn bản không ở mã UTF-8. Hãy lưu lại với mã UTF-8 rồi nhập lại.",
    "bad_front_matter": "Khối thông tin ở đầu tệp (giữa hai dòng ---) bị lỗi: {detail}",
    "unreadable_docx": "Không đọc được tệp Word này (tệp hỏng hoặc không phải .docx).",
    "unreadable_pdf": "Không đọc được tệp PDF này (tệp hỏng).",
    "pdf_without_text": (
        "Tệp PDF này là bản quét, không có lớp chữ. Hãy dùng bản Word hoặc HTML từ cổng thông tin."
    ),
    "empty_file": "Chưa chọn tệp, hoặc tệp rỗng.",
}
METADATA_FIELDS = {
    "doc": "Số hiệu",
    "kind": "Loại văn bản",
    "title": "Tên văn bản",
    "issuer": "Cơ quan ban hành",
    "issued": "Ngày ban hành",
    "effective": "Ngày có hiệu lực (của bản này)",
    "status": "Tình trạng",
    "guides": "Hướng dẫn văn bản",
    "replaces": "Thay thế văn bản",
    "repeals": "Bãi bỏ văn bản",
    "source_url": "Nguồn (địa chỉ trang)",
    "note": "Ghi chú",
}
DOCUMENT_STATUSES = {
    "in_force": "còn hiệu lực",
    "amended": "đã được sửa đổi (bản này chưa cập nhật)",
    "repealed": "hết hiệu lực",
}
EDITOR_NOT_ALLOWED = {
    "not_a_draft": "Bản nháp này không còn ở trạng thái nháp.",
    "draft_has_problems": "Chưa thể xuất bản: hãy sửa các lỗi được đánh dấu «cần sửa» trước.",
    "unknown_document": "Không có văn bản với số hiệu này.",
    "bad_event": "Loại sự kiện không hợp lệ.",
    "already_published": "Bản này đã được xuất bản; hãy tạo bản sửa mới.",
    "wrong_state": "Bản hướng dẫn không ở trạng thái cho phép thao tác này.",
    "not_in_review": "Chỉ xuất bản được bản đang chờ duyệt.",
    "own_draft": (
        "Bạn không thể tự xuất bản bản nháp của mình: một biên tập viên khác hoặc quản trị viên "
        "cần duyệt."
    ),
    "bad_citation": "Trích dẫn «{unit}» không có trong văn bản pháp luật.",
    "no_citation": "Cần ít nhất một trích dẫn.",
    "bad_entry_id": (
        "Mã mục chỉ gồm chữ thường không dấu, số và dấu gạch ngang (ví dụ doi-tra-hang-loi)."
    ),
    "entry_exists": "Đã có mục hướng dẫn với mã này.",
    "missing_fields": "Hãy điền tiêu đề, câu trả lời ngắn và ít nhất một câu hỏi.",
}
PUBLISHED_VERSION = "Đã xuất bản {doc}, phiên bản {version}. Trợ lý trả lời theo bản mới ngay."
PUBLISH_HELD = (
    "Chưa xuất bản: với thay đổi này, tỷ lệ tìm đúng (Recall@3) trên bộ câu hỏi kiểm tra giảm từ "
    "{before:.1%} xuống {after:.1%} (cho phép giảm tối đa {margin:.1%}). Xem các câu bị ảnh hưởng "
    "bên dưới."
)
EVENT_RECORDED = "Đã ghi nhận: {doc} {what} từ ngày {date:%d/%m/%Y}."
EVENT_WORDS = {"amended": "được sửa đổi, bổ sung", "repealed": "hết hiệu lực"}
DRAFT_SAVED = "Đã lưu bản nháp."
METADATA_SAVED = "Đã lưu thông tin văn bản."
DRAFT_DISCARDED = "Đã bỏ bản nháp."
SUBMITTED = "Đã gửi duyệt."
SENT_BACK = "Đã trả lại cho người soạn."
GUIDANCE_PUBLISHED = "Đã xuất bản mục hướng dẫn «{entry}»."
INBOX_TURNED = "Đã tạo bản nháp «{entry}» từ nhóm câu hỏi; hãy hoàn thiện rồi gửi duyệt."
INBOX_PHRASINGS = "Đã thêm các cách hỏi vào bản nháp của «{entry}»; hãy gửi duyệt."
INBOX_REASONS = {
    "clarify": "trợ lý hỏi lại",
    "out_of_scope": "trợ lý từ chối",
    "handoff_after_answer": "chuyển cán bộ sau câu trả lời",
    "low_rating": "đánh giá thấp",
}
GUIDANCE_STATUSES = {
    "draft": "Bản nháp",
    "review": "Chờ duyệt",
    "rejected": "Trả lại",
    "held": "Bị giữ lại (kiểm tra hồi quy)",
    "published": "Đã xuất bản",
    "retired": "Bản cũ",
}
AUDIT_COLUMNS = ("Thời điểm", "Người thực hiện", "Thao tác", "Đối tượng", "Trước", "Sau")
AUDIT_ACTIONS = {
    "case.fields": "Sửa hồ sơ",
    "kb.import": "Nhập văn bản",
    "kb.metadata": "Sửa thông tin văn bản",
    "kb.discard": "Bỏ bản nháp văn bản",
    "kb.publish": "Xuất bản văn bản",
    "kb.held": "Xuất bản bị giữ lại",
    "kb.amended": "Ghi nhận sửa đổi",
    "kb.repealed": "Ghi nhận hết hiệu lực",
    "guidance.save": "Lưu hướng dẫn",
    "guidance.submit": "Gửi duyệt hướng dẫn",
    "guidance.reject": "Trả lại hướng dẫn",
    "guidance.publish": "Xuất bản hướng dẫn",
    "guidance.held": "Hướng dẫn bị giữ lại",
    "inbox.entry": "Tạo hướng dẫn từ câu hỏi chưa trả lời",
    "inbox.phrasings": "Thêm cách hỏi từ câu hỏi chưa trả lời",
}
