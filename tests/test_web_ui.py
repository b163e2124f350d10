"""A person's first test through the web UI, in a real Chromium against the real stack (NATS,
InfluxDB, PostgreSQL, k6, the five services and the demo API as processes): create a project,
analyse the demo's Swagger UI page, find a server discovered in Kubernetes on its namespace's
project, build a two-scenario test, watch the live charts grow, and read the result with the
same figures as the API, run it again and compare the two runs, see a live alert when a target
starts failing, then read it in Korean and in the dark theme. Every page is saved as a
screenshot."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import httpx
import pytest
from playwright.sync_api import Locator, Page, expect

from mv_devstack.config import StackConfig
from mv_devstack.processes import ManagedProcess
from mv_devstack.services import start_demo_api, start_services

from .web_ui import Browser, chromium, publish_discovered
from .web_ui import api as _api
from .web_ui import sign_in as _sign_in
from .web_ui_channels import notification_channel

pytestmark = pytest.mark.slow

TPS_CHART = "figure.chart[aria-label='Requests per second']"


TESTER = ("tester-ui", "Brows3r-tester-pass")
VIEWER = ("viewer-ui", "Brows3r-viewer-pass")


def _ms(value: float) -> str:
    """The UI's formatMs for en-US below a second: significant figures by size."""
    digits = 0 if value >= 100 else 1 if value >= 10 else 2 if value >= 1 else 3
    text = f"{value:,.{digits}f}"
    return (text.rstrip("0").rstrip(".") if digits else text) + " ms"


def _scenario(page: Page, path: str) -> Locator:
    return page.locator("fieldset.scenario").filter(has=page.locator("legend", has_text=path))


def _create_project_and_analyse(browser: Browser, config: StackConfig) -> None:
    page = browser.page
    for (name, password), role in ((TESTER, "tester"), (VIEWER, "viewer")):
        _api(config, "/auth/users", "POST", {"username": name, "password": password, "role": role})
    page.goto(config.gateway_url)  # a browser at / lands on the UI, which asks who it is
    expect(page).to_have_url(re.compile(r"/ui/$"))
    page.get_by_label("User name").fill(TESTER[0])
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("The user name or the password is wrong.")).to_be_visible()
    browser.shot("00-sign-in")
    _sign_in(page, TESTER)
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
    while not any(p["title"] == "test" for p in _api(config, "/project?limit=500")):
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


def _live_alert(browser: Browser, config: StackConfig) -> None:
    """The demo's /bursty fails every call in seconds 10-15 after its first: the live page
    says so while the test runs (the gateway's burst watch), in words and with a badge."""
    page = browser.page
    page.get_by_role("link", name="New test").first.click()
    page.get_by_label("Test GET /bursty").check()
    bursty = _scenario(page, "/bursty")
    bursty.get_by_label("Virtual users").fill("2")
    bursty.get_by_label("Duration", exact=True).fill("20s")
    bursty.get_by_label("Think time (s)").fill("0.05")
    page.get_by_label("Test title").fill("버스트 경보")
    page.get_by_role("button", name="Start test (1 scenario)").click()
    alerts = page.locator("section[aria-labelledby='alerts-title'] li")
    expect(alerts.first).to_contain_text("Failures are rising", timeout=60_000)
    expect(alerts.first.locator(".badge")).to_have_text("! warning")
    expect(alerts.first).to_contain_text("requests failed")
    # The live failures table names them by HTTP status, in words.
    live_failures = page.locator("table.failures tbody tr")
    expect(live_failures.first).to_contain_text("HTTP 500", timeout=30_000)
    expect(live_failures.first).to_contain_text("Internal Server Error")
    browser.shot("06-live-alert")
    expect(page.get_by_role("heading", name="Every figure")).to_be_visible(timeout=180_000)
    # The result's failures table: the stored count of the target's 500s, by status, not k6's
    # code; the finding says the same.
    history_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    details = _api(config, f"/test-history/{history_id}/details")
    (kind,) = details["scenarios"][0]["failures"]
    assert (kind["status"], kind["error_code"], kind["label"]) == ("500", "1500", "HTTP 500")
    assert kind["count"] == details["scenarios"][0]["figures"]["failed_requests"] > 0
    row = page.locator("table.failures tbody tr").first
    expect(row).to_contain_text("HTTP 500")
    expect(row.locator("td.num").first).to_have_text(f"{kind['count']:,}")
    expect(row).to_contain_text("100")
    expect(page.get_by_text("HTTP 500 in 100 % of failures").first).to_be_visible()
    page.get_by_role("link", name="데모 쇼핑", exact=True).click()
    expect(page.get_by_role("heading", name="Saved plans")).to_be_visible()


def _among_hundreds_of_projects(browser: Browser, config: StackConfig) -> None:
    """With more projects than a page holds, "New project" at the top opens the project it
    made, search finds it (the gateway searches, any case), and the board's list re-reads by
    itself: a project made elsewhere appears without a reload. The header's dot says every
    part is running."""
    page = browser.page
    for i in range(230):
        _api(config, "/project", "POST", {"title": f"서비스 {i:03}"})
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
    _api(config, "/project", "POST", {"title": "바늘 둘째"})  # made elsewhere, e.g. discovered
    expect(found).to_have_count(2, timeout=15_000)  # re-read within ~10 s
    page.get_by_label("Search projects").fill("데모 쇼핑")
    found.get_by_role("link", name="데모 쇼핑", exact=True).click()
    expect(page.get_by_role("heading", name="Saved plans")).to_be_visible()


def _build_two_scenarios(browser: Browser) -> None:
    page = browser.page
    page.get_by_role("link", name="New test").first.click()
    page.get_by_label("Test GET /products/{product_id}").check()
    page.get_by_label("Test POST /orders").check()
    products = _scenario(page, "/products/{product_id}")
    products.get_by_label("Scenario name").fill("상품 조회")
    products.get_by_label("Virtual users").fill("3")
    products.get_by_label("Duration", exact=True).fill("20s")
    products.get_by_label("Think time (s)").fill("0.05")
    products.get_by_label("Response-time target (ms)").fill("500")
    orders = _scenario(page, "/orders")
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


def _check_result(browser: Browser, config: StackConfig) -> None:
    page = browser.page
    # The live page becomes the result without a reload.
    expect(page.get_by_role("heading", name="Every figure")).to_be_visible(timeout=180_000)
    history_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    details = _api(config, f"/test-history/{history_id}/details")
    assert details["is_completed"], details
    # The builder's default metrics mode: one runner, so the percentiles are k6's own.
    assert (details["metrics_mode"], details["percentile_source"]) == ("fast", "k6_summary")
    expect(page.get_by_text("Percentiles: k6's own end-of-test summary (exact).")).to_be_visible()
    figures = details["figures"]
    total = f"{figures['total_requests']:,}"
    tiles = page.locator(".tile")
    expect(tiles.filter(has_text="Requests").first.locator(".tile-value")).to_have_text(total)
    expect(tiles.filter(has_text="p95").first.locator(".tile-value")).to_have_text(
        _ms(figures["p95_response_time"])
    )
    names = page.locator("table.figures thead th").all_inner_texts()[2:]
    assert set(names) == {"상품 조회", "주문 생성"}
    by_name = {s["name"]: s["figures"] for s in details["scenarios"]}
    # The path parameter the builder pre-filled names a product that exists: no 404s.
    assert by_name["상품 조회"]["failed_requests"] == 0, by_name
    requests_row = page.locator("table.figures tbody tr").filter(
        has=page.get_by_role("rowheader", name="Requests", exact=True)
    )
    expected = [total, *(f"{by_name[name]['total_requests']:,}" for name in names)]
    expect(requests_row.locator("td")).to_have_text(expected)
    # The stored series draw the "Over time" charts.
    expect(page.locator(TPS_CHART).first).to_have_attribute("data-points", re.compile(r"^[1-9]"))
    _check_analysis(page, config, history_id)
    browser.shot("07-result")


def _check_analysis(page: Page, config: StackConfig, history_id: int) -> None:
    """The findings the API holds, each with its severity in words, and the report downloads."""
    analysis = _api(config, f"/test-history/{history_id}/analysis")
    section = page.locator("section.analysis")
    findings = section.locator("ul.findings > li")
    expect(findings).to_have_count(len(analysis["findings"]))
    for shown, finding in zip(findings.all(), analysis["findings"], strict=True):
        expect(shown).to_contain_text(finding["title"]["en"])
        expect(shown.locator(".badge")).to_contain_text(finding["severity"])
    if not analysis["findings"]:
        expect(section.get_by_text("No findings: every rule passed.")).to_be_visible()
    junit = section.get_by_role("link", name="JUnit XML")
    assert junit.get_attribute("href") == f"/test-history/{history_id}/report.junit.xml"
    assert junit.get_attribute("download") == "브라우저 테스트.junit.xml"  # not a file named "true"
    korean_link = section.get_by_role("link", name="HTML report (Korean)")
    assert korean_link.get_attribute("target") == "_blank"  # opens, is not downloaded
    korean = korean_link.get_attribute("href")
    report = httpx.get(f"{config.gateway_url}{korean}", headers=config.admin_headers(), timeout=30)
    assert report.status_code == 200, report.text
    assert "<html" in report.text.lower()
    _check_one_verdict(page, config, history_id, analysis, report.text)
    section.get_by_role("button", name="Analyse again").click()
    expect(findings).to_have_count(len(analysis["findings"]))
    section.get_by_role("button", name="Make this the baseline").click()
    expect(section.get_by_text("This is the baseline")).to_be_visible()
    expect(section.get_by_role("button", name="Make this the baseline")).to_have_count(0)


def _check_one_verdict(
    page: Page, config: StackConfig, history_id: int, analysis: dict[str, Any], korean: str
) -> None:
    """The same verdict on the page (header and analysis), in the HTML report and the JUnit
    file; the run's state apart from it, in the report's language."""
    outcome, reason = analysis["verdict"]["outcome"], analysis["verdict"]["reason"]
    header = page.locator("header.page-head")
    expect(header.locator("[data-state]")).to_have_attribute("data-state", "completed")
    expect(header.locator("[data-verdict]")).to_have_attribute("data-verdict", outcome)
    expect(header.locator(".verdict-reason")).to_have_text(reason["en"])
    section = page.locator("section.analysis")
    expect(section.locator(".run-verdict [data-verdict]")).to_have_attribute(
        "data-verdict", outcome
    )
    assert f'data-verdict="{outcome}"' in korean
    assert '<strong class="state">완료</strong>' in korean
    assert reason["ko"] in korean
    xml = httpx.get(
        f"{config.gateway_url}/test-history/{history_id}/report.junit.xml",
        headers=config.admin_headers(),
        timeout=30,
    )
    suite = ET.fromstring(xml.text)  # noqa: S314 -- our own output
    properties = {p.get("name"): p.get("value") for p in suite.iter("property")}
    assert properties["verdict"] == outcome
    assert (int(suite.get("failures") or 0) > 0) == (outcome == "failed")


def _run_again_and_compare(browser: Browser, config: StackConfig) -> None:
    page = browser.page
    first = int(page.url.rstrip("/").rsplit("/", 1)[1])
    page.get_by_role("button", name="Run again").click()
    expect(page).not_to_have_url(re.compile(rf"/tests/{first}$"))
    expect(page.get_by_role("heading", name="Every figure")).to_be_visible(timeout=180_000)
    second = int(page.url.rstrip("/").rsplit("/", 1)[1])
    # Against its baseline (the first run, same title), each figure named in words.
    against = page.locator("table.comparisons")
    expect(against.get_by_role("rowheader", name="Response time p95").first).to_be_visible()
    expect(against).not_to_contain_text("_response_time")
    baseline = page.locator("section.analysis").get_by_role("link", name="브라우저 테스트")
    expect(baseline).to_have_attribute("href", f"/ui/tests/{first}")
    page.get_by_label("Compare with").select_option(str(first))
    expect(page.get_by_role("heading", name="Compare two runs")).to_be_visible()
    comparison = _api(config, f"/test-history/compare?base={first}&other={second}")
    requests = comparison["overall"]["total_requests"]
    row = (
        page.locator("table")
        .first.locator("tbody tr")
        .filter(has=page.get_by_role("rowheader", name="Requests", exact=True))
    )
    expect(row.locator("td").nth(0)).to_have_text(f"{int(requests['base']):,}")
    expect(row.locator("td").nth(1)).to_have_text(f"{int(requests['other']):,}")
    browser.shot("08-compare")
    # Any finished test goes back into the builder, every scenario as it ran.
    page.goto(f"{config.gateway_url}/ui/tests/{second}")
    page.get_by_role("link", name="Edit and run again").click()
    expect(page.get_by_role("button", name="Start test (2 scenarios)")).to_be_enabled()
    products = _scenario(page, "/products/{product_id}")
    expect(products.get_by_label("Scenario name")).to_have_value("상품 조회")
    expect(products.get_by_label("Duration", exact=True)).to_have_value("20s")
    expect(page.get_by_label("Test title")).to_have_value("브라우저 테스트")
    page.goto(f"{config.gateway_url}/ui/projects/{comparison['base']['project_id']}")
    trend = page.locator("figure.chart[aria-label='Response time']")
    expect(trend).to_have_attribute("data-points", "2")  # one point per run
    browser.shot("09-project-trend")
    _run_the_plan(browser, config)


def _run_the_plan(browser: Browser, config: StackConfig) -> None:
    """The plan saved in the builder is on the project page and runs again as saved."""
    page = browser.page
    plan = page.locator("section[aria-labelledby='plans-title'] tbody tr", has_text="데모 계획")
    expect(plan).to_contain_text("브라우저 테스트")
    plan.get_by_role("button", name="Run: 데모 계획").click()
    expect(page.get_by_role("heading", name="Every figure")).to_be_visible(timeout=180_000)
    history_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    details = _api(config, f"/test-history/{history_id}/details")
    assert {s["name"] for s in details["scenarios"]} == {"상품 조회", "주문 생성"}, details
    page.go_back()
    expect(page.get_by_role("heading", name="Saved plans")).to_be_visible()
    _schedule_the_plan(browser)


def _schedule_the_plan(browser: Browser) -> None:
    """A nightly schedule in a time zone: its next runs in words as it is typed, saved, paused;
    a trigger token shown once."""
    page = browser.page
    page.get_by_role("button", name="Schedule and trigger: 데모 계획").click()
    page.get_by_label("Cron (minute hour day month weekday)").fill("30 2 * * *")
    page.get_by_label("Time zone").fill("Asia/Seoul")
    preview = page.locator(".schedule-preview")
    expect(preview).to_contain_text("At 02:30")
    expect(preview.locator("li")).to_have_count(5)
    expect(preview.locator("li").first).to_contain_text("Asia/Seoul")
    expect(preview.locator("li").first).to_contain_text("in ")
    page.get_by_role("button", name="Save the schedule").click()
    plan = page.locator("section[aria-labelledby='plans-title'] tbody tr", has_text="데모 계획")
    expect(plan.first).to_contain_text("At 02:30")
    page.get_by_role("button", name="Pause").click()
    expect(plan.first).to_contain_text("Paused")
    page.get_by_role("button", name="Make a trigger token").click()
    expect(page.get_by_text("Copy it now: it is shown only once.")).to_be_visible()
    expect(page.locator(".plan-schedule pre")).to_contain_text("Authorization: Bearer mvr_")
    browser.shot("09b-plan-schedule")
    expect(page.get_by_role("heading", name="Plans over their last runs")).to_be_visible()


def _as_viewer(browser: Browser) -> None:
    """A viewer reads everything and is offered nothing it may not do."""
    page = browser.page
    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, VIEWER)
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
    project = next(p for p in _api(config, "/project?limit=500") if p["title"] == "데모 쇼핑")
    runs = [
        t["id"]
        for t in _api(config, "/test-history/simple?limit=200")
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


def test_first_test_through_the_web_ui(services_config: StackConfig, tmp_path: Path) -> None:
    config = services_config
    processes: list[ManagedProcess] = start_services(config)
    processes.append(start_demo_api(config))
    try:
        with chromium(tmp_path / "screenshots") as browser:
            _create_project_and_analyse(browser, config)
            notification_channel(browser)
            _discovered_server(browser, config)
            _build_two_scenarios(browser)
            _watch_live(browser)
            _check_result(browser, config)
            _run_again_and_compare(browser, config)
            _live_alert(browser, config)
            _among_hundreds_of_projects(browser, config)
            _as_viewer(browser)
            _korean_and_dark(browser)
            _on_a_phone(browser, config)
            assert browser.errors == []
    finally:
        for process in reversed(processes):
            process.stop()
