"""The HTML report opens offline and shows the run; JUnit fails exactly the missed targets."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from html import unescape
from html.parser import HTMLParser
from xml.etree import ElementTree as ET

from gateway_tests.analysis_facts import figures, run, scenario, series
from mv_contracts.metrics import CheckSummary, FailureCount, MetricFigures, StepSummary
from mv_contracts.runs import ResponseTimeTarget
from mv_gateway.analysis import AnalysisThresholds, PodSample, RunFacts, analyse
from mv_gateway.reports import ReportInput, ReportScenario, render_html, render_junit
from mv_gateway.reports.charts import nice_ceiling

STARTED = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def report_of(facts: RunFacts, complete: bool = True) -> ReportInput:
    analysis = analyse(facts, AnalysisThresholds())
    assert facts.summary.series is not None
    return ReportInput(
        test_id=facts.test_id,
        title="결제 API 부하 테스트",
        status="succeeded",
        started_at=STARTED,
        finished_at=STARTED + timedelta(seconds=60),
        overall=facts.summary.overall,
        scenarios=[
            ReportScenario(
                name=s.name, tag=s.tag, request=s.request, figures=s.figures, series=s.series
            )
            for s in facts.scenarios
        ],
        analysis=analysis,
        series=facts.summary.series,
        pods=[
            PodSample(
                pod="api-1",
                at=STARTED + timedelta(seconds=5 * i),
                cpu_percent=40.0 + i,
                memory_usage_mb=100.0,
            )
            for i in range(10)
        ],
        script="import http from 'k6/http';\nexport default () => http.get('/</script>');\n",
        complete=complete,
        reason=None if complete else "InfluxDB refused 1,257 of 2,290 requests",
    )


def facts() -> RunFacts:
    return run(
        [
            scenario("<b>checkout</b>", response_time_target=ResponseTimeTarget(max_ms=100)),
            scenario("browse", response_time_target=ResponseTimeTarget(max_ms=100)),
        ],
        per_scenario=[figures(p95=180), figures(p95=20)],
        overall=figures(requests=12000, p95=150),
        scenario_series=[series([100.0] * 60, latency=[180.0] * 60), series([100.0] * 60)],
        overall_series=series([200.0] * 60, vus=[20.0] * 60),
    )


def test_html_report_is_one_file_with_nothing_from_elsewhere() -> None:
    html = render_html(report_of(facts()))
    # No script, stylesheet, image or font from anywhere: every src/href is absent or a fragment.
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html)
    assert "url(" not in html
    assert "<script" not in html.replace("&lt;/script&gt;", "")
    assert html.count("<svg") >= 4 + 2 * 2 + 2  # overall, per scenario, pods


def test_html_report_shows_findings_figures_and_escapes_user_text() -> None:
    report = report_of(facts())
    html = render_html(report)
    assert "&lt;b&gt;checkout&lt;/b&gt;" in html
    assert "<b>checkout</b>" not in html
    # Each figure in words with its unit, not its API name; error rates as percentages.
    for name in MetricFigures.model_fields:
        assert f"<td>{name}</td>" not in html
    assert "<td>p95 response time (ms)</td>" in html
    assert "<td>Average error rate (%)</td>" in html
    assert re.search(r"<td>Average error rate \(%\)</td><td>[0-9.]+ %</td>", html)
    missed = [f for f in report.analysis.findings if f.severity.value == "critical"]
    assert missed
    for finding in missed:
        assert finding.detail.en in html
    assert "FAILED" in html


def test_html_report_in_korean() -> None:
    html = render_html(report_of(facts()), language="ko")
    assert '<html lang="ko">' in html
    assert "부하 테스트 보고서" in html
    assert "목표 미달" in html
    assert "<td>p95 응답 시간 (ms)</td>" in html
    assert "결제 API 부하 테스트" in html


def test_the_report_says_where_its_percentiles_come_from() -> None:
    exact = replace(report_of(facts()), percentile_source="k6_summary", percentile_error_bound=0)
    assert "Percentiles: k6's own end-of-test summary (exact)." in unescape(render_html(exact))
    merged = replace(exact, percentile_source="histogram", percentile_error_bound=0.0443)
    assert "within ±4.4 %" in render_html(merged)
    assert "±4.4 % 이내" in render_html(merged, language="ko")
    assert "Percentiles:" not in render_html(report_of(facts()))  # a summary without any


def test_an_incomplete_run_says_so() -> None:
    html = render_html(report_of(facts(), complete=False))
    assert "These figures are not whole" in html
    assert "InfluxDB refused 1,257 of 2,290 requests" in html


def test_junit_fails_exactly_the_missed_targets() -> None:
    suite = ET.fromstring(render_junit(report_of(facts())))  # noqa: S314 -- our own output
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    failed = {name for name, c in cases.items() if c.find("failure") is not None}
    assert failed == {"<b>checkout</b>: p95 target missed"}
    assert "browse: p95 target met" in cases
    assert {"scenario <b>checkout</b>", "scenario browse", "whole test"} <= set(cases)
    assert suite.get("tests") == str(len(cases))
    assert suite.get("failures") == "1"


def test_junit_fails_an_incomplete_run() -> None:
    suite = ET.fromstring(render_junit(report_of(facts(), complete=False)))  # noqa: S314 -- our own output
    case = next(c for c in suite.iter("testcase") if c.get("name") == "figures are whole")
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == "InfluxDB refused 1,257 of 2,290 requests"


def test_chart_axes_end_on_a_round_number() -> None:
    assert [nice_ceiling(v) for v in (0, 0.03, 7, 12, 180, 2600)] == [1, 0.05, 10, 20, 200, 5000]


HOSTILE = [
    "esc\x1b[31mred\x0b\x7f",
    "]]>",
    "<script>alert('x')</script>",
    "\"quoted\" & 'single'",
    "결제 시나리오",
    "not a character: \uffff",
]
# What XML 1.0 forbids, and what HTML calls a parse error (DEL, C1 controls).
UNREADABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def hostile_report() -> ReportInput:
    target = ResponseTimeTarget(max_ms=100)
    report = report_of(
        run(
            [scenario(name, response_time_target=target) for name in HOSTILE],
            per_scenario=[figures(p95=180) for _ in HOSTILE],
            overall=figures(p95=180),
            scenario_series=[series([100.0] * 60) for _ in HOSTILE],
            overall_series=series([200.0] * 60),
        ),
        complete=False,
    )
    return replace(report, title="title \x00\x1b]]> <b> \ud800", reason="reason \x08\x0c")


def test_junit_is_well_formed_whatever_the_names() -> None:
    xml = render_junit(hostile_report())
    assert not UNREADABLE.search(xml)
    suite = ET.fromstring(xml.encode())  # noqa: S314 -- our own output
    names = {c.get("name") for c in suite.iter("testcase")}
    assert {
        "scenario esc\\x1b[31mred\\x0b\\x7f",
        "scenario ]]>",
        "scenario <script>alert('x')</script>",
        "scenario \"quoted\" & 'single'",
        "scenario 결제 시나리오",
        "scenario not a character: \\uffff",
    } <= names
    assert suite.get("name") == "title \\x00\\x1b]]> <b> \\ud800"
    failure = next(c for c in suite.iter("testcase") if c.get("name") == "figures are whole")
    assert failure[0].get("message") == "reason \\x08\\x0c"


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_html_is_well_formed_whatever_the_names() -> None:
    for language in ("en", "ko"):
        html = render_html(hostile_report(), language)
        assert not UNREADABLE.search(html)
        html.encode()  # a lone surrogate could not be sent
        reader = _Reader()
        reader.feed(html)
        reader.close()
        assert "script" not in reader.tags
        assert reader.tags.count("b") == 0  # the title's <b> is text
        text = "".join(reader.text)
        for name in (
            "<script>alert('x')</script>",
            "]]>",
            "\"quoted\" & 'single'",
            "결제 시나리오",
        ):
            assert name in text
        assert "esc\\x1b[31mred\\x0b\\x7f" in text
        assert "title \\x00\\x1b]]> <b> \\ud800" in text


def journey_report() -> ReportInput:
    """The first scenario as a journey: a login, two steps, a check on one of them."""
    report = report_of(facts())

    def step(name: str, requests: int, failed: int, avg: float, top: float) -> StepSummary:
        return StepSummary(
            name=name, requests=requests, failed=failed, avg_response_time=avg,
            max_response_time=top,
            failures=[FailureCount(status="500", count=failed)] if failed else [],
        )  # fmt: skip

    steps = [step("login", 10, 0, 12.5, 40.0), step("<i>create</i>", 600, 6, 80.25, 310.0),
             step("read", 594, 0, 9.0, 55.0)]  # fmt: skip
    checks = [CheckSummary(name="read: status in 200", step="read", passes=590, total=594)]
    journey = replace(report.scenarios[0], steps=steps, checks=checks)
    return replace(report, scenarios=[journey, *report.scenarios[1:]])


def test_a_journeys_steps_and_checks_are_in_both_reports() -> None:
    report = journey_report()
    html = render_html(report)
    section = html.split("Steps of &lt;b&gt;checkout&lt;/b&gt;", 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(.*?)</td>", section)
    assert rows[:3] == [("login", "10", "0"), ("&lt;i&gt;create&lt;/i&gt;", "600", "6"),
                        ("read", "594", "0")]  # fmt: skip
    assert "<td>read: status in 200</td><td>590 / 594</td><td>99.33 %</td>" in section
    assert "단계별 지표: &lt;b&gt;checkout&lt;/b&gt;" in render_html(report, language="ko")
    assert "Steps of" not in render_html(report_of(facts()))  # no journey, no section

    suite = ET.fromstring(render_junit(report))  # noqa: S314 -- our own output
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    create = cases["scenario <b>checkout</b>, step <i>create</i>"]
    assert create.findtext("system-out") == (
        "600 requests, 6 failed, response time avg 80.2 ms, max 310.0 ms"
    )
    read = cases["scenario <b>checkout</b>, step read"]
    assert read.findtext("system-out", "").endswith("check read: status in 200: 590 of 594 passed")
    # Steps never change the outcome: the same cases fail as without them.
    failed = {name for name, c in cases.items() if c.find("failure") is not None}
    assert failed == {"<b>checkout</b>: p95 target missed"}
    assert suite.get("tests") == str(len(cases)) == str(len(ET.fromstring(  # noqa: S314
        render_junit(report_of(facts()))).findall("testcase")) + 3)  # fmt: skip
