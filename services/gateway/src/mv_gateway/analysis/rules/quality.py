"""Whether the test itself can be trusted: enough data, long enough, a sensible start."""

from __future__ import annotations

from mv_contracts.runs import Executor
from mv_gateway.analysis.facts import RunFacts
from mv_gateway.analysis.findings import Finding, Severity, Words
from mv_gateway.analysis.text import num
from mv_gateway.analysis.thresholds import AnalysisThresholds


def no_data(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    del t
    if facts.summary.overall.total_requests > 0:
        return []
    reason = facts.summary.empty_reason or "no requests recorded"
    return [
        Finding(
            rule="quality.no_data",
            severity=Severity.CRITICAL,
            scenario=None,
            title=Words(en="No requests were recorded", ko="기록된 요청이 없습니다"),
            detail=Words(
                en=f"The test has no request samples ({reason}); nothing can be judged.",
                ko=f"테스트에 요청 샘플이 없어({reason}) 판단할 수 없습니다.",
            ),
            evidence={"reason": reason},
            recommendation=Words(
                en="Check that the base URL is reachable from where k6 runs and that the "
                "test ran for longer than its start-up.",
                ko="k6가 실행되는 곳에서 기본 URL에 닿는지, 테스트가 시작 단계보다 오래 "
                "실행되었는지 확인하세요.",
            ),
        )
    ]


def too_short(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    seconds = facts.summary.overall.test_duration
    if seconds is None or facts.summary.overall.total_requests == 0:
        return []
    if seconds >= t.min_duration_seconds:
        return []
    return [
        Finding(
            rule="quality.too_short",
            severity=Severity.INFO,
            scenario=None,
            title=Words(en="Test too short", ko="테스트가 너무 짧습니다"),
            detail=Words(
                en=f"The test ran for {num(seconds)} s; under {num(t.min_duration_seconds, 0)} s "
                "caches, pools and autoscalers have not settled, so the figures describe a "
                "warm-up.",
                ko=f"테스트가 {num(seconds)}초 실행되었습니다. {num(t.min_duration_seconds, 0)}초 "
                "미만이면 캐시, 풀, 오토스케일러가 안정되지 않아 수치는 워밍업을 나타냅니다.",
            ),
            evidence={"test_duration": seconds, "min_duration_seconds": t.min_duration_seconds},
        )
    ]


def few_requests(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    found = []
    for s in facts.scenarios:
        if s.figures is None or not 0 < s.figures.total_requests < t.min_requests_for_p99:
            continue
        found.append(
            Finding(
                rule="quality.few_requests",
                severity=Severity.INFO,
                scenario=s.name,
                title=Words(en="Too few requests for a stable p99", ko="p99를 믿기엔 요청이 적음"),
                detail=Words(
                    en=f"{s.figures.total_requests:,} requests: the p99 rests on the slowest "
                    f"{max(1, s.figures.total_requests // 100)}; it will move from run to run.",
                    ko=f"요청 {s.figures.total_requests:,}건: p99가 가장 느린 "
                    f"{max(1, s.figures.total_requests // 100)}건에 좌우되어 실행마다 달라집니다.",
                ),
                evidence={
                    "total_requests": s.figures.total_requests,
                    "min_requests": t.min_requests_for_p99,
                },
            )
        )
    return found


def no_ramp_up(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    found = []
    for s in facts.scenarios:
        r = s.request
        if r.executor is not Executor.CONSTANT_VUS or (r.vus or 0) < t.ramp_up_vus:
            continue
        found.append(
            Finding(
                rule="quality.no_ramp_up",
                severity=Severity.INFO,
                scenario=s.name,
                title=Words(en="No ramp-up", ko="램프업 없음"),
                detail=Words(
                    en=f"All {r.vus} VUs start at once; the first seconds measure a cold start "
                    "rather than the load.",
                    ko=f"VU {r.vus}개가 한 번에 시작하여 처음 몇 초는 부하가 아니라 콜드 "
                    "스타트를 측정합니다.",
                ),
                evidence={"vus": r.vus},
                recommendation=Words(
                    en="Use ramping-vus with a first stage that climbs to the target.",
                    ko="목표까지 올라가는 첫 단계를 둔 ramping-vus를 사용하세요.",
                ),
            )
        )
    return found


def incomplete(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    del t
    summary = facts.summary
    if summary.complete:
        return []
    reason = summary.incomplete_reason or "the stored samples do not match k6's own count"
    k6 = summary.k6_counts.overall.requests if summary.k6_counts else None
    return [
        Finding(
            rule="quality.incomplete",
            severity=Severity.CRITICAL,
            scenario=None,
            title=Words(en="The figures are not whole", ko="수치가 완전하지 않습니다"),
            detail=Words(
                en=f"{reason}. Every figure and finding of this run rests on part of it.",
                ko=f"{reason}. 이 실행의 모든 수치와 분석은 일부 데이터에 근거합니다.",
            ),
            evidence={
                "reason": reason,
                "k6_requests": k6,
                "stored_requests": summary.overall.total_requests,
            },
            recommendation=Words(
                en="Summarise again once the metrics store is back (POST …/summarise), or run "
                "the test again.",
                ko="메트릭 저장소가 복구되면 다시 요약하거나(POST …/summarise) 테스트를 다시 "
                "실행하세요.",
            ),
        )
    ]
