"""Failed requests: how many, of which kind, and periods where they rose."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime

from mv_contracts.metrics import FailureCount, MetricFigures, MetricSeries
from mv_gateway.analysis.facts import RunFacts
from mv_gateway.analysis.failure_kinds import describe, label
from mv_gateway.analysis.findings import Evidence, Finding, Severity, Words
from mv_gateway.analysis.text import pct, where
from mv_gateway.analysis.thresholds import AnalysisThresholds


def dominant(failures: list[FailureCount], failed: int) -> tuple[Words | None, Evidence]:
    """The kinds that make up most failures, named by HTTP status (or k6's code when no answer
    came), as words and evidence."""
    top = failures[:3] if failed else []
    named = [(describe(k), k.count / failed) for k in top]
    words = (
        Words(
            en=", ".join(f"{d.en} in {pct(share, 0)} of failures" for d, share in named),
            ko=", ".join(f"실패의 {pct(share, 0)}가 {d.ko}" for d, share in named),
        )
        if named
        else None
    )
    evidence: Evidence = {f"failures.{label(k)}": k.count for k in top}
    return words, evidence


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
            + (f": {kinds.en}." if kinds else "."),
            ko=f"{ko_where} 요청의 {pct(rate, 2)}가 실패했습니다 "
            f"({figures.total_requests:,}건 중 {figures.failed_requests:,}건)"
            + (f". {kinds.ko}." if kinds else "."),
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


# A rise counts only when chance would give it less than once in a thousand tests (one-sided):
# a steady share of failures over few requests a step (a ramp's first seconds) swings widely.
BURST_Z = 3.09


@dataclass(frozen=True, slots=True)
class Burst:
    first: int
    last: int
    base_rate: float
    """The failure rate of the rest of the test (all its other requests, pooled)."""
    rate: float
    """The burst's own failure rate (its requests, pooled)."""
    peak: float
    z: float


def _pooled(requests: list[float], failed: list[float], steps: range) -> tuple[float, float]:
    n = sum(requests[i] for i in steps)
    return n, (sum(failed[i] for i in steps) / n if n else 0.0)


def burst_of(series: MetricSeries, t: AnalysisThresholds, step_seconds: int = 1) -> Burst | None:
    """The first run of ``failure_burst_steps`` or more steps whose failure rate is
    ``failure_burst_rise`` above the test's typical (median) step, confirmed when the run's
    pooled rate beats the pooled rate of every other request by ``failure_burst_rise`` and by
    ``BURST_Z`` standard errors (a two-proportion test). Like is compared with like: a steady
    share of failures is no burst however the first few requests of a ramp happened to go."""
    rates = series.error_rate
    known = sorted(r for r in rates if r is not None)
    if len(known) < 2 * t.failure_burst_steps:
        return None
    typical = known[len(known) // 2]
    requests = [tps * step_seconds for tps in series.tps]
    failed = [(r or 0.0) * n for r, n in zip(rates, requests, strict=True)]
    run_start = None
    for i, value in enumerate([*rates, None]):
        if value is not None and value >= typical + t.failure_burst_rise:
            run_start = i if run_start is None else run_start
            continue
        if run_start is not None and i - run_start >= t.failure_burst_steps:
            inside = range(run_start, i)
            n1, p1 = _pooled(requests, failed, inside)
            rest = [j for j in range(len(rates)) if j not in inside and rates[j] is not None]
            n2 = sum(requests[j] for j in rest)
            p2 = sum(failed[j] for j in rest) / n2 if n2 else 0.0
            if n1 and n2 and p1 - p2 >= t.failure_burst_rise:
                pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
                error = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
                z = (p1 - p2) / error if error else math.inf
                if z >= BURST_Z:
                    peak = max(r for r in rates[run_start:i] if r is not None)
                    return Burst(run_start, i - 1, p2, p1, peak, z)
        run_start = None
    return None


def burst(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    groups: list[tuple[str | None, MetricSeries | None]] = [
        (s.name, s.series) for s in facts.scenarios if s.series is not None
    ] or [(None, facts.series)]
    found = []
    for scenario, series in groups:
        if series is None or (hit := burst_of(series, t, facts.step_seconds)) is None:
            continue
        began = datetime.fromtimestamp(series.time[hit.first], UTC)
        seconds = (hit.last - hit.first + 1) * facts.step_seconds
        offset = series.time[hit.first] - series.time[0]
        en_where, ko_where = where(scenario)
        found.append(
            Finding(
                rule="failures.burst",
                severity=Severity.WARNING,
                scenario=scenario,
                title=Words(en="Failures rose during the test", ko="테스트 중 실패 급증"),
                detail=Words(
                    en=f"{en_where.capitalize()}, {pct(hit.rate)} of requests failed for "
                    f"{seconds} s from {offset} s into the test (peak {pct(hit.peak)}), against "
                    f"{pct(hit.base_rate)} in the rest of the test.",
                    ko=f"{ko_where} 테스트 {offset}초 지점부터 {seconds}초 동안 요청의 "
                    f"{pct(hit.rate)}가 실패했습니다(최고 {pct(hit.peak)}). 나머지 구간은 "
                    f"{pct(hit.base_rate)}입니다.",
                ),
                evidence={
                    "base_error_rate": hit.base_rate,
                    "burst_error_rate": hit.rate,
                    "peak_error_rate": hit.peak,
                    "z_score": round(hit.z, 1),
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


def _redirected(failures: list[FailureCount]) -> dict[str, int]:
    """Redirect answers by status: the generated script follows none (load goes only to the
    checked base URL) and counts a 3xx but 304 as failed, so they are among the failures."""
    return {k.status: k.count for k in failures if not k.error_code and k.status.startswith("3")}


def redirects(facts: RunFacts, _t: AnalysisThresholds) -> list[Finding]:
    groups: list[tuple[str | None, list[FailureCount]]] = [
        (s.name, s.failures) for s in facts.scenarios if _redirected(s.failures)
    ]
    if not groups and _redirected(facts.summary.failures):
        groups = [(None, facts.summary.failures)]
    found = []
    for scenario, failures in groups:
        by_status = _redirected(failures)
        count = sum(by_status.values())
        statuses = ", ".join(f"HTTP {s}" for s in sorted(by_status))
        en_where, ko_where = where(scenario)
        found.append(
            Finding(
                rule="failures.redirect",
                severity=Severity.WARNING,
                scenario=scenario,
                title=Words(en="Redirects not followed", ko="따르지 않은 리디렉션"),
                detail=Words(
                    en=f"{count:,} requests {en_where} were answered with a redirect "
                    f"({statuses}) that was not followed, and counted as failed: load goes only "
                    "to the test's base URL, the one checked against the allowed targets.",
                    ko=f"{ko_where} 요청 {count:,}건이 리디렉션({statuses})으로 응답되었고, "
                    "따르지 않아 실패로 집계했습니다. 부하는 허용 대상으로 확인된 테스트의 "
                    "base URL로만 갑니다.",
                ),
                evidence={"redirected_requests": count}
                | {f"status.{status}": n for status, n in by_status.items()},
                recommendation=Words(
                    en="Aim the test at the URL the redirect names (often https, or a path "
                    "with or without its trailing slash), once it is an allowed target.",
                    ko="리디렉션이 가리키는 URL(흔히 https, 또는 끝의 슬래시 유무)을 허용 대상에 "
                    "두고 테스트를 그 URL로 향하게 하세요.",
                ),
            )
        )
    return found
