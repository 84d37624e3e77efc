"""The importer on the formats the official portals publish (Word, HTML, PDF with a text layer,
plain text) and on malformed texts: the structure and metadata found, and clear warnings."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser

from bot.editing.words import describe, unreadable
from knowledge_base.importing import UnreadableFile, import_file
from tests.browser_support import chromium
from tests.conftest import CORPUS_DIR
from tests.editing_support import (
    MALFORMED_LINES,
    NEW_DECREE_LINES,
    amended_law_text,
    docx_bytes,
    law_body_lines,
)

CORPUS_ARTICLES = {"19/2023/QH15": 80, "55/2024/NĐ-CP": 30, "05/2007/QH12": 72}


@pytest.mark.parametrize("name", sorted(p.name for p in CORPUS_DIR.glob("*.txt")))
def test_the_corpus_layout_imports_as_it_parses(name: str) -> None:
    parsed = import_file(name, (CORPUS_DIR / name).read_bytes())
    assert not parsed.blocking
    doc = parsed.metadata["doc"]
    if doc in CORPUS_ARTICLES:
        assert len(parsed.articles) == CORPUS_ARTICLES[doc]


def test_a_word_file_gives_structure_and_the_metadata_it_states() -> None:
    parsed = import_file("nghi-dinh.docx", docx_bytes(NEW_DECREE_LINES, ("CHÍNH PHỦ", "")))
    assert parsed.metadata | {"title": ""} == {
        "doc": "77/2026/NĐ-CP",
        "kind": "Nghị định",
        "issuer": "Chính phủ",
        "issued": "2026-03-15",
        "effective": "2026-05-01",
        "status": "in_force",
        "title": "",
    }
    assert parsed.metadata["title"] == "Nghị định quy định về bảo hành thiết bị điện gia dụng"
    assert [a.number for a in parsed.articles] == [1, 2, 3]
    assert [c.number for c in parsed.articles[1].clauses] == [1, 2]
    assert parsed.articles[0].headings[0] == "Chương I QUY ĐỊNH CHUNG"
    assert parsed.problems == []


def test_a_whole_law_from_word_keeps_every_article_and_clause() -> None:
    text = amended_law_text()
    parsed = import_file("luat.docx", docx_bytes(law_body_lines(text)))
    reference = import_file("luat.txt", text.encode())
    assert parsed.metadata["doc"] == "19/2023/QH15"
    assert parsed.metadata["effective"] == "2024-07-01"  # as the law's text states it
    assert [(a.number, a.full_text) for a in parsed.articles] == [
        (a.number, a.full_text) for a in reference.articles
    ]


VBPL_PAGE = """<!doctype html><html><head><title>vbpl</title>
<script>var tracking = "Điều 99. không phải luật";</script><style>p {{ color: red }}</style></head>
<body><nav>Trang chủ | Văn bản | Điều 98. menu</nav>
<div id="toanvancontent">
<table><tr><td><b>CHÍNH PHỦ</b></td><td>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</td></tr></table>
{paragraphs}
</div><footer>Bản quyền cổng thông tin</footer></body></html>"""


def test_an_html_page_gives_the_law_and_nothing_of_the_page_around_it() -> None:
    paragraphs = "\n".join(
        f"<p><b>{line.split('.')[0]}.</b>{line[len(line.split('.')[0]) + 1 :]}</p>"
        if line.startswith("Điều")
        else f"<p>{line}</p>"
        for line in NEW_DECREE_LINES[1:]
    )
    parsed = import_file("nd.html", VBPL_PAGE.format(paragraphs=paragraphs).encode())
    assert parsed.metadata["doc"] == "77/2026/NĐ-CP"
    assert [a.number for a in parsed.articles] == [1, 2, 3]
    assert parsed.articles[1].title == "Thời hạn bảo hành tối thiểu"
    assert "menu" not in parsed.body and "tracking" not in parsed.body
    assert "Bản quyền" not in parsed.body


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as browser:
        yield browser


async def pdf_of(browser: Browser, lines: list[str]) -> bytes:
    """A PDF with a text layer and page numbers in the footer, printed by Chromium."""
    page = await browser.new_page()
    body = "".join(f"<p>{line}</p>" for line in lines)
    await page.set_content(f"<html><body style='font-size:15px'>{body}</body></html>")
    pdf = await page.pdf(
        format="A5",
        display_header_footer=True,
        header_template="<span></span>",
        footer_template="<div style='font-size:9px;width:100%;text-align:center'>"
        "<span class='pageNumber'></span></div>",
        margin={"top": "15mm", "bottom": "20mm"},
    )
    await page.close()
    return pdf


async def test_a_pdf_with_a_text_layer_reads_and_its_page_numbers_are_reported(
    browser: Browser,
) -> None:
    long_clause = "2. " + " ".join(["Người bán phải bảo hành đúng hạn và đầy đủ."] * 40)
    lines = [*NEW_DECREE_LINES[:11], long_clause, *NEW_DECREE_LINES[12:]]
    parsed = import_file("nd.pdf", await pdf_of(browser, lines))
    assert parsed.metadata["doc"] == "77/2026/NĐ-CP"
    assert parsed.metadata["effective"] == "2026-05-01"
    assert [a.number for a in parsed.articles] == [1, 2, 3]
    clause = parsed.articles[1].clauses[1]
    assert clause.text.startswith("2. Người bán phải bảo hành")
    assert clause.text.count("Người bán phải bảo hành đúng hạn") == 40  # lines joined again
    pages = [p for p in parsed.problems if p.code == "page_number"]
    assert pages and all(p.article is not None for p in pages)
    assert "số trang" in describe(pages[0])


def test_a_malformed_text_gives_a_clear_warning_for_each_problem() -> None:
    parsed = import_file("loi.docx", docx_bytes(MALFORMED_LINES))
    described = [describe(p) for p in parsed.problems]
    assert "Điều 2: số điều bị lặp lại" in described
    assert "Điều 5: thiếu Điều 3, 4 ở trước" in described
    assert "Điều 2: các khoản không theo thứ tự (1, 3)" in described
    assert "khoản 1 Điều 5: các điểm không theo thứ tự (a, c)" in described
    assert "khoản 1 Điều 5: số trang «12» nằm giữa nội dung; đã bỏ dòng này" in described
    assert any(t.startswith("khoản 1 Điều 5: tiêu đề trang") for t in described)
    assert any("Ngày có hiệu lực" in t for t in described)  # the text states none
    clause = parsed.articles[-1].clauses[0]
    assert (
        clause.full_text
        == "1. Người bán phải\ngiao hàng đúng hẹn.\na) điểm a;\nc) điểm c đứng ngay sau điểm a."
    )
    assert [p.code for p in parsed.blocking] == ["metadata_missing", "article_repeated"]


def test_a_text_without_articles_is_blocked() -> None:
    parsed = import_file("thu.txt", "Công văn trả lời\nKính gửi các đơn vị.\n".encode())
    assert [p.code for p in parsed.blocking] == [
        "metadata_missing",
        "metadata_missing",
        "metadata_missing",
        "no_articles",
    ]


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("luat.doc", b"\xd0\xcf\x11\xe0", "unsupported_format"),
        ("luat.docx", b"PK\x03\x04 not really a zip", "unreadable_docx"),
        ("luat.pdf", b"%PDF-1.4 broken", "unreadable_pdf"),
        ("luat.txt", "Điều 1. Phạm vi".encode("utf-16"), "not_utf8"),
    ],
)
def test_files_that_cannot_be_read_say_why(name: str, data: bytes, code: str) -> None:
    with pytest.raises(UnreadableFile) as raised:
        import_file(name, data)
    assert raised.value.code == code
    assert unreadable(raised.value)


async def test_a_scanned_pdf_is_refused_with_advice(browser: Browser) -> None:
    page = await browser.new_page()
    await page.set_content("<html><body></body></html>")
    blank = await page.pdf(format="A5")
    await page.close()
    with pytest.raises(UnreadableFile) as raised:
        import_file("quet.pdf", blank)
    assert "bản quét" in unreadable(raised.value)
