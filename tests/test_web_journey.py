"""A new user builds a signed-in journey through the web form, in a real Chromium against the
real stack and the demo API's protected part: the sign-in comes pre-filled from the document's
security scheme (a login request of the project), the create step's answer carries the item's
id to a read step added from the document's own link, steps are reordered by buttons, keys and
a drag (the variables panel flags the id used before it is kept), duplicated and removed; the
preview shows the whole journey without the password; the run's figures per step equal what the
API counted; and "edit and run again" brings the journey back. Desktop and phone, English and
Korean, every view saved as a screenshot."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from mv_devstack.config import StackConfig
from mv_devstack.services import services_running

from .web_ui import Browser, api, chromium, new_tester_opens_the_builder

pytestmark = pytest.mark.slow

USER = ("journey-ui", "Journ3y-tester-pass")
LINK = "Add next step GET /vault/items/{item_id}, carrying item_id (link read)"


# The innermost elements that reach past a phone's right edge, to say what pushes the page.
WIDEST = """[...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > 391
    && ![...e.children].some(c => c.getBoundingClientRect().right > 391))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"""


def _step(page: Page, n: int) -> Locator:
    return page.locator("fieldset.jstep").nth(n)


def _build(browser: Browser) -> None:
    page = browser.page
    page.get_by_label("Test title").fill("금고 여정 테스트")
    page.get_by_label("Test POST /vault/items").check()
    page.get_by_role("button", name="Make it a journey").click()
    # The document's "bearer" scheme and its sign-in endpoint make the sign-in a login request.
    expect(page.get_by_label("How requests sign in")).to_have_value("login")
    said = "Pre-filled from the document's security scheme “bearer”."
    expect(page.get_by_text(said)).to_be_visible()
    chosen = page.locator("select[name='sign_in_endpoint'] option:checked")
    expect(chosen).to_have_text("POST /auth/login")
    expect(page.get_by_label("Token at")).to_have_value("access_token")
    create = _step(page, 0)
    create.get_by_label("JSON body").fill(
        '{"name": "무선 키보드", "sku": "kb-{{$test}}-{{$vu}}-{{$iteration}}"}'
    )
    create.get_by_label("Think time after it (s)").fill("0.1")
    # One click on the document's link: the next step, and the extraction of the created id.
    page.get_by_role("button", name=LINK, exact=True).click()
    read = _step(page, 1)
    expect(read.get_by_role("heading")).to_contain_text("read")
    expect(create.get_by_label("Variable of extraction 1")).to_have_value("item_id")
    expect(create.get_by_label("Expression of extraction 1")).to_have_value("id")
    expect(read.get_by_label("{item_id}")).to_have_value("{{item_id}}")
    read.get_by_role("button", name="Add a check").click()
    read.get_by_label("Kind of check 2").select_option("json_equals")
    read.get_by_label("JSON path of check 2").fill("name")
    read.get_by_label("Expected value of check 2").fill("무선 키보드")
    panel = page.locator("aside.variables")
    item = panel.locator("li[data-variable='item_id']")
    expect(item).to_contain_text("step 1 (create)")
    expect(item).to_contain_text("read · path item_id")
    expect(panel.locator("li[data-variable='token']")).to_contain_text("the sign-in's token")
    _reorder(browser)
    page.get_by_label("Virtual users").fill("2")
    page.get_by_label("Duration", exact=True).fill("6s")
    page.get_by_label("Checks pass at least (%)").fill("99")
    browser.shot("j1-builder")


def _reorder(browser: Browser) -> None:
    """Buttons, Alt+arrows and a drag move steps; the id used before it is kept is flagged and
    blocks Start; a duplicate comes and goes."""
    page = browser.page
    start = page.get_by_role("button", name="Start test (1 scenario)")
    page.get_by_role("button", name="Move read up").click()
    expect(_step(page, 0).get_by_role("heading")).to_contain_text("read")
    expect(page.locator("li[data-variable='item_id']")).to_contain_text("undefined")
    expect(page.get_by_text("Uses item_id, which no earlier step keeps.")).to_be_visible()
    expect(start).to_be_disabled()
    browser.shot("j0-builder-undefined")
    # Focus stays on the moved step's handle, so the keys carry on from there.
    moved = page.get_by_role("button", name=re.compile(r"^Move read \(step 1 of 2\)"))
    expect(moved).to_be_focused()
    page.keyboard.press("Alt+ArrowDown")
    expect(_step(page, 1).get_by_role("heading")).to_contain_text("read")
    expect(page.locator("li[data-variable='item_id']")).not_to_contain_text("undefined")
    page.get_by_role("button", name="Duplicate read").click()
    expect(_step(page, 2).get_by_role("heading")).to_contain_text("read_copy")
    handle = page.get_by_role("button", name=re.compile(r"^Move read_copy \(step 3 of 3\)"))
    # A drag that needs the page to scroll midway is the browser's to finish; this one fits.
    page.set_viewport_size({"width": 1360, "height": 2400})
    handle.drag_to(_step(page, 1))
    expect(_step(page, 1).get_by_role("heading")).to_contain_text("read_copy")
    page.set_viewport_size({"width": 1360, "height": 900})
    page.get_by_role("button", name="Remove step read_copy").click()
    expect(page.locator("fieldset.jstep")).to_have_count(2)
    expect(start).to_be_enabled()


def _preview_and_run(browser: Browser, config: StackConfig) -> int:
    page = browser.page
    page.get_by_role("button", name="Preview script").click()
    script = page.locator("pre.code.preview")
    expect(script).to_contain_text("/vault/items/", timeout=30_000)
    for shown in ('"create"', '"read"', "/auth/login", "item_id"):
        expect(script).to_contain_text(shown)
    assert "vault-demo" not in script.inner_text()  # the login's password is a secret
    browser.shot("j2-builder-preview")
    page.get_by_label("Plan name").fill("금고 여정 계획")
    page.get_by_role("button", name="Save as plan").click()
    expect(page.get_by_text("Saved as plan “금고 여정 계획”.")).to_be_visible()
    page.get_by_role("button", name="Start test (1 scenario)").click()
    expect(page.get_by_role("heading", name="Every figure")).to_be_visible(timeout=180_000)
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def _per_step_results(browser: Browser, config: StackConfig, history_id: int) -> None:
    page = browser.page
    stats = httpx.get(f"{config.demo_url}/vault/stats", timeout=10).json()
    answered = stats["endpoints"]
    assert stats["refused"] == {}, stats  # no request without a valid token
    expected = {
        "login": answered.get("POST /auth/login 200", 0),
        "create": answered.get("POST /vault/items 201", 0),
        "read": answered.get("GET /vault/items/{item_id} 200", 0),
    }
    assert expected["create"] > 0, answered
    assert expected["read"] == expected["create"], answered  # every created item read back
    expect(page.get_by_role("heading", name="Steps of the journeys")).to_be_visible()
    rows = page.locator("table.step-figures tbody tr")
    expect(rows.locator("th")).to_have_text(["login", "create", "read"])
    for name, count in expected.items():
        row = rows.filter(has=page.get_by_role("rowheader", name=name, exact=True))
        expect(row.locator("td").first).to_have_text(f"{count:,}")
    checks = page.locator("table.checks tbody tr")
    expect(checks.filter(has_text="read: name equals")).to_contain_text("100")
    stored = api(config, f"/test-history/{history_id}/steps")
    [journey] = stored.values()
    assert {s["name"]: s["requests"] for s in journey["steps"]} == expected
    browser.shot("j3-result-steps")


def _edit_again(browser: Browser) -> None:
    """ "Edit and run again" brings the journey back whole: steps, extraction, sign-in."""
    page = browser.page
    page.get_by_role("link", name="Edit and run again").click()
    expect(page.locator("fieldset.jstep")).to_have_count(2)
    expect(_step(page, 0).get_by_label("Variable of extraction 1")).to_have_value("item_id")
    expect(_step(page, 1).get_by_label("{item_id}")).to_have_value("{{item_id}}")
    expect(page.get_by_label("How requests sign in")).to_have_value("login")
    browser.shot("j4-edit-again")


def _looks(browser: Browser) -> None:
    """The builder in Korean, and at 390 px in both languages: nothing pushes the page sideways."""
    page = browser.page
    page.get_by_label(re.compile("Language|언어")).select_option("ko")
    expect(page.get_by_role("heading", name="변수")).to_be_visible()
    expect(page.get_by_label("요청의 인증 방식")).to_have_value("login")
    browser.shot("j5-builder-ko")
    page.set_viewport_size({"width": 390, "height": 844})
    for lang in ("ko", "en"):
        page.get_by_label(re.compile("Language|언어")).select_option(lang)
        expect(page.locator("fieldset.jstep").first).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(WIDEST) if width > 390 else []
        assert width <= 390, f"the journey builder ({lang}) is {width} px wide: {wide}"
        browser.shot(f"j6-phone-builder-{lang}")


def _password_grant(browser: Browser) -> None:
    """The OAuth2 password grant: its fields, both secrets in password inputs, in both languages."""
    page = browser.page
    page.get_by_label("How requests sign in").select_option("oauth2_password")
    for name in ("token_url", "username", "client_id", "scope"):
        expect(page.locator(f"input[name='sign_in_{name}']")).to_be_visible()
    expect(page.get_by_label("Password (secret)")).to_have_attribute("type", "password")
    secret = page.get_by_label("Client secret (secret; empty: a public client)")
    expect(secret).to_have_attribute("type", "password")
    page.get_by_label(re.compile("Language|언어")).select_option("ko")
    expect(page.get_by_label("요청의 인증 방식").locator("option:checked")).to_have_text(
        "OAuth2 비밀번호 (리소스 소유자)"
    )
    expect(page.get_by_label("비밀번호 (비밀)")).to_have_attribute("type", "password")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the password grant's fields are {width} px wide"
    browser.shot("j7-phone-password-grant-ko")
    page.get_by_label(re.compile("Language|언어")).select_option("en")


def test_a_journey_built_in_the_form(services_config: StackConfig, tmp_path: Path) -> None:
    config = services_config
    with services_running(config, demo=True), chromium(tmp_path / "screenshots") as browser:
        new_tester_opens_the_builder(browser, config, USER, "금고 여정")
        _build(browser)
        history_id = _preview_and_run(browser, config)
        _per_step_results(browser, config, history_id)
        _edit_again(browser)
        _looks(browser)
        _password_grant(browser)
        assert browser.errors == []
