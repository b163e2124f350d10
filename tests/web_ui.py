"""Helpers of the browser tests: Debian's Chromium driven by Playwright (which cannot download
its own browser builds here), one page per test (or per walk of several tests) with its console
errors collected; and what the stack's other parts would say meanwhile."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.nats import NatsBroker
from playwright.sync_api import ConsoleMessage, Locator, Page, expect, sync_playwright

from mv_contracts.pods import DiscoveredServer, ServerDiscoveredEvent
from mv_contracts.subjects import SERVER_DISCOVERED
from mv_devstack.config import StackConfig
from mv_runtime.bus import Bus

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

TPS_CHART = "figure.chart[aria-label='Requests per second']"


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


@dataclass
class Walk:
    """One browser and one stack through several tests, each going on from the page where the
    one before it stopped: a step whose predecessor did not pass is skipped, not failed, so the
    first failure is the one reported (with a screenshot of it)."""

    browser: Browser
    config: StackConfig
    order: list[str]
    done: list[str] = field(default_factory=list)

    @contextmanager
    def step(self, name: str) -> Iterator[Browser]:
        before = self.order[: self.order.index(name)]
        if self.done != before:
            pytest.skip(f"the walk did not reach this step ({', '.join(before)} first)")
        try:
            yield self.browser
        except BaseException:
            self.browser.shot(f"failure-{name}")  # what the page showed when the test gave up
            raise
        assert self.browser.errors == [], self.browser.errors
        self.done.append(name)


def publish_discovered(config: StackConfig, namespace: str, name: str) -> None:
    """What the pod-watcher publishes when a Service of ``namespace`` appears in front of the
    demo API. Sent from a thread of its own: Playwright's sync API keeps this one's loop."""
    server = DiscoveredServer(
        namespace=namespace, name=name, kind="service", base_url=config.demo_url,
        image="demo-api:1",
    )  # fmt: skip
    event = ServerDiscoveredEvent(correlation_id=f"{namespace}/{name}", payload=server)

    async def publish() -> None:
        broker = NatsBroker(config.nats_url)
        await broker.connect()
        try:
            await Bus(broker).publish(SERVER_DISCOVERED, event)
        finally:
            await broker.stop()

    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, publish()).result(timeout=60)


def api(config: StackConfig, path: str, method: str = "GET", body: Any = None) -> Any:
    response = httpx.request(
        method, f"{config.gateway_url}{path}", json=body, headers=config.admin_headers(), timeout=30
    )
    response.raise_for_status()
    return response.json()


def sign_in(page: Page, user: tuple[str, str]) -> None:
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("User name").fill(user[0])
    page.get_by_label("Password").fill(user[1])
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text(f"Signed in as {user[0]}")).to_be_visible()


def new_tester_opens_the_builder(
    browser: Browser, config: StackConfig, user: tuple[str, str], project: str
) -> None:
    """A tester made by the admin signs in, makes ``project``, analyses the demo API's document
    and opens the test builder of it."""
    page = browser.page
    api(config, "/auth/users", "POST", {"username": user[0], "password": user[1], "role": "tester"})
    page.goto(f"{config.gateway_url}/ui/")
    sign_in(page, user)
    # Not signed in yet, GET /auth/me answered 401: the console says so.
    assert all("401" in error for error in browser.errors), browser.errors
    browser.errors.clear()
    page.get_by_label("Title").fill(project)
    page.get_by_role("button", name="Create project").click()
    page.get_by_label("Address", exact=True).fill(f"{config.demo_url}/docs")
    page.get_by_role("button", name="Analyse", exact=True).click()
    expect(page.get_by_role("heading", name="✓ Analysed")).to_be_visible(timeout=60_000)
    page.get_by_role("link", name="Back to the project").click()
    page.get_by_role("link", name="New test").first.click()


def scenario(page: Page, path: str) -> Locator:
    """The builder's fieldset of the scenario of the endpoint ``path``."""
    return page.locator("fieldset.scenario").filter(has=page.locator("legend", has_text=path))


def shown_id(page: Page) -> int:
    """The id of the test the page shows (…/tests/<id>)."""
    return int(page.url.rstrip("/").rsplit("/", 1)[1])
