"""Fixed citizen-facing texts (Vietnamese, NFC)."""

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
HUMAN_REQUEST = (
    "Tôi đã ghi nhận bạn muốn trao đổi với cán bộ tư vấn. Cán bộ sẽ trả lời bạn ngay trong cuộc "
    "trò chuyện này, trong giờ làm việc. Trong lúc chờ, bạn có thể mô tả ngắn gọn sự việc để "
    "cán bộ nắm trước."
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
COMPLAINT_INTRO = (
    "Tôi rất tiếc về sự việc bạn gặp phải. Dưới đây là quy định liên quan để bạn tham khảo:\n\n"
)
NEXT_STEP = (
    "Bước tiếp theo: hãy giữ lại hóa đơn, tin nhắn, hình ảnh liên quan và trao đổi bằng văn bản "
    "với bên bán. Nếu không được giải quyết, bạn có thể nhắn «khiếu nại» để tôi hướng dẫn, hoặc "
    "«gặp cán bộ» để được tư vấn trực tiếp. Nội dung trên là thông tin tham khảo, không thay thế "
    "tư vấn pháp lý."
)
SYSTEM_ERROR = (
    "Xin lỗi, hệ thống đang gặp trục trặc nên chưa trả lời được câu hỏi này. Bạn vui lòng thử lại "
    "sau ít phút."
)

# Complaint intake
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
