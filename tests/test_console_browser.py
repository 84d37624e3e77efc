"""The staff console in a real headless Chromium: sign in, a handoff appears in the queue
without reloading, claim, reply (the citizen receives it on Telegram), a private note (the
citizen never receives it), resolve. Screenshots go to var/test-artifacts/."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from tests.console_support import (
    PASSWORD,
    ConsoleApp,
    console_app,
    eventually,
    handed_off,
    texts_to,
)

pytestmark = pytest.mark.rasa
__all__ = ["console_app"]  # the fixture, imported for pytest

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "test-artifacts"


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not CHROMIUM.exists():
        pytest.skip("Chromium is not installed at /usr/bin/chromium")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            await browser.close()


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"console-{name}.png"), full_page=True)


async def test_staff_handle_a_handoff_in_the_browser(
    browser: Browser, console_app: ConsoleApp
) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 800}, locale="vi-VN")
    page = await context.new_page()
    try:
        await page.goto(f"{console_app.url}/console/")
        await expect(page).to_have_url(f"{console_app.url}/console/login")
        await shot(page, "login")
        await page.fill("#username", "lan")
        await page.fill("#password", PASSWORD)
        await page.click("button[type=submit]")
        await expect(page.locator("h1")).to_have_text("Hàng chờ cán bộ")
        await expect(page.locator("#queue-rows")).to_contain_text("Không có ai đang chờ")
        await expect(page.locator("#live-status")).to_have_text("Đang cập nhật trực tiếp")

        chat = 801
        conversation_id = await handed_off(console_app, chat)
        row = page.locator(f"#queue-rows tr[data-conversation='{conversation_id}']")
        await expect(row).to_contain_text("Đang chờ", timeout=10_000)  # no reload
        await expect(row).to_contain_text("KN-")
        await expect(row).to_contain_text("telegram")
        await shot(page, "queue")

        await row.get_by_role("link", name="Mở").click()
        await expect(page.locator("#transcript")).to_contain_text("cho tôi gặp cán bộ")
        await page.click("#claim")
        await expect(page.locator(".notice")).to_have_text("Bạn đã nhận cuộc trò chuyện.")

        await page.fill("#reply", "Chào bạn, tôi là Lan. Bạn mua sản phẩm ở đâu?")
        await page.click("#send")
        await expect(page.locator("#transcript")).to_contain_text("Bạn mua sản phẩm ở đâu?")

        async def received() -> bool:
            return any("Bạn mua sản phẩm ở đâu?" in t for t in texts_to(console_app.api, chat))

        await eventually(received)
        await page.fill("#note", "Người dân có vẻ rất bức xúc, cần gọi lại.")
        await page.click("#add-note")
        await expect(page.locator(".note")).to_contain_text("cần gọi lại")
        await page.reload()
        await expect(page.locator("#transcript")).to_contain_text("Đã gửi")
        await shot(page, "conversation")

        await page.select_option("#outcome", "resolved")
        await page.click("#resolve")
        await expect(page.locator(".notice")).to_contain_text("Hồ sơ đã được đóng")

        async def asked_rating() -> bool:
            return any("từ 1" in t for t in texts_to(console_app.api, chat))

        await eventually(asked_rating)
        sent = texts_to(console_app.api, chat)
        assert any("Cán bộ Trần Thị Lan đã tham gia" in t for t in sent)
        assert not any("cần gọi lại" in t for t in sent)
        await shot(page, "resolved")

        await page.set_viewport_size({"width": 390, "height": 844})  # a phone
        await page.goto(f"{console_app.url}/console/")
        await expect(page.locator("#queue-rows")).to_contain_text("Không có ai đang chờ")
        await shot(page, "queue-phone")
    finally:
        await context.close()
