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
