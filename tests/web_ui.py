"""Helpers of the browser tests: Debian's Chromium driven by Playwright (which cannot download
its own browser builds here), one page per test with its console errors collected."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import ConsoleMessage, Page, sync_playwright

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@dataclass
class Browser:
    page: Page
    shots: Path
    errors: list[str] = field(default_factory=list)

    def shot(self, name: str) -> Path:
        """A full-page screenshot of what a person would see now."""
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path


@contextmanager
def chromium(shots: Path, *, locale: str = "en-US", dark: bool = False) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail("chromium is missing: scripts/bootstrap.sh --test-tools installs it")
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(
            viewport={"width": 1360, "height": 900}, locale=locale, timezone_id="Asia/Seoul",
            color_scheme="dark" if dark else "light",
        )  # fmt: skip
        page = context.new_page()
        page.set_default_timeout(30_000)
        driven = Browser(page, shots)

        def console(message: ConsoleMessage) -> None:
            # A 404 of GET /test-history/{id}/series is "no stored series", shown as such.
            if message.type == "error" and "404" not in message.text:
                driven.errors.append(message.text)

        page.on("console", console)
        page.on("pageerror", lambda error: driven.errors.append(str(error)))
        try:
            yield driven
        except BaseException:
            driven.shot("failure")  # what the page showed when the test gave up
            raise
        finally:
            browser.close()
