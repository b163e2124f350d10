"""A person's first test through the web UI, in a real Chromium against the real stack (NATS,
InfluxDB, PostgreSQL, k6, the five services and the demo API as processes), as one walk of
several tests on one stack and one browser: create a project, analyse the demo's Swagger UI page,
find a server discovered in Kubernetes on its namespace's project, build a two-scenario test,
watch the live charts grow, and read the result with the same figures as the API, run it again
and compare the two runs, see a live alert when a target starts failing, then read it as a
viewer, in Korean and in the dark theme, and on a phone. Every page is saved as a screenshot."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from mv_devstack.config import StackConfig
from mv_devstack.services import services_running

from .web_ui import TPS_CHART, Browser, Walk, api, chromium, publish_discovered, scenario, sign_in
from .web_ui_channels import notification_channel
from .web_ui_results import check_result, live_alert, run_again_and_compare

pytestmark = pytest.mark.slow

TESTER = ("tester-ui", "Brows3r-tester-pass")
VIEWER = ("viewer-ui", "Brows3r-viewer-pass")

# The tests of this module in the order they walk; each starts where the one before stopped.
ORDER = ["analyse", "first run", "again", "alert", "hundreds", "viewer", "korean", "phone"]


@pytest.fixture(scope="module")
def walk(
    module_services_config: StackConfig, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Walk]:
    config = module_services_config
    shots = tmp_path_factory.mktemp("web-ui") / "screenshots"
    with services_running(config, demo=True), chromium(shots) as browser:
        yield Walk(browser, config, ORDER)


def _create_project_and_analyse(browser: Browser, config: StackConfig) -> None:
    page = browser.page
    for (name, password), role in ((TESTER, "tester"), (VIEWER, "viewer")):
        api(config, "/auth/users", "POST", {"username": name, "password": password, "role": role})
    page.goto(config.gateway_url)  # a browser at / lands on the UI, which asks who it is
    expect(page).to_have_url(re.compile(r"/ui/$"))
    page.get_by_label("User name").fill(TESTER[0])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The user name or the password is wrong.")).to_be_visible()
    browser.shot("00-sign-in")
    sign_in(page, TESTER)
    # Not signed in yet, GET /auth/me and the wrong password answered 401: the console says so.
    assert all("401" in error for error in browser.errors), browser.errors
    browser.errors.clear()
    expect(page.get_by_text(f"Signed in as {TESTER[0]} (tester)")).to_be_visible()
    expect(page.get_by_role("heading", name="Welcome to Metric Vault")).to_be_visible()
    browser.shot("01-board-empty")
    page.get_by_label("Title").fill("데모 쇼핑")
    page.get_by_label("Summary").fill("the demo shop")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Analyse an API document")).to_be_visible()
    # A failure is said in plain words, and what was typed stays.
    nowhere = f"http://{config.host}:1/docs"
    page.get_by_label("Address", exact=True).fill(nowhere)
    page.get_by_role("button", name="Analyse", exact=True).click()
    expect(page.get_by_role("heading", name="The document could not be analysed")).to_be_visible(
        timeout=60_000
    )
    expect(page.get_by_text("The address could not be reached.")).to_be_visible()
    expect(page.get_by_label("Address", exact=True)).to_have_value(nowhere)
    browser.shot("02-analyse-failed")
    page.get_by_label("Address", exact=True).fill(f"http://{config.host}:{config.demo_port}/docs")
    browser.shot("02-analyse")
    page.get_by_role("button", name="Analyse", exact=True).click()
    expect(page.get_by_role("heading", name="✓ Analysed")).to_be_visible(timeout=60_000)
    browser.shot("03-analysed")
    page.get_by_role("link", name="Back to the project").click()
    count = page.get_by_text(re.compile(r"^\d+ of \d+ endpoints$"))
    expect(count).to_have_text(re.compile(r"^(\d+) of \1 endpoints$"))  # all shown at first
    total = count.inner_text().split(" of ")[0]
    page.get_by_label("Search").fill("orders")
    expect(page.get_by_text(f"2 of {total} endpoints")).to_be_visible()
    page.get_by_label("Search").fill("")
    browser.shot("04-project")


def _discovered_server(browser: Browser, config: StackConfig) -> None:
    """A server the pod-watcher reports (its event on the real bus; the Kubernetes side is
    tests/test_pods_end_to_end.py) is listed on its namespace's project with its analysis, and
    a test of it starts from its own address."""
    page = browser.page
    publish_discovered(config, "test", "shop-api")
    deadline = time.monotonic() + 60  # the gateway files it under a new project "test"
    while not any(p["title"] == "test" for p in api(config, "/project?limit=500")):
        assert time.monotonic() < deadline, "no project for the discovered server's namespace"
        time.sleep(0.5)
    page.get_by_role("link", name="Board").first.click()
    page.get_by_role("link", name="test", exact=True).click()
    servers = page.locator("section[aria-labelledby='servers-title']")
    row = servers.locator("tbody tr", has_text="shop-api")
    expect(row).to_contain_text("✓ analysed", timeout=60_000)  # by the real spec-analyzer
    expect(row).to_contain_text(config.demo_url)
    # Its endpoints reach the project's list without a reload.
    expect(page.get_by_text(re.compile(r"^\d+ of \d+ endpoints$"))).to_be_visible()
    browser.shot("04-project-servers")
    page.set_viewport_size({"width": 390, "height": 844})  # readable on a phone too
    browser.shot("04-project-servers-phone")
    page.set_viewport_size({"width": 1360, "height": 900})
    row.get_by_role("link", name="Test shop-api at its own address").click()
    expect(page.get_by_label("Base URL")).to_have_value(f"{config.demo_url}/")
    page.get_by_role("link", name="Board").first.click()
    page.get_by_role("link", name="데모 쇼핑", exact=True).click()


def _among_hundreds_of_projects(browser: Browser, config: StackConfig) -> None:
    """With more projects than a page holds, "New project" at the top opens the project it
    made, search finds it (the gateway searches, any case), and the board's list re-reads by
    itself: a project made elsewhere appears without a reload. The header's dot says every
    part is running."""
    page = browser.page
    for i in range(230):
        api(config, "/project", "POST", {"title": f"서비스 {i:03}"})
    page.get_by_role("link", name="Board").first.click()
    expect(page.get_by_role("button", name="Every part is running")).to_be_visible()
    expect(page.get_by_text(re.compile(r"^1\u201324 of \d{3}$"))).to_be_visible()
    page.get_by_role("button", name="+ New project").click()
    page.get_by_label("Title").fill("Needle 바늘 찾기")
    page.get_by_role("button", name="Create project").click()
    expect(page.get_by_role("heading", name="Needle 바늘 찾기")).to_be_visible()
    page.get_by_role("link", name="Board").first.click()
    page.get_by_label("Search projects").fill("NEEDLE")
    found = page.locator("ul.project-list li")
    expect(found).to_have_count(1)
    browser.shot("12-board-search")
    page.get_by_role("link", name="Needle 바늘 찾기").click()
    expect(page.get_by_role("heading", name="Needle 바늘 찾기")).to_be_visible()
    page.get_by_role("link", name="Board").first.click()
    page.get_by_label("Search projects").fill("바늘")
    expect(found).to_have_count(1)
    api(config, "/project", "POST", {"title": "바늘 둘째"})  # made elsewhere, e.g. discovered
    expect(found).to_have_count(2, timeout=15_000)  # re-read within ~10 s
    page.get_by_label("Search projects").fill("데모 쇼핑")
    found.get_by_role("link", name="데모 쇼핑", exact=True).click()
    expect(page.get_by_role("heading", name="Saved plans")).to_be_visible()


def _build_two_scenarios(browser: Browser) -> None:
    page = browser.page
    page.get_by_role("link", name="New test").first.click()
    page.get_by_label("Test GET /products/{product_id}").check()
    page.get_by_label("Test POST /orders").check()
    products = scenario(page, "/products/{product_id}")
    products.get_by_label("Scenario name").fill("상품 조회")
    products.get_by_label("Virtual users").fill("3")
    products.get_by_label("Duration", exact=True).fill("20s")
    products.get_by_label("Think time (s)").fill("0.05")
    products.get_by_label("Response-time target (ms)").fill("500")
    orders = scenario(page, "/orders")
    orders.get_by_label("Scenario name").fill("주문 생성")
    orders.get_by_label("Executor").select_option("ramping-vus")
    expect(orders.get_by_label("Start VUs")).to_be_visible()  # only the fields it takes
    expect(orders.get_by_label("Duration", exact=True)).to_have_count(0)
    orders.get_by_label("Remove stage 3").click()
    for stage, (duration, target) in enumerate([("4s", "2"), ("16s", "2")], start=1):
        orders.get_by_label(f"Duration of stage {stage}").fill(duration)
        orders.get_by_label(f"Target of stage {stage}").fill(target)
    orders.get_by_label("Think time (s)").fill("0.1")
    body = orders.get_by_label("JSON body")
    expect(body).not_to_have_value("")  # pre-filled from the spec's schema
    body.fill('{"customer": "홍길동", "lines": [{"product_id": 2, "quantity": 1}]}')
    page.get_by_label("Test title").fill("브라우저 테스트")
    # One runner, fast metrics unless the user asks for every sample; the hint says the cost.
    expect(page.get_by_label("Runners")).to_have_value("1")
    expect(page.get_by_label("Metrics")).to_have_value("fast")
    page.get_by_label("Metrics").select_option("precise")
    expect(page.get_by_text("Every sample is stored")).to_be_visible()
    page.get_by_label("Metrics").select_option("fast")
    # What k6 would refuse is said in words beside the field before Start, and blocks Start.
    start = page.get_by_role("button", name="Start test (2 scenarios)")
    products.get_by_label("Duration", exact=True).fill("ten seconds")
    said = "Scenario '상품 조회': Duration must be like 30s, 5m or 1h30m"
    expect(products.get_by_text(said)).to_be_visible()
    expect(start).to_be_disabled()
    expect(page.get_by_text("Planned duration: unknown until '상품 조회' is fixed")).to_be_visible()
    products.get_by_label("Duration", exact=True).fill("20s")
    expect(start).to_be_enabled()
    browser.shot("05-builder")
    # The exact script k6 would run, read-only, before anything starts.
    page.get_by_role("button", name="Preview script").click()
    script = page.locator("pre.code.preview")
    expect(script).to_contain_text("k6/http", timeout=30_000)
    expect(script).to_contain_text("/orders")
    browser.shot("05-builder-preview")
    page.get_by_label("Plan name").fill("데모 계획")
    page.get_by_role("button", name="Save as plan").click()
    expect(page.get_by_text("Saved as plan “데모 계획”.")).to_be_visible()
    page.get_by_role("button", name="Start test (2 scenarios)").click()


def _watch_live(browser: Browser) -> None:
    page = browser.page
    expect(page.get_by_text("live", exact=True)).to_be_visible()
    tps = page.locator(TPS_CHART).first
    expect(tps).to_have_attribute("data-points", re.compile(r"^[1-9]"), timeout=60_000)
    tab = page.get_by_role("tab", name="상품 조회")  # one tab per scenario of the snapshots
    # Figures come every second: the ramping scenario's tab comes with its first requests, a
    # moment after the first tab; the arrow keys move among the tabs there are.
    expect(page.get_by_role("tab", name="주문 생성")).to_be_visible(timeout=30_000)
    tab.click()
    expect(tab).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowRight")  # the keyboard moves between tabs too
    expect(page.get_by_role("tab", name="주문 생성")).to_be_focused()
    expect(page.get_by_role("tab", name="주문 생성")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowLeft")
    expect(tab).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("heading", name="Alerts")).to_be_visible()  # live findings land there
    grown = f"n => +document.querySelector({TPS_CHART!r}).dataset.points > n"
    page.wait_for_function(grown, arg=int(tps.get_attribute("data-points") or 0), timeout=30_000)
    page.wait_for_function(grown, arg=2, timeout=30_000)  # so that 1 s of replay is telling
    # A reload mid-test draws the run so far at once, not only what comes after it.
    before = int(tps.get_attribute("data-points") or 0)
    page.reload()
    drawn = f"n => +(document.querySelector({TPS_CHART!r})?.dataset.points ?? 0) >= n"
    page.wait_for_function(drawn, arg=before, timeout=3_000)  # main: 1 point, +1 per 5 s
    browser.shot("06-live")
    # Meanwhile the board shows it under "Running now", its figures live from the same stream.
    board = page.context.new_page()
    board.goto(page.url.split("/ui/")[0] + "/ui/")
    card = board.locator(".run-card", has_text="브라우저 테스트")
    expect(card.locator(".tile").first.locator(".tile-value")).not_to_have_text("—", timeout=15_000)
    board.screenshot(path=str(browser.shots / "06-board-running.png"), full_page=True)
    board.close()


def _as_viewer(browser: Browser) -> None:
    """A viewer reads everything and is offered nothing it may not do."""
    page = browser.page
    page.get_by_role("button", name="Sign out").click()
    sign_in(page, VIEWER)
    # A request of the page still out when the session ended is answered 401 (and the UI asks
    # for the login, as it did): the console says so, and nothing else may be there.
    assert all("401" in error for error in browser.errors), browser.errors
    browser.errors.clear()
    expect(page.get_by_role("heading", name="Saved plans")).to_be_visible()  # the same page again
    expect(page.get_by_role("link", name="New test")).to_have_count(0)
    expect(page.get_by_role("button", name="Run: 데모 계획")).to_have_count(0)
    page.get_by_role("button", name="Schedule and trigger: 데모 계획").click()
    expect(page.locator(".plan-schedule")).to_contain_text("Paused")
    expect(page.get_by_role("button", name="Save the schedule")).to_have_count(0)
    expect(page.get_by_role("button", name="Make a trigger token")).to_have_count(0)
    page.get_by_role("link", name="브라우저 테스트").first.click()
    expect(page.get_by_role("heading", name="Every figure")).to_be_visible()
    expect(page.get_by_role("heading", name="Findings")).to_be_visible()
    expect(page.get_by_role("button", name="Analyse again")).to_have_count(0)
    expect(page.get_by_role("button", name="Run again")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit and run again")).to_have_count(0)


def _korean_and_dark(browser: Browser) -> None:
    page = browser.page
    page.get_by_label("Language").select_option("ko")
    expect(page.get_by_role("heading", name="전체 수치")).to_be_visible()
    against = page.locator("table.comparisons")
    expect(against.get_by_role("rowheader", name="응답 시간 p95").first).to_be_visible()
    browser.shot("10-result-ko")
    expect(page.get_by_role("button", name="모든 구성 요소가 실행 중입니다")).to_be_visible()
    chart = page.locator("figure.chart").first
    light = chart.get_attribute("data-grid")
    page.get_by_role("button", name="어두운 테마로 전환").click()
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    # The charts are redrawn in the dark theme's grid colour at once, not after a reload.
    dark_grid = page.evaluate(
        "getComputedStyle(document.documentElement).getPropertyValue('--grid')"
    )
    assert dark_grid.strip() != light
    expect(chart).to_have_attribute("data-grid", dark_grid.strip())
    browser.shot("10-result-ko-dark")
    page.get_by_role("link", name="대시보드").first.click()
    expect(page.get_by_role("link", name="브라우저 테스트").first).to_be_visible()
    browser.shot("11-board-ko-dark")


def _on_a_phone(browser: Browser, config: StackConfig) -> None:
    """At 390 px every page keeps the header's links and nothing pushes the page sideways;
    each page is saved in both languages."""
    page = browser.page
    page.set_viewport_size({"width": 390, "height": 844})
    project = next(p for p in api(config, "/project?limit=500") if p["title"] == "데모 쇼핑")
    runs = [
        t["id"]
        for t in api(config, "/test-history/simple?limit=200")
        if t["title"] == "브라우저 테스트"
    ]
    pages = {
        "board": "/ui/",
        "project": f"/ui/projects/{project['id']}",
        "builder": f"/ui/projects/{project['id']}/new-test",
        "result": f"/ui/tests/{runs[-1]}",
        "compare": f"/ui/compare?base={runs[-1]}&other={runs[0]}",
    }
    for lang, board in (("ko", "대시보드"), ("en", "Board")):
        page.get_by_label(re.compile("Language|언어")).select_option(lang)
        for name, path in pages.items():
            page.goto(f"{config.gateway_url}{path}")
            expect(page.locator("main h1").first).to_be_visible(timeout=30_000)
            expect(
                page.locator("header.topbar").get_by_role("link", name=board, exact=True)
            ).to_be_in_viewport()
            expect(
                page.locator("header.topbar").get_by_role("link", name="API")
            ).to_be_in_viewport()
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, f"{name} ({lang}) is {width} px wide on a 390 px phone"
            browser.shot(f"13-phone-{name}-{lang}")
    page.goto(f"{config.gateway_url}/ui/")
    expect(page.locator("ul.project-list li").first).to_be_visible()
    height = page.evaluate("document.documentElement.scrollHeight")
    print(f"board on a phone: {height} px tall")  # the figure the report quotes
    assert height < 5000, f"the board is {height} px tall on a phone"


def test_a_tester_signs_in_makes_a_project_and_analyses_its_document(walk: Walk) -> None:
    with walk.step("analyse") as browser:
        _create_project_and_analyse(browser, walk.config)
        notification_channel(browser)
        _discovered_server(browser, walk.config)


def test_a_two_scenario_test_is_live_and_its_result_shows_the_apis_figures(walk: Walk) -> None:
    with walk.step("first run") as browser:
        _build_two_scenarios(browser)
        _watch_live(browser)
        check_result(browser, walk.config)


def test_a_run_again_is_compared_and_the_saved_plan_runs_and_is_scheduled(walk: Walk) -> None:
    with walk.step("again") as browser:
        run_again_and_compare(browser, walk.config)


def test_a_live_alert_and_the_failures_by_status_when_a_target_fails(walk: Walk) -> None:
    with walk.step("alert") as browser:
        live_alert(browser, walk.config)


def test_the_board_among_hundreds_of_projects(walk: Walk) -> None:
    with walk.step("hundreds") as browser:
        _among_hundreds_of_projects(browser, walk.config)


def test_a_viewer_reads_everything_and_is_offered_nothing_it_may_not_do(walk: Walk) -> None:
    with walk.step("viewer") as browser:
        _as_viewer(browser)


def test_the_result_in_korean_and_the_dark_theme(walk: Walk) -> None:
    with walk.step("korean") as browser:
        _korean_and_dark(browser)


def test_every_page_on_a_phone_in_both_languages(walk: Walk) -> None:
    with walk.step("phone") as browser:
        _on_a_phone(browser, walk.config)
