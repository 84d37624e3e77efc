"""The editors' pages in a real headless Chromium against the real app (real Rasa, real index
generations): import a Word file and publish it, then the web chat quotes the amended clause;
a repeal recorded in the browser; an unanswered group turned into guidance, reviewed by someone
else and then answered; who may open what. Screenshots go to var/test-artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.async_api import Browser, BrowserContext, Page, expect

from tests.browser_support import ARTIFACTS, chromium, sign_in
from tests.console_support import ConsoleApp, console_app
from tests.editing_support import CONTRACT_QUESTION, NEW_WORDING, amended_law_docx

pytestmark = pytest.mark.rasa
__all__ = ["console_app"]  # the fixture, imported for pytest

PUBLISH_TIMEOUT_MS = 180_000
"""A publish rebuilds the index and runs the gate in the request (the time is a benchmark's)."""
ANSWER_TIMEOUT_MS = 30_000
DECREE = "55/2024/NĐ-CP"
DECREE_QUESTION = "đăng ký hợp đồng theo mẫu với cơ quan quản lý nhà nước về bảo vệ người tiêu dùng"
PET_HOTEL = [
    "gửi chó ở khách sạn thú cưng bị lạc mất thì sao",
    "gui cho o khach san thu cung bi lac mat thi sao",
]
PET_HOTEL_ANSWER = (
    "Khi khách sạn thú cưng để lạc mất thú cưng bạn gửi, bạn có quyền yêu cầu họ bồi thường"
)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as browser:
        yield browser


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"editor-{name}.png"), full_page=True)


async def signed_in(browser: Browser, app: ConsoleApp, username: str) -> BrowserContext:
    context, page = await sign_in(browser, app.url, username, {"width": 1280, "height": 900})
    await page.wait_for_url(f"{app.url}/console/**")
    await page.close()
    return context


async def citizen_asks(browser: Browser, app: ConsoleApp, question: str) -> str:
    """A citizen's question in the web chat (a fresh session); the bot's answer."""
    context = await browser.new_context(locale="vi-VN")
    page = await context.new_page()
    try:
        await page.goto(f"{app.url}/")
        answers = page.locator("#log .msg.bot:not(.pending)")
        greeted = await answers.count()
        await page.fill("#text", question)
        await page.click("#send")
        await expect(answers).to_have_count(greeted + 1, timeout=ANSWER_TIMEOUT_MS)
        answer = answers.last
        return await answer.inner_text()
    finally:
        await context.close()


async def test_an_editor_imports_a_word_file_and_the_bot_quotes_the_new_wording(
    browser: Browser, console_app: ConsoleApp, tmp_path: Path
) -> None:
    before = await citizen_asks(browser, console_app, CONTRACT_QUESTION)
    assert NEW_WORDING not in before
    editor = await signed_in(browser, console_app, "bientap")
    page = await editor.new_page()
    await page.goto(f"{console_app.url}/console/editor")
    await shot(page, "home")
    await page.set_input_files(
        "#file", str(amended_law_docx(tmp_path / "luat-19-2023-sua-doi.docx"))
    )
    await page.click("#import")
    await expect(page.locator("h1")).to_contain_text("19/2023/QH15")
    await expect(page.locator("#counts")).to_contain_text("80")
    await expect(page.locator("main")).to_contain_text("phiên bản 2")
    await expect(page.locator("#problems")).to_contain_text("Không thấy vấn đề nào")
    await page.fill("#meta-effective", "2026-01-01")
    await page.click("#save-metadata")
    await expect(page.locator(".notice")).to_have_text("Đã lưu thông tin văn bản.")
    await shot(page, "import-preview")

    await page.click("#publish", timeout=PUBLISH_TIMEOUT_MS)
    await expect(page.locator(".notice")).to_contain_text(
        "Đã xuất bản 19/2023/QH15, phiên bản 2", timeout=PUBLISH_TIMEOUT_MS
    )
    await expect(page.locator("#versions")).to_contain_text("01/01/2026")
    await shot(page, "document")
    await page.click("#compare button")
    await expect(page.locator("#changes")).to_contain_text(NEW_WORDING)
    await expect(page.locator("#changes .card")).to_have_count(1)  # one article changed
    await shot(page, "diff")

    after = await citizen_asks(browser, console_app, CONTRACT_QUESTION)
    assert NEW_WORDING in after
    await page.goto(
        f"{console_app.url}/console/editor/try?q={quote(CONTRACT_QUESTION)}&date=2025-06-01"
    )
    earlier = await page.locator("#answer").inner_text()
    assert NEW_WORDING not in earlier and "01/01/2026" in earlier
    await editor.close()


async def test_a_repealed_document_is_no_longer_cited_but_still_is_as_of_before(
    browser: Browser, console_app: ConsoleApp
) -> None:
    repealed_on = date.today() - timedelta(days=30)
    editor = await signed_in(browser, console_app, "bientap")
    page = await editor.new_page()
    asked = f"{console_app.url}/console/editor/try?q={quote(DECREE_QUESTION)}"
    await page.goto(f"{asked}&date={repealed_on - timedelta(days=1)}")
    await expect(page.locator("#answer")).to_contain_text(DECREE)

    await page.goto(f"{console_app.url}/console/editor/document?doc={quote(DECREE)}")
    await page.fill("#repeal-on", repealed_on.isoformat())
    await page.click("#record-repeal", timeout=PUBLISH_TIMEOUT_MS)
    await expect(page.locator(".notice")).to_contain_text(
        "hết hiệu lực", timeout=PUBLISH_TIMEOUT_MS
    )
    await expect(page.locator("main")).to_contain_text("Tình trạng hôm nay: hết hiệu lực")
    await shot(page, "repeal")

    await page.goto(f"{asked}&date={date.today()}")
    await expect(page.locator("#answer")).not_to_contain_text(DECREE)
    await page.goto(f"{asked}&date={repealed_on - timedelta(days=1)}")
    await expect(page.locator("#answer")).to_contain_text(DECREE)
    await shot(page, "try-as-of")
    assert DECREE not in await citizen_asks(browser, console_app, DECREE_QUESTION)
    await editor.close()


async def test_an_unanswered_group_becomes_guidance_that_is_then_answered(
    browser: Browser, console_app: ConsoleApp
) -> None:
    for question in PET_HOTEL:
        assert "chưa tìm được quy định" in await citizen_asks(browser, console_app, question)

    editor = await signed_in(browser, console_app, "bientap")
    page = await editor.new_page()
    await page.goto(f"{console_app.url}/console/editor/inbox")
    group = page.locator("#groups .group").filter(has_text=PET_HOTEL[0])
    await expect(group).to_contain_text("2 lần")
    await expect(group).to_contain_text("trợ lý hỏi lại")
    await shot(page, "inbox")
    await group.locator("input[name=entry_id]").first.fill("khach-san-thu-cung-lam-lac")
    await group.get_by_role("button", name="Tạo mục hướng dẫn mới").click()
    await expect(page.locator("#questions")).to_have_value("\n".join(PET_HOTEL))

    await page.fill("#title", "Khách sạn thú cưng làm lạc mất thú cưng")
    await page.fill(
        "#answer",
        f"{PET_HOTEL_ANSWER} vì dịch vụ trông giữ không đúng như đã cam kết.",
    )
    await page.fill(
        "#body",
        f"{PET_HOTEL_ANSWER}. Hãy giữ phiếu gửi, hóa đơn và tin nhắn với khách sạn làm bằng chứng.",
    )
    await page.select_option("#pick-doc", "19/2023/QH15")
    unit = "19/2023/QH15#d4.k5"
    await expect(page.locator(f"#pick-unit option[value='{unit}']")).to_have_count(1)
    await page.select_option("#pick-unit", unit)
    await page.click("#add-citation")
    await expect(page.locator("#citations")).to_have_value(unit)
    await page.fill(
        "#next_step", "Giữ phiếu gửi và tin nhắn, gửi yêu cầu bồi thường cho khách sạn."
    )
    await page.click("#save")
    await expect(page.locator(".notice")).to_have_text("Đã lưu bản nháp.")
    await expect(page.locator("#preview")).to_contain_text("Telegram")
    await expect(page.locator("#preview")).to_contain_text(PET_HOTEL_ANSWER)
    await shot(page, "guidance")

    await page.fill("#citations", "19/2023/QH15#d4.k99")
    await page.click("#save")
    await expect(page.locator(".alert")).to_contain_text("19/2023/QH15#d4.k99")
    await page.go_back()

    await page.click("#submit-review")
    await expect(page.locator("#revision-status")).to_contain_text("Chờ duyệt")
    await expect(page.locator("#publish")).to_have_count(0)
    await expect(page.locator("#needs-reviewer")).to_be_visible()
    (revision,) = parse_qs(urlsplit(page.url).query)["revision"]
    csrf = await page.locator("input[name=csrf]").first.get_attribute("value")
    forced = await page.request.post(
        f"{console_app.url}/console/editor/guidance/{revision}/publish", form={"csrf": csrf or ""}
    )
    assert "Bạn không thể tự xuất bản" in await forced.text()

    admin = await signed_in(browser, console_app, "quantri")
    reviewer = await admin.new_page()
    await reviewer.goto(f"{console_app.url}/console/editor")
    await reviewer.get_by_role("link", name="Khách sạn thú cưng làm lạc mất thú cưng").click()
    await reviewer.click("#publish", timeout=PUBLISH_TIMEOUT_MS)
    await expect(reviewer.locator(".notice")).to_contain_text(
        "Đã xuất bản mục hướng dẫn", timeout=PUBLISH_TIMEOUT_MS
    )
    assert PET_HOTEL_ANSWER in await citizen_asks(browser, console_app, PET_HOTEL[0])

    await page.goto(f"{console_app.url}/console/editor/inbox")
    await expect(page.locator("#groups")).not_to_contain_text(PET_HOTEL[0])
    await expect(page.locator("#resolved")).to_contain_text("1 đã được trả lời")
    await shot(page, "inbox-resolved")

    await reviewer.goto(f"{console_app.url}/console/audit")
    await expect(reviewer.locator("#audit")).to_contain_text("Xuất bản hướng dẫn")
    await expect(reviewer.locator("#audit")).to_contain_text("staff:quantri")
    await shot(reviewer, "audit")
    csv = await reviewer.request.get(f"{console_app.url}/console/audit.csv")
    assert "guidance:khach-san-thu-cung-lam-lac" in await csv.text()
    await admin.close()
    await editor.close()


@pytest.mark.parametrize(
    ("username", "path"),
    [
        ("lan", "/console/editor"),
        ("lan", "/console/editor/inbox"),
        ("lan", "/console/editor/guidance/edit?new=1"),
        ("bientap", "/console/audit"),
    ],
)
async def test_pages_outside_ones_role_are_refused(
    browser: Browser, console_app: ConsoleApp, username: str, path: str
) -> None:
    context = await signed_in(browser, console_app, username)
    page = await context.new_page()
    response = await page.goto(f"{console_app.url}{path}")
    assert response is not None and response.status == 403
    await expect(page.locator("main")).to_contain_text("Bạn không có quyền mở trang này")
    await context.close()
