"""Debian's Chromium, headless and driven by Playwright, for the browser tests; and signing in
to the console in it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from playwright.async_api import Browser, BrowserContext, Page, ViewportSize, async_playwright

from tests.console_support import PASSWORD

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "var" / "test-artifacts"
"""Where the browser tests leave their screenshots."""


@asynccontextmanager
async def chromium() -> AsyncIterator[Browser]:
    """The browser (the test is skipped where Chromium is not installed)."""
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            await browser.close()


async def sign_in(
    browser: Browser, url: str, username: str, viewport: ViewportSize
) -> tuple[BrowserContext, Page]:
    """A new browser context signed in to the console at ``url`` as ``username``, and the page
    the sign-in form was sent from."""
    context = await browser.new_context(viewport=viewport, locale="vi-VN")
    page = await context.new_page()
    await page.goto(f"{url}/console/login")
    await page.fill("#username", username)
    await page.fill("#password", PASSWORD)
    await page.click("button[type=submit]")
    return context, page
