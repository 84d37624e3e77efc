"""Shared by the editors' tests: legal texts as editors bring them in (an amended law, a new
decree, malformed texts, a text that would hurt retrieval), written in the formats the portals
publish."""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document as WordDocument

from tests.conftest import CORPUS_DIR

LAW = CORPUS_DIR / "luat-19-2023-qh15.txt"
OLD_CLAUSE = (
    "1. Tổ chức, cá nhân kinh doanh phải dành thời gian hợp lý để người tiêu dùng nghiên cứu "
    "hợp đồng trước khi giao kết hợp đồng theo mẫu."
)
NEW_WORDING = "dành ít nhất 05 ngày làm việc để người tiêu dùng nghiên cứu hợp đồng"
NEW_CLAUSE = (
    f"1. Tổ chức, cá nhân kinh doanh phải {NEW_WORDING} trước khi giao kết hợp đồng theo mẫu."
)
CONTRACT_QUESTION = "hợp đồng theo mẫu thì người bán phải cho tôi bao lâu để đọc trước khi ký?"
AMENDED_FROM = "2026-01-01"


def amended_law_text(effective: str = AMENDED_FROM) -> str:
    """Law 19/2023/QH15 with clause 1 of Article 26 amended, in the corpus layout."""
    text = LAW.read_text(encoding="utf-8")
    assert OLD_CLAUSE in text
    return text.replace(OLD_CLAUSE, NEW_CLAUSE).replace(
        'effective: "2024-07-01"', f'effective: "{effective}"'
    )


def law_body_lines(text: str) -> list[str]:
    """The body's paragraphs (no front matter), as a Word document holds them."""
    body = text.split("\n---\n", 1)[1]
    return [line for line in body.splitlines() if line.strip()]


def docx_bytes(
    lines: list[str], header: tuple[str, str] = ("QUỐC HỘI", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM")
) -> bytes:
    """A Word file as the portals publish it: a header table, then one paragraph per line."""
    word = WordDocument()
    table = word.add_table(rows=1, cols=2)
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for line in lines:
        word.add_paragraph(line)
    out = io.BytesIO()
    word.save(out)
    return out.getvalue()


def amended_law_docx(path: Path) -> Path:
    path.write_bytes(docx_bytes(law_body_lines(amended_law_text())))
    return path


NEW_DECREE_LINES = [
    "CHÍNH PHỦ",
    "Số: 77/2026/NĐ-CP",
    "Hà Nội, ngày 15 tháng 3 năm 2026",
    "NGHỊ ĐỊNH",
    "Quy định về bảo hành thiết bị điện gia dụng",
    "Chương I",
    "QUY ĐỊNH CHUNG",
    "Điều 1. Phạm vi điều chỉnh",
    "Nghị định này quy định thời hạn bảo hành tối thiểu đối với máy giặt, tủ lạnh, điều hòa.",
    "Điều 2. Thời hạn bảo hành tối thiểu",
    "1. Máy giặt, tủ lạnh, điều hòa được bảo hành tối thiểu 24 tháng kể từ ngày giao hàng.",
    "2. Trong thời hạn bảo hành, người bán không được thu phí linh kiện thay thế.",
    "Điều 3. Hiệu lực thi hành",
    "Nghị định này có hiệu lực thi hành từ ngày 01 tháng 5 năm 2026.",
]

MALFORMED_LINES = [
    "QUỐC HỘI",
    "Luật số: 88/2026/QH15",
    "LUẬT",
    "THỬ NGHIỆM",
    "Điều 1. Phạm vi",
    "Luật này thử nghiệm việc nhập văn bản.",
    "Điều 2. Quy định thứ hai",
    "1. Khoản thứ nhất của điều hai",
    "3. Khoản thứ ba đứng ngay sau khoản một",
    "Điều 2. Điều hai lặp lại",
    "Nội dung lặp.",
    "Điều 5. Quy định thứ năm",
    "1. Người bán phải",
    "12",
    "giao hàng đúng hẹn.",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "a) điểm a;",
    "c) điểm c đứng ngay sau điểm a.",
]

TRUNCATED_AFTER = 20


def truncated_law_text() -> str:
    """Law 19/2023/QH15 cut after Article 20, as a damaged export would be: the rest of the law
    would vanish from the answers, which the regression gate must stop."""
    text = amended_law_text()
    return text[: text.index(f"Điều {TRUNCATED_AFTER + 1}.")]
