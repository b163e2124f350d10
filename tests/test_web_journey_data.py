"""A new user, through the web form only, builds and runs a signed-in journey fed by a CSV against
the demo API's protected part, in a real Chromium against the real stack: the CSV is uploaded in
the builder itself, its columns become variables of the steps (a misspelt one is flagged and
blocks Start), each row is used once; the result page's figures and checks per step equal what
the API counted, every row's sku reached it exactly once; the script preview reads the rows, and
a saved plan and "edit and run again" keep the data choice. The builder in Korean and at phone
width, every view saved as a screenshot."""

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

USER = ("data-journey", "D4ta-journey-pass")
LINK = "Add next step GET /vault/items/{item_id}, carrying item_id (link read)"
ROWS = 6
SKUS = [f"행-{i:02d}" for i in range(ROWS)]
CSV = "sku,name\n" + "".join(f"{sku},상품 {i}\n" for i, sku in enumerate(SKUS))
PHONE = 390
# The innermost elements that reach past a phone's right edge, to say what pushes the page.
WIDEST = f"""[...document.querySelectorAll('main *')]
  .filter(e => e.getBoundingClientRect().right > {PHONE + 1}
    && ![...e.children].some(c => c.getBoundingClientRect().right > {PHONE + 1}))
  .slice(0, 5).map(e => e.tagName + '.' + e.className + ' ' + e.textContent.slice(0, 40))"""


def _step(page: Page, n: int) -> Locator:
    return page.locator("fieldset.jstep").nth(n)


def _build(browser: Browser) -> None:
    page = browser.page
    page.get_by_label("Test title").fill("데이터 여정 테스트")
    page.get_by_label("Test POST /vault/items").check()
    # The one request is checked as the gateway checks it: {{sku}} is nothing before the file.
    body = page.get_by_label("JSON body")
    body.fill('{"name": "키보드", "sku": "{{sku}}"}')
    expect(page.locator("#form-problems")).to_contain_text(
        "sku: not a column of the data file, the sign-in's token or a built-in value"
    )
    expect(page.get_by_role("button", name="Start test (1 scenario)")).to_be_disabled()
    browser.shot("d0-builder-single-undefined")
    body.fill('{"name": "키보드", "sku": "a"}')
    page.get_by_role("button", name="Make it a journey").click()
    expect(page.get_by_label("How requests sign in")).to_have_value("login")
    picked = page.get_by_label("Data file")
    expect(picked).to_have_value("")  # the project has no data file yet
    page.get_by_label("Upload a CSV or JSON…").set_input_files(
        {"name": "skus.csv", "mimeType": "text/csv", "buffer": CSV.encode()}
    )
    expect(picked.locator("option:checked")).to_have_text(f"skus.csv · {ROWS} rows")
    page.get_by_label("Which row an iteration takes").select_option("unique")
    unique = page.get_by_text("No two iterations of the whole test take the same row.")
    expect(unique).to_be_visible()
    page.get_by_role("button", name="First rows").click()
    expect(page.get_by_role("cell", name=SKUS[1], exact=True)).to_be_visible()
    panel = page.locator("aside.variables")
    for column in ("sku", "name"):
        expect(panel.locator(f"li[data-variable='{column}']")).to_contain_text("column of skus.csv")
    create = _step(page, 0)
    create.get_by_label("JSON body").fill('{"name": "{{name}}", "sku": "{{skux}}"}')
    start = page.get_by_role("button", name="Start test (1 scenario)")
    expect(panel.locator("li[data-variable='skux']")).to_contain_text("undefined")
    expect(start).to_be_disabled()
    browser.shot("d0-builder-misspelt")
    create.get_by_label("JSON body").fill('{"name": "{{name}}", "sku": "{{sku}}"}')
    expect(panel.locator("li[data-variable='skux']")).to_have_count(0)
    expect(panel.locator("li[data-variable='sku']")).to_contain_text("create · body")
    page.get_by_role("button", name=LINK, exact=True).click()
    read = _step(page, 1)
    read.get_by_role("button", name="Add a check").click()
    read.get_by_label("Kind of check 2").select_option("json_exists")
    read.get_by_label("JSON path of check 2").fill("sku")
    # Each row once: as many iterations as rows, shared by two VUs, ends as the rows run out.
    page.get_by_label("Executor").select_option("shared-iterations")
    page.get_by_label("Virtual users", exact=True).fill("2")
    page.get_by_label("Iterations", exact=True).fill(str(ROWS))
    page.get_by_label("Think time (s)").first.fill("0")
    expect(start).to_be_enabled()
    browser.shot("d1-builder")
    page.locator("fieldset.data-pick").screenshot(path=str(browser.shots / "d1-data-picker.png"))


def _preview_save_and_run(browser: Browser) -> int:
    """The preview reads the rows from the file beside the script; the plan keeps the choice."""
    page = browser.page
    page.get_by_role("button", name="Preview script").click()
    script = page.locator("pre.code.preview")
    expect(script).to_contain_text("SharedArray", timeout=30_000)
    expect(script).to_contain_text("data-")
    page.get_by_label("Plan name").fill("데이터 여정 계획")
    page.get_by_role("button", name="Save as plan").click()
    expect(page.get_by_text("Saved as plan “데이터 여정 계획”.")).to_be_visible()
    page.get_by_role("button", name="Start test (1 scenario)").click()
    expect(page.get_by_role("heading", name="Every figure")).to_be_visible(timeout=180_000)
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def _results_equal_the_apis_counts(browser: Browser, config: StackConfig, history_id: int) -> None:
    page = browser.page
    stats = httpx.get(f"{config.demo_url}/vault/stats", timeout=10).json()
    assert stats["refused"] == {}, stats  # no request without a valid token
    assert stats["skus"] == dict.fromkeys(SKUS, 1)  # the CSV's rows, each used once
    answered: dict[str, int] = {}
    for line, count in stats["endpoints"].items():
        endpoint = line.rsplit(" ", 1)[0]
        answered[endpoint] = answered.get(endpoint, 0) + count
    expected = {
        "login": answered["POST /auth/login"],
        "create": answered["POST /vault/items"],
        "read": answered["GET /vault/items/{item_id}"],
    }
    assert expected["create"] == ROWS, stats
    rows = page.locator("table.step-figures tbody tr")
    expect(rows.locator("th")).to_have_text(list(expected))
    for name, count in expected.items():
        row = rows.filter(has=page.get_by_role("rowheader", name=name, exact=True))
        expect(row.locator("td").first).to_have_text(f"{count:,}")
    # Each check passed as often as the API answered what it checks (the table sorts by name).
    checks = page.locator("table.checks tbody tr")
    passed = {
        "create: status in 200,201": stats["endpoints"].get("POST /vault/items 201", 0),
        "read: sku exists": stats["endpoints"].get("GET /vault/items/{item_id} 200", 0),
        "read: status in 200": stats["endpoints"].get("GET /vault/items/{item_id} 200", 0),
    }
    expect(checks.locator("th")).to_have_text(list(passed))
    for name, passes in passed.items():
        total = expected[name.split(":", 1)[0]]
        row = checks.filter(has=page.get_by_role("rowheader", name=name, exact=True))
        expect(row.locator("td").first).to_have_text(f"{passes:,} / {total:,}")
    stored = api(config, f"/test-history/{history_id}/steps")
    [journey] = stored.values()
    assert {s["name"]: s["requests"] for s in journey["steps"]} == expected
    browser.shot("d2-result-steps")


def _data_kept(page: Page) -> None:
    expect(page.locator("fieldset.jstep")).to_have_count(2)
    expect(page.get_by_label("Data file").locator("option:checked")).to_have_text(
        f"skus.csv · {ROWS} rows"
    )
    expect(page.get_by_label("Which row an iteration takes")).to_have_value("unique")
    expect(page.locator("li[data-variable='sku']")).not_to_contain_text("undefined")


def _plan_and_edit_again_keep_the_data(browser: Browser) -> None:
    page = browser.page
    page.get_by_role("link", name="Edit and run again").click()
    _data_kept(page)
    browser.shot("d3-edit-again")
    page.get_by_role("link", name="데이터 여정", exact=True).click()
    page.get_by_role("link", name="Edit: 데이터 여정 계획").click()
    _data_kept(page)


def _looks(browser: Browser) -> None:
    """The data picker in Korean, and at phone width in both languages: nothing pushes the page
    sideways."""
    page = browser.page
    page.get_by_label(re.compile("Language|언어")).select_option("ko")
    expect(page.get_by_label("반복마다 쓸 행")).to_have_value("unique")
    expect(page.get_by_text("테스트 전체에서 두 반복이 같은 행을 쓰지 않습니다.")).to_be_visible()
    browser.shot("d4-builder-ko")
    page.set_viewport_size({"width": PHONE, "height": 844})
    for lang in ("ko", "en"):
        page.get_by_label(re.compile("Language|언어")).select_option(lang)
        expect(page.locator("fieldset.data-pick")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        wide = page.evaluate(WIDEST) if width > PHONE else []
        assert width <= PHONE, f"the builder's data picker ({lang}) is {width} px wide: {wide}"
        picker = page.locator("fieldset.data-pick")
        picker.screenshot(path=str(browser.shots / f"d5-phone-{lang}.png"))


def test_a_new_user_runs_a_journey_fed_by_a_csv_through_the_form(
    services_config: StackConfig, tmp_path: Path
) -> None:
    config = services_config
    with services_running(config, demo=True), chromium(tmp_path / "screenshots") as browser:
        new_tester_opens_the_builder(browser, config, USER, "데이터 여정")
        _build(browser)
        history_id = _preview_save_and_run(browser)
        _results_equal_the_apis_counts(browser, config, history_id)
        _plan_and_edit_again_keep_the_data(browser)
        _looks(browser)
        assert browser.errors == []
