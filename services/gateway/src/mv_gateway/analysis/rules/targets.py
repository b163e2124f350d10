"""The targets a user set: response time and error rate per scenario, TPS for the test."""

from __future__ import annotations

from mv_contracts.metrics import MetricFigures
from mv_gateway.analysis.facts import RunFacts
from mv_gateway.analysis.findings import Finding, Severity, Words
from mv_gateway.analysis.text import ms, num, pct
from mv_gateway.analysis.thresholds import AnalysisThresholds

STORED_PERCENTILES = (50, 90, 95, 99)


def percentile_figure(figures: MetricFigures, percentile: float) -> tuple[float | None, str]:
    """The stored figure that judges a percentile target: the same percentile, else the next
    stored one above it (stricter), else the maximum; and its name."""
    for p in STORED_PERCENTILES:
        if percentile <= p:
            value: float | None = getattr(figures, f"p{p}_response_time")
            return value, f"p{p}_response_time"
    return figures.max_response_time, "max_response_time"


def own_thresholds(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    """A team's own script carries its targets as k6 thresholds: k6 judged them (exit 99), and
    the verdict takes k6's word. A generated script's thresholds are the targets judged above."""
    del t
    own = facts.request.own_script
    if own is None or not facts.thresholds_crossed:
        return []
    return [
        Finding(
            rule="target.k6_thresholds",
            scenario=None,
            severity=Severity.CRITICAL,
            title=Words(en="The script's k6 thresholds crossed",
                        ko="스크립트의 k6 임계값 초과"),
            detail=Words(en="k6 ended with exit code 99: a threshold the script sets failed.",
                         ko="k6가 종료 코드 99로 끝났습니다: 스크립트의 임계값이 실패했습니다."),
            evidence={"script_version": own.version_id},
        )
    ]  # fmt: skip


def response_time(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    del t
    found = []
    for s in facts.scenarios:
        target = s.request.response_time_target
        if target is None or s.figures is None:
            continue
        value, figure = percentile_figure(s.figures, target.percentile)
        if value is None:
            continue
        label = f"p{target.percentile:g}"
        evidence = {
            "percentile": target.percentile,
            "target_ms": target.max_ms,
            "figure": figure,
            "value_ms": value,
            "over_ms": value - target.max_ms,
        }
        if value <= target.max_ms:
            found.append(
                Finding(
                    rule="target.response_time",
                    severity=Severity.INFO,
                    scenario=s.name,
                    title=Words(en=f"{label} target met", ko=f"{label} 목표 달성"),
                    detail=Words(
                        en=f"{label} was {ms(value)}, within the target of {ms(target.max_ms)}.",
                        ko=f"{label}는 {ms(value)}로 목표 {ms(target.max_ms)} 이내입니다.",
                    ),
                    evidence=evidence,
                )
            )
            continue
        ratio = value / target.max_ms
        found.append(
            Finding(
                rule="target.response_time",
                severity=Severity.CRITICAL,
                scenario=s.name,
                title=Words(en=f"{label} target missed", ko=f"{label} 목표 미달"),
                detail=Words(
                    en=f"{label} was {ms(value)} against a target of {ms(target.max_ms)}: "
                    f"{ms(value - target.max_ms)} over ({num(ratio, 2)}x).",
                    ko=f"{label}가 {ms(value)}로 목표 {ms(target.max_ms)}보다 "
                    f"{ms(value - target.max_ms)} 깁니다 ({num(ratio, 2)}배).",
                ),
                evidence=evidence | {"ratio": ratio},
                recommendation=Words(
                    en="Look at the slowest part of this endpoint under load (database queries, "
                    "downstream calls, locks), or lower the load to find what it sustains.",
                    ko="부하 상태에서 이 엔드포인트의 가장 느린 부분(DB 쿼리, 하위 호출, 잠금)을 "
                    "살펴보거나, 부하를 낮춰 감당 가능한 수준을 찾으세요.",
                ),
            )
        )
    return found


def error_rate(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    del t
    found = []
    for s in facts.scenarios:
        target = s.request.error_rate_target
        if target is None or s.figures is None or s.figures.avg_error_rate is None:
            continue
        rate = s.figures.avg_error_rate
        evidence = {
            "target": target,
            "error_rate": rate,
            "failed_requests": s.figures.failed_requests,
            "total_requests": s.figures.total_requests,
        }
        met = rate <= target
        found.append(
            Finding(
                rule="target.error_rate",
                severity=Severity.INFO if met else Severity.CRITICAL,
                scenario=s.name,
                title=Words(en="Error-rate target met", ko="오류율 목표 달성")
                if met
                else Words(en="Error-rate target missed", ko="오류율 목표 미달"),
                detail=Words(
                    en=f"{pct(rate, 2)} of requests failed "
                    f"({s.figures.failed_requests:,} of {s.figures.total_requests:,}); "
                    f"the target is at most {pct(target, 2)}.",
                    ko=f"요청의 {pct(rate, 2)}가 실패했습니다 "
                    f"({s.figures.total_requests:,}건 중 {s.figures.failed_requests:,}건). "
                    f"목표는 {pct(target, 2)} 이하입니다.",
                ),
                evidence=evidence,
            )
        )
    return found


def target_tps(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    asked = facts.request.target_tps
    achieved = facts.summary.overall.avg_tps
    if asked is None or achieved is None:
        return []
    share = achieved / asked
    reached = share >= t.target_tps_reached
    return [
        Finding(
            rule="target.tps",
            severity=Severity.INFO if reached else Severity.WARNING,
            scenario=None,
            title=Words(en="Target TPS reached", ko="목표 TPS 도달")
            if reached
            else Words(en="Target TPS not reached", ko="목표 TPS 미달"),
            detail=Words(
                en=f"The test averaged {num(achieved)} requests/s against {num(asked)} asked "
                f"({pct(share, 0)}).",
                ko=f"평균 {num(achieved)} 요청/초로 목표 {num(asked)}의 {pct(share, 0)}입니다.",
            ),
            evidence={"target_tps": asked, "avg_tps": achieved, "share": share},
            recommendation=None
            if reached
            else Words(
                en="Add VUs (or use an arrival-rate executor with enough pre-allocated VUs); "
                "if response times rose as well, the service is the limit, not the load.",
                ko="VU를 늘리거나(또는 충분한 사전 할당 VU로 arrival-rate 실행기를 쓰세요), "
                "응답 시간도 늘었다면 한계는 부하가 아니라 서비스입니다.",
            ),
        )
    ]
