"""Each analysis rule on synthetic runs: it fires on the pattern it names, with the numbers it
rests on, and stays silent on a healthy run. Targets, failures, checks, the run's quality and
regressions here; load, saturation and the pods' in test_analysis_load_rules.py."""

from __future__ import annotations

from gateway_tests.analysis_facts import T, figures, rules, run, scenario, series
from mv_contracts.metrics import CheckSummary, FailureCount
from mv_contracts.runs import ResponseTimeTarget
from mv_gateway.analysis import (
    Judgement,
    Severity,
    Words,
    analyse,
)


def test_a_healthy_run_has_no_warning() -> None:
    facts = run(
        [scenario("list", response_time_target=ResponseTimeTarget(max_ms=50))],
        scenario_series=[series([100.0] * 60)],
    )
    analysis = analyse(facts, T)
    assert [f.severity for f in analysis.findings] == [Severity.INFO]
    assert analysis.findings[0].rule == "target.response_time"
    assert analysis.passed


def test_response_time_target_missed_by_how_much() -> None:
    facts = run(
        [
            scenario("slow", response_time_target=ResponseTimeTarget(max_ms=100, percentile=95)),
            scenario("fast", response_time_target=ResponseTimeTarget(max_ms=100, percentile=99)),
        ],
        per_scenario=[figures(p95=250), figures(p95=20)],
    )
    analysis = analyse(facts, T)
    missed = [f for f in analysis.findings if f.severity is Severity.CRITICAL]
    assert [(f.rule, f.scenario) for f in missed] == [("target.response_time", "slow")]
    assert missed[0].evidence["over_ms"] == 150
    assert missed[0].evidence["ratio"] == 2.5
    assert "250.0 ms" in missed[0].detail.en
    assert "250.0 ms" in missed[0].detail.ko
    assert not analysis.passed


def test_a_percentile_between_stored_ones_is_judged_by_the_next_one_up() -> None:
    facts = run(
        [scenario("a", response_time_target=ResponseTimeTarget(max_ms=11, percentile=97))],
        per_scenario=[figures(p95=10)],  # p95 10 ms, p99 12 ms
    )
    (finding,) = analyse(facts, T).findings
    assert finding.severity is Severity.CRITICAL
    assert finding.evidence["figure"] == "p99_response_time"


def test_error_rate_target() -> None:
    facts = run(
        [scenario("a", error_rate_target=0.01), scenario("b", error_rate_target=0.01)],
        per_scenario=[figures(requests=1000, failed=5), figures(requests=1000, failed=30)],
        overall=figures(requests=2000, failed=35),
    )
    by_rule = {(f.rule, f.scenario): f for f in analyse(facts, T).findings}
    assert by_rule[("target.error_rate", "a")].severity is Severity.INFO
    assert by_rule[("target.error_rate", "b")].severity is Severity.CRITICAL
    assert by_rule[("target.error_rate", "b")].evidence["error_rate"] == 0.03


def test_target_tps_achieved_vs_asked() -> None:
    reached = run([scenario("a")], target_tps=100)  # 6000 requests in 60 s
    missed = run([scenario("a")], target_tps=200)
    assert ("target.tps", None) in rules(reached, Severity.INFO)
    (finding,) = [f for f in analyse(missed, T).findings if f.rule == "target.tps"]
    assert finding.severity is Severity.WARNING
    assert finding.evidence["share"] == 0.5


def test_high_failure_rate_names_the_dominant_status() -> None:
    kinds = [
        FailureCount(status="503", count=90),
        FailureCount(status="0", error_code="1050", count=10),
    ]
    facts = run(
        [scenario("ok"), scenario("broken")],
        per_scenario=[figures(), figures(requests=1000, failed=100)],
        overall=figures(requests=7000, failed=100),
        failures=[[], kinds],
    )
    found = {(f.rule, f.scenario): f for f in analyse(facts, T).findings}
    broken = found[("failures.rate", "broken")]
    assert broken.severity is Severity.CRITICAL
    assert "HTTP 503 in 90 % of failures" in broken.detail.en
    assert "request timeout (k6 1050) in 10 % of failures" in broken.detail.en
    assert "실패의 10 %가 요청 시간 초과 (k6 1050)" in broken.detail.ko
    assert "k6 error" not in broken.detail.en
    assert found[("failures.rate", None)].severity is Severity.WARNING  # 1.4 % overall
    assert ("failures.rate", "ok") not in found


def test_a_burst_of_failures_after_a_clean_start() -> None:
    errors = [0.0] * 20 + [0.4] * 5 + [0.0] * 20
    facts = run([scenario("a")], scenario_series=[series([100.0] * 45, errors=errors)])
    (burst,) = [f for f in analyse(facts, T).findings if f.rule == "failures.burst"]
    assert burst.evidence["offset_seconds"] == 20
    assert burst.evidence["seconds"] == 5
    assert burst.evidence["peak_error_rate"] == 0.4
    steady = run([scenario("a")], scenario_series=[series([100.0] * 45, errors=[0.05] * 45)])
    assert "failures.burst" not in [r for r, _ in rules(steady)]


def test_an_answer_is_named_by_its_http_status_not_by_k6s_code() -> None:
    # k6 tags an HTTP 500 answer with error_code 1500: the finding says "HTTP 500".
    facts = run(
        [scenario("flaky")],
        per_scenario=[figures(requests=135, failed=27)],
        overall=figures(requests=135, failed=27),
        failures=[[FailureCount(status="500", error_code="1500", count=27)]],
    )
    found = {(f.rule, f.scenario): f for f in analyse(facts, T).findings}
    detail = found[("failures.rate", "flaky")].detail
    assert "HTTP 500 in 100 % of failures" in detail.en
    assert "실패의 100 %가 HTTP 500" in detail.ko
    assert "k6" not in detail.en + detail.ko


def every_fifth_failing_on_a_ramp() -> tuple[list[float], list[float]]:
    """Requests per 1 s step ramping 1, 1, 1, 1, 2, 3, 4 to a steady 5, and every 5th request
    of the test failing: the ramp's first four requests (its first steps) succeed, every step
    after holds about one failure in five."""
    tps = [1.0, 1.0, 1.0, 1.0, 2.0, 3.0, 4.0] + [5.0] * 40
    errors, made = [], 0
    for n in tps:
        failed = sum(1 for i in range(made + 1, made + int(n) + 1) if i % 5 == 0)
        errors.append(failed / n)
        made += int(n)
    return tps, errors


def test_a_steady_share_of_failures_after_a_clean_ramp_is_no_burst() -> None:
    tps, errors = every_fifth_failing_on_a_ramp()
    assert errors[:4] == [0.0, 0.0, 0.0, 0.0]
    assert errors[-1] == 0.2
    facts = run([scenario("a")], scenario_series=[series(tps, errors=errors)])
    assert "failures.burst" not in [r for r, _ in rules(facts)]


def test_a_rise_on_a_handful_of_requests_is_not_significant() -> None:
    # 1 failure in 2 for three seconds against 1 in 5 elsewhere: 3 of 6, chance does that.
    errors = [0.2] * 20 + [0.5] * 3 + [0.2] * 20
    tps = [10.0] * 20 + [2.0] * 3 + [10.0] * 20
    facts = run([scenario("a")], scenario_series=[series(tps, errors=errors)])
    assert "failures.burst" not in [r for r, _ in rules(facts)]


def test_redirects_not_followed_are_a_finding_of_their_own() -> None:
    """The generated script follows no redirect (load stays at the checked base URL) and counts
    a 3xx as failed; the finding says so, rather than leaving a bare "HTTP 302" to puzzle over."""
    kinds = [FailureCount(status="302", count=40), FailureCount(status="500", count=2),
             FailureCount(status="301", count=1)]  # fmt: skip
    facts = run(
        [scenario("ok"), scenario("moved")],
        per_scenario=[figures(), figures(requests=1000, failed=43)],
        overall=figures(requests=7000, failed=43),
        failures=[[], kinds],
    )
    [found] = [f for f in analyse(facts, T).findings if f.rule == "failures.redirect"]
    assert found.scenario == "moved"
    assert found.severity is Severity.WARNING
    assert found.detail.en.startswith(
        "41 requests in scenario 'moved' were answered with a redirect (HTTP 301, HTTP 302)"
    )
    assert found.evidence == {"redirected_requests": 41, "status.302": 40, "status.301": 1}
    plain = run([scenario("a")], per_scenario=[figures(requests=100, failed=2)],
                failures=[[FailureCount(status="500", count=2)]])  # fmt: skip
    assert "failures.redirect" not in [r for r, _ in rules(plain)]


def test_check_target_fails_the_verdict_when_a_check_holds_too_rarely() -> None:
    held = [CheckSummary(name="read: status in 200", step="read", passes=990, total=1000)]
    weak = [
        CheckSummary(name="create: status in 201", step="create", passes=1000, total=1000),
        CheckSummary(name="create: id exists", step="create", passes=950, total=1000),
    ]
    facts = run(
        [scenario("a", check_target=0.99), scenario("b", check_target=0.99), scenario("c")],
        checks=[held, weak, weak],
    )
    analysis = analyse(facts, T)
    by_rule = {(f.rule, f.scenario): f for f in analysis.findings}
    assert by_rule[("target.checks", "a")].severity is Severity.INFO
    missed = by_rule[("target.checks", "b")]
    assert missed.severity is Severity.CRITICAL
    assert missed.evidence["check"] == "create: id exists"
    assert missed.evidence["pass_rate"] == 0.95
    assert ("target.checks", "c") not in by_rule  # no target set
    assert analysis.verdict.outcome.value == "failed"
    assert "Check target missed (b)" in analysis.verdict.reason.en


def test_test_quality() -> None:
    facts = run(
        [scenario("a", vus=100)],
        per_scenario=[figures(requests=300, duration=10)],
    )
    found = rules(facts, Severity.INFO)
    assert ("quality.too_short", None) in found
    assert ("quality.few_requests", "a") in found
    assert ("quality.no_ramp_up", "a") in found


def test_no_data_is_critical() -> None:
    facts = run([scenario("a")], per_scenario=[figures(requests=0)])
    assert rules(facts, Severity.CRITICAL) == [("quality.no_data", None)]


def test_regression_against_a_baseline() -> None:
    base = run(
        [scenario("a")],
        per_scenario=[figures(p95=10)],
        scenario_series=[series([100.0] * 30, latency=[10.0 + i % 3 for i in range(30)])],
        test_id="base",
    )
    slower = run(
        [scenario("a")],
        per_scenario=[figures(p95=20)],
        scenario_series=[series([100.0] * 30, latency=[20.0 + i % 3 for i in range(30)])],
    )
    analysis = analyse(slower, T, baseline=base)
    assert analysis.baseline_judgement is Judgement.WORSE
    assert analysis.baseline_test_id == "base"
    worse = {(c.figure, c.scenario) for c in analysis.comparisons if c.judgement is Judgement.WORSE}
    assert ("p95_response_time", "a") in worse
    p95 = next(c for c in analysis.comparisons if c.figure == "p95_response_time")
    assert p95.change == 1.0
    assert p95.p_value is not None
    assert p95.p_value < 0.001
    assert ("regression.worse", "a") in [(f.rule, f.scenario) for f in analysis.findings]
    worse_findings = [f for f in analysis.findings if f.rule == "regression.worse"]
    titles = {f.title for f in worse_findings}
    # The figure in words, never the API's name for it.
    assert (
        Words(en="p95 response time worse than the baseline", ko="p95 응답 시간 기준보다 나빠짐")
        in titles
    )
    same = analyse(base, T, baseline=base)
    assert same.baseline_judgement is Judgement.SAME


def test_a_change_within_the_noise_is_the_same() -> None:
    noisy = [10.0 + (i * 7) % 11 for i in range(30)]
    base = run(
        [scenario("a")],
        per_scenario=[figures(p95=10)],
        scenario_series=[series([100.0] * 30, latency=noisy)],
        test_id="base",
    )
    # 15 % higher p95 figure, but the per-step series are the same distribution.
    other = run(
        [scenario("a")],
        per_scenario=[figures(p95=11.5)],
        scenario_series=[series([100.0] * 30, latency=list(reversed(noisy)))],
    )
    analysis = analyse(other, T, baseline=base)
    p95 = next(c for c in analysis.comparisons if c.figure == "p95_response_time" and c.scenario)
    assert p95.judgement is Judgement.SAME
    assert p95.p_value is not None
    assert p95.p_value > 0.5
