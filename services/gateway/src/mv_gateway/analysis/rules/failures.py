"""Failed requests: how many, of which kind, and periods where they rose."""

from __future__ import annotations

from datetime import UTC, datetime

from mv_contracts.metrics import FailureCount, MetricFigures, MetricSeries
from mv_gateway.analysis.facts import RunFacts
from mv_gateway.analysis.findings import Evidence, Finding, Severity, Words
from mv_gateway.analysis.text import pct, where
from mv_gateway.analysis.thresholds import AnalysisThresholds

K6_ERROR_CODES = {  # the ones a user meets most; k6's docs list them all
    "1000": "generic error",
    "1010": "non-TCP network error",
    "1020": "invalid URL",
    "1050": "request timeout",
    "1100": "DNS error",
    "1200": "TCP error",
    "1210": "connection refused",
    "1211": "connection reset by peer",
    "1220": "TCP timeout",
    "1300": "TLS error",
    "1400": "HTTP/2 error",
}


def describe(kind: FailureCount) -> str:
    if kind.error_code:
        name = K6_ERROR_CODES.get(kind.error_code, "k6 error")
        return f"{name} (k6 {kind.error_code})"
    return f"HTTP {kind.status}"


def dominant(failures: list[FailureCount], failed: int) -> tuple[str, Evidence]:
    """The kinds that make up most failures, as text and evidence."""
    top = failures[:3]
    text = ", ".join(f"{describe(k)} {pct(k.count / failed, 0)}" for k in top) if failed else ""
    evidence: Evidence = {f"failures.{describe(k)}": k.count for k in top}
    return text, evidence


def _rate_finding(
    scenario: str | None,
    figures: MetricFigures,
    failures: list[FailureCount],
    t: AnalysisThresholds,
) -> Finding | None:
    rate = figures.avg_error_rate
    if rate is None or rate < t.failure_rate_warning:
        return None
    critical = rate >= t.failure_rate_critical
    threshold = t.failure_rate_critical if critical else t.failure_rate_warning
    kinds, evidence = dominant(failures, figures.failed_requests)
    en_where, ko_where = where(scenario)
    return Finding(
        rule="failures.rate",
        severity=Severity.CRITICAL if critical else Severity.WARNING,
        scenario=scenario,
        title=Words(
            en=f"Error rate {pct(rate)} above the {pct(threshold, 0)} threshold",
            ko=f"오류율 {pct(rate)}, 기준 {pct(threshold, 0)} 초과",
        ),
        detail=Words(
            en=f"{pct(rate, 2)} of requests failed {en_where} "
            f"({figures.failed_requests:,} of {figures.total_requests:,})"
            + (f"; mostly {kinds}." if kinds else "."),
            ko=f"{ko_where} 요청의 {pct(rate, 2)}가 실패했습니다 "
            f"({figures.total_requests:,}건 중 {figures.failed_requests:,}건)"
            + (f". 주요 원인: {kinds}." if kinds else "."),
        ),
        evidence={
            "error_rate": rate,
            "failed_requests": figures.failed_requests,
            "total_requests": figures.total_requests,
            "threshold": threshold,
            "threshold_setting": "failure_rate_critical" if critical else "failure_rate_warning",
        }
        | evidence,
        recommendation=Words(
            en="Read the service's logs for the dominant status; 4xx usually means the request "
            "(body, parameters, auth) is wrong, 5xx or timeouts that the service gave up.",
            ko="가장 많은 상태 코드에 대해 서비스 로그를 확인하세요. 4xx는 대개 요청(본문, "
            "파라미터, 인증) 문제이고, 5xx나 타임아웃은 서비스가 감당하지 못한 것입니다.",
        ),
    )


def rate(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    found = []
    overall = _rate_finding(None, facts.summary.overall, facts.summary.failures, t)
    if overall:
        found.append(overall)
    for s in facts.scenarios:
        if s.figures is not None and (f := _rate_finding(s.name, s.figures, s.failures, t)):
            found.append(f)
    return found


def burst_of(series: MetricSeries, t: AnalysisThresholds) -> tuple[int, int, float, float] | None:
    """(first step, last step, start rate, peak rate) of the first run of steps whose failure
    rate rose ``failure_burst_rise`` above the rate of the test's start."""
    rates = series.error_rate
    known = [r for r in rates if r is not None]
    if len(known) < 2 * t.failure_burst_steps:
        return None
    opening = known[: max(t.failure_burst_steps, len(known) // 10)]
    start = sum(opening) / len(opening)
    run_start = None
    for i, value in enumerate([*rates, None]):
        if value is not None and value >= start + t.failure_burst_rise:
            run_start = i if run_start is None else run_start
            continue
        if run_start is not None and i - run_start >= t.failure_burst_steps:
            window = [r for r in rates[run_start:i] if r is not None]
            return run_start, i - 1, start, max(window)
        run_start = None
    return None


def burst(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    groups: list[tuple[str | None, MetricSeries | None]] = [
        (s.name, s.series) for s in facts.scenarios if s.series is not None
    ] or [(None, facts.series)]
    found = []
    for scenario, series in groups:
        if series is None or (hit := burst_of(series, t)) is None:
            continue
        first, last, start, peak = hit
        began = datetime.fromtimestamp(series.time[first], UTC)
        seconds = (last - first + 1) * facts.step_seconds
        offset = series.time[first] - series.time[0]
        en_where, ko_where = where(scenario)
        found.append(
            Finding(
                rule="failures.burst",
                severity=Severity.WARNING,
                scenario=scenario,
                title=Words(en="Failures rose during the test", ko="테스트 중 실패 급증"),
                detail=Words(
                    en=f"{en_where.capitalize()}, the failure rate rose from {pct(start)} at the "
                    f"start to {pct(peak)} for {seconds} s, {offset} s into the test.",
                    ko=f"{ko_where} 실패율이 시작 시 {pct(start)}에서 테스트 {offset}초 지점부터 "
                    f"{seconds}초 동안 {pct(peak)}까지 올랐습니다.",
                ),
                evidence={
                    "start_error_rate": start,
                    "peak_error_rate": peak,
                    "from": began.isoformat(),
                    "seconds": seconds,
                    "offset_seconds": offset,
                },
                recommendation=Words(
                    en="Line this period up with the pods' CPU and memory and the service's logs: "
                    "a burst often marks a pool, queue or connection limit being reached.",
                    ko="이 구간을 파드의 CPU·메모리와 서비스 로그에 맞춰 보세요. 급증은 흔히 "
                    "풀, 큐, 연결 한도에 도달했음을 뜻합니다.",
                ),
            )
        )
    return found
