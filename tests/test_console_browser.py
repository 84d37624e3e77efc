"""The staff console and the web chat in a real headless Chromium, against the real app (the
real Rasa server, SQLite, the outbox workers, a fake Telegram Bot API): a handoff claimed and
answered in two clicks with no page load, a citizen's message arriving live, canned replies
that keep the draft, a resolve that asks for confirmation, search by case number and by phone,
a returning citizen's earlier case, a photo from the web chat that staff see, and the staff
member's name on the citizen's side. Screenshots go to var/test-artifacts/ (and the ones the
console guide shows are copied to docs/screenshots/ when ``UPDATE_SCREENSHOTS=1``)."""

from __future__ import annotations

import io
import os
import re
import shutil
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from PIL import Image
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, expect
from sqlalchemy import select

from bot.storage.models import CannedReply, Case
from tests.browser_support import ARTIFACTS, chromium, sign_in
from tests.console_support import (
    Client,
    ConsoleApp,
    citizen_says,
    console_app,
    eventually,
    handed_off,
    texts_to,
)

pytestmark = pytest.mark.rasa
__all__ = ["console_app"]  # the fixture, imported for pytest

DOCS_SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
PHONE: ViewportSize = {"width": 390, "height": 844}
STAYED = "window.__noPageLoad === true"
"""Set once on the page: still true later only if the page was never loaded again."""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as browser:
        yield browser


async def shot(page: Page, name: str, full_page: bool = False) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"console-{name}.png"
    await page.screenshot(path=str(path), full_page=full_page)
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, DOCS_SCREENSHOTS / path.name)


async def signed_in(browser: Browser, app: ConsoleApp, username: str) -> BrowserContext:
    context, page = await sign_in(browser, app.url, username, LAPTOP)
    await expect(page.locator("h1")).to_have_text("Hàng chờ cán bộ")
    return context


async def add_canned(app: ConsoleApp) -> None:
    async with app.database.sessions() as session, session.begin():
        session.add_all(
            [
                CannedReply(
                    title="Hẹn gọi lại",
                    text="Tôi là {ten_can_bo}, tôi sẽ gọi lại cho bạn về hồ sơ {ma_ho_so}.",
                ),
                CannedReply(title="Xin hóa đơn", text="Bạn gửi giúp tôi ảnh hóa đơn nhé."),
            ]
        )


async def in_viewport(page: Page, selector: str) -> bool:
    box = await page.locator(selector).bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


async def test_a_handoff_is_claimed_and_answered_in_two_clicks_without_a_page_load(
    browser: Browser, console_app: ConsoleApp
) -> None:
    await add_canned(console_app)
    context = await signed_in(browser, console_app, "lan")
    page = context.pages[0]
    try:
        await expect(page.locator("#live-status")).to_have_text("Đang cập nhật trực tiếp")
        await page.evaluate("window.__noPageLoad = true")
        chat = 801
        conversation_id = await handed_off(console_app, chat)
        row = page.locator(f"#queue-rows .qrow[data-conversation='{conversation_id}']")
        await expect(row).to_contain_text("Đang chờ", timeout=10_000)  # no reload
        await expect(row).to_contain_text("cho tôi gặp cán bộ")  # the last message
        await expect(row).to_contain_text("Telegram")
        await expect(row).to_contain_text("KN-")
        await expect(row.locator(".badge.count")).to_have_text("1")  # unread

        clicks = 0
        await row.get_by_role("button", name="Nhận").click()
        clicks += 1
        reply = page.locator("#pane #reply")
        await expect(reply).to_be_focused()
        assert await in_viewport(page, "#pane #reply")
        assert await in_viewport(page, "#pane #send")
        await reply.fill("Chào bạn, tôi là Lan. Bạn mua sản phẩm ở đâu?")
        await page.click("#pane #send")
        clicks += 1
        await expect(page.locator("#transcript")).to_contain_text("Bạn mua sản phẩm ở đâu?")
        assert clicks == 2 and await page.evaluate(STAYED)

        async def received() -> bool:
            return any("Bạn mua sản phẩm ở đâu?" in t for t in texts_to(console_app.api, chat))

        await eventually(received)
        signed = next(t for t in texts_to(console_app.api, chat) if "sản phẩm ở đâu" in t)
        assert signed.startswith("<b>Trần Thị Lan</b> (cán bộ tư vấn):")
        await expect(page.locator("#transcript")).to_contain_text("Đã gửi")  # delivery, live

        # The citizen writes: the message appears in the open conversation by itself.
        await citizen_says(console_app, chat, "Tôi mua ở Điện máy Hoàng Long, 123 Lê Lợi")
        await expect(page.locator("#transcript")).to_contain_text(
            "Điện máy Hoàng Long", timeout=10_000
        )
        await shot(page, "inbox")

        # Canned replies go into the draft, never over it; Ctrl+Enter sends.
        await reply.fill("Cảm ơn bạn đã chờ.")
        await reply.press("End")
        await reply.type(" /hen")
        await expect(page.locator("#canned-menu")).to_be_visible()
        first_option = page.locator("#canned-menu .canned-option").first
        await expect(first_option).to_contain_text("Hẹn gọi lại")
        await shot(page, "canned")
        await reply.press("Enter")
        case_number = (await row.locator(".qmeta").inner_text()).split("KN-")[1][:11]
        canned = f"Tôi là Trần Thị Lan, tôi sẽ gọi lại cho bạn về hồ sơ KN-{case_number}."
        await expect(reply).to_have_value(f"Cảm ơn bạn đã chờ. {canned}")
        await page.click("#pane details.canned summary")
        await page.click("#pane .canned-item[data-title='Xin hóa đơn']")
        await expect(reply).to_have_value(re.compile(r"KN-\S+\. Bạn gửi giúp tôi ảnh hóa đơn"))
        await reply.press("Control+Enter")
        await expect(page.locator("#transcript")).to_contain_text("ảnh hóa đơn")
        await expect(reply).to_have_value("")

        # The case file reads in Vietnamese; resolving needs the confirmation box ticked.
        await expect(page.locator("#side")).to_contain_text("Trần Thị Lan nhận xử lý lúc")
        await page.select_option("#outcome", "referred_authority")
        await page.click("#resolve")
        assert (
            await page.evaluate("document.querySelector('#confirm-resolve').validity.valid")
            is False
        )
        await page.check("#confirm-resolve")
        await page.click("#resolve")
        await expect(page.locator("#toast")).to_contain_text("Hồ sơ đã được đóng")
        await expect(page.locator("#side")).to_contain_text("kết thúc hồ sơ: Chuyển cơ quan")

        async def told_outcome() -> bool:
            return any("cơ quan nhà nước" in t for t in texts_to(console_app.api, chat))

        await eventually(told_outcome)
        assert await page.evaluate(STAYED)

        await page.set_viewport_size(PHONE)
        await page.goto(f"{console_app.url}/console/conversations/{conversation_id}")
        await shot(page, "conversation-phone")
    finally:
        await context.close()


async def test_search_finds_a_case_by_number_and_phone_and_a_returning_citizens_history(
    browser: Browser, console_app: ConsoleApp
) -> None:
    citizen = Client(console_app.url)
    lan = Client(console_app.url)
    context = await signed_in(browser, console_app, "lan")
    page = context.pages[0]
    try:
        await citizen.get("/")
        for text in [
            "Tôi muốn khiếu nại",
            "Có",
            "Đồng ý",
            "Điện máy Hoàng Long, 123 Lê Lợi, Huế",
            "Tủ lạnh Samsung",
            "mua ngày 10/11/2026, giá 12.000.000đ",
            "Tủ lạnh không lạnh, cửa hàng không chịu đổi",
            "Đổi hàng",
            "0912 345 678",
            "bỏ qua",
            "Xác nhận",
        ]:
            answer = await citizen.request("POST", "/api/chat", json={"text": text})
            assert answer.status_code == 200, answer.text
        number = re.search(r"KN-\d{4}-\d{6}", answer.json()["text"])
        assert number, answer.text
        async with console_app.database.sessions() as session:
            case = await session.scalar(select(Case).where(Case.number == number.group(0)))
        assert case is not None
        base = f"/console/conversations/{case.conversation_id}"
        await lan.login("lan")
        await lan.get(base)
        await lan.post(f"{base}/claim", {})
        await lan.post(f"{base}/note", {"text": "Đã gọi cho cửa hàng, hẹn đổi trong tuần."})
        await lan.post(f"{base}/resolve", {"outcome": "resolved", "confirm": "1"})
        answer = await citizen.request("POST", "/api/chat", json={"text": "5"})
        second = await citizen.request("POST", "/api/chat", json={"text": "cho tôi gặp cán bộ"})
        assert "KN-" in second.json()["text"]

        await page.fill("header input[name=q]", number.group(0))
        await page.press("header input[name=q]", "Enter")
        await expect(page.locator("#results")).to_contain_text(number.group(0))
        await expect(page.locator("#results")).to_contain_text("Điện máy Hoàng Long")

        await page.fill("#search-q", "0912345678")
        await page.press("#search-q", "Enter")
        results = page.locator("#results")
        await expect(results).to_contain_text(number.group(0))
        await expect(results).to_contain_text("0912 *** 678")
        assert "345" not in await results.inner_text()
        await shot(page, "search")

        await results.get_by_role("link").first.click()
        earlier = page.locator("#earlier")
        await expect(earlier).to_contain_text(number.group(0))
        await expect(earlier).to_contain_text("Đã giải quyết")
        await expect(earlier).to_contain_text("hẹn đổi trong tuần")
        side = page.locator("#side")
        await expect(side).not_to_contain_text("evidence_count")
        await expect(page.locator("h1")).not_to_contain_text(number.group(0))  # the new case
        await shot(page, "history")

        await page.goto(f"{console_app.url}/console/?view=closed")
        await expect(page.locator("#queue-rows")).to_contain_text(number.group(0))
        await page.goto(f"{console_app.url}{base}")
        await expect(page.locator("#side")).to_contain_text("12.000.000 đ")
        await expect(page.locator("#side")).to_contain_text("10/11/2026")
        await expect(page.locator("#side")).to_contain_text("Bên bán")
    finally:
        await context.close()
        await citizen.aclose()
        await lan.aclose()


def png_photo() -> bytes:
    picture = Image.new("RGB", (64, 48), (200, 30, 30))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


async def test_the_web_chat_sends_a_photo_keeps_its_history_and_shows_the_staff_name(
    browser: Browser, console_app: ConsoleApp, tmp_path: Path
) -> None:
    citizen_context = await browser.new_context(viewport=PHONE, locale="vi-VN")
    citizen = await citizen_context.new_page()
    staff_context = await signed_in(browser, console_app, "lan")
    staff = staff_context.pages[0]
    lan = Client(console_app.url)
    try:
        await citizen.goto(f"{console_app.url}/")
        await citizen.fill("#text", "cho tôi gặp cán bộ")
        await citizen.press("#text", "Enter")
        await expect(citizen.locator("#log")).to_contain_text("Mã hồ sơ của bạn: KN-")
        case_number = re.search(r"KN-\d{4}-\d{6}", await citizen.locator("#log").inner_text())
        assert case_number
        photo = tmp_path / f"hoa-don-{uuid.uuid4().hex[:6]}.png"
        photo.write_bytes(png_photo())
        await citizen.set_input_files("#photo", str(photo))
        await expect(citizen.locator("#log")).to_contain_text("Đã gửi một ảnh")

        row = staff.locator("#queue-rows .qrow").first
        await expect(row).to_contain_text(case_number.group(0), timeout=10_000)
        await row.get_by_role("button", name="Nhận").click()
        image = staff.locator("#transcript img")
        await expect(image).to_be_visible()
        assert await image.evaluate("img => img.complete && img.naturalWidth") == 64

        await staff.fill("#pane #reply", "Tôi đã nhận ảnh hóa đơn của bạn.")
        await staff.click("#pane #send")
        staff_bubble = citizen.locator(".msg.staff").filter(has_text="nhận ảnh hóa đơn")
        await expect(staff_bubble).to_contain_text("Trần Thị Lan · Cán bộ tư vấn", timeout=15_000)
        await shot(citizen, "webchat-staff")

        await citizen.reload()
        log = citizen.locator("#log")
        await expect(log).to_contain_text(case_number.group(0))
        await expect(log).to_contain_text("Đã gửi một ảnh")
        await expect(citizen.locator(".msg.staff")).to_contain_text("Trần Thị Lan")
        await expect(log).to_contain_text("Tôi đã nhận ảnh hóa đơn của bạn.")
        assert (await log.inner_text()).count("Tôi đã nhận ảnh hóa đơn của bạn.") == 1

        not_a_photo = tmp_path / "khong-phai-anh.png"
        not_a_photo.write_bytes(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
        await citizen.set_input_files("#photo", str(not_a_photo))
        await expect(log).to_contain_text("chỉ nhận được ảnh JPEG, PNG hoặc WebP")
    finally:
        await citizen_context.close()
        await staff_context.close()
        await lan.aclose()
