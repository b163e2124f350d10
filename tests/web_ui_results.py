"""The browser walk's result pages: a finished test's figures as the API holds them, its
findings, one verdict in page, report and JUnit file, a run again compared with the first, and the
plan saved in the builder run and scheduled; a live alert when a target starts failing and its
failures by HTTP status on the result."""

from __future__ import annotations

import re
from typing import Any
from xml.etree import ElementTree as ET

import httpx
from playwright.sync_api import Page, expect

from mv_devstack.config import StackConfig

from .web_ui import TPS_CHART, Browser, api, scenario, shown_id


def _ms(value: float) -> str:
    """The UI's formatMs for en-US below a second: significant figures by size."""
    digits = 0 if value >= 100 else 1 if value >= 10 else 2 if value >= 1 else 3
    text = f"{value:,.{digits}f}"
    return (text.rstrip("0").rstrip(".") if digits else text) + " ms"


def check_result(browser: Browser, config: StackConfig) -> None:
    page = browser.page
    # The live page becomes the result without a reload.
    expect(page.get_by_role("heading", name="Every figure")).to_be_visible(timeout=180_000)
    history_id = shown_id(page)
    details = api(config, f"/test-history/{history_id}/details")
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
    _analysis(page, config, history_id)
    browser.shot("07-result")


def _analysis(page: Page, config: StackConfig, history_id: int) -> None:
    """The findings the API holds, each with its severity in words, and the report downloads."""
    analysis = api(config, f"/test-history/{history_id}/analysis")
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
    _one_verdict(page, config, history_id, analysis, report.text)
    section.get_by_role("button", name="Analyse again").click()
    expect(findings).to_have_count(len(analysis["findings"]))
    section.get_by_role("button", name="Make this the baseline").click()
    expect(section.get_by_text("This is the baseline")).to_be_visible()
    expect(section.get_by_role("button", name="Make this the baseline")).to_have_count(0)


def _one_verdict(
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


def run_again_and_compare(browser: Browser, config: StackConfig) -> None:
    page = browser.page
    first = shown_id(page)
    page.get_by_role("button", name="Run again").click()
    expect(page).not_to_have_url(re.compile(rf"/tests/{first}$"))
    expect(page.get_by_role("heading", name="Every figure")).to_be_visible(timeout=180_000)
    second = shown_id(page)
    # Against its baseline (the first run, same title), each figure named in words.
    against = page.locator("table.comparisons")
    expect(against.get_by_role("rowheader", name="Response time p95").first).to_be_visible()
    expect(against).not_to_contain_text("_response_time")
    baseline = page.locator("section.analysis").get_by_role("link", name="브라우저 테스트")
    expect(baseline).to_have_attribute("href", f"/ui/tests/{first}")
    page.get_by_label("Compare with").select_option(str(first))
    expect(page.get_by_role("heading", name="Compare two runs")).to_be_visible()
    comparison = api(config, f"/test-history/compare?base={first}&other={second}")
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
    products = scenario(page, "/products/{product_id}")
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
    history_id = shown_id(page)
    details = api(config, f"/test-history/{history_id}/details")
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


def live_alert(browser: Browser, config: StackConfig) -> None:
    """The demo's /bursty fails every call in seconds 10-15 after its first: the live page
    says so while the test runs (the gateway's burst watch), in words and with a badge."""
    page = browser.page
    page.get_by_role("link", name="New test").first.click()
    page.get_by_label("Test GET /bursty").check()
    bursty = scenario(page, "/bursty")
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
    history_id = shown_id(page)
    details = api(config, f"/test-history/{history_id}/details")
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
