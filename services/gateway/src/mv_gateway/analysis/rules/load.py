"""How the service behaved as load grew or held: the saturation knee and drift at steady load."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from mv_contracts.metrics import MetricSeries
from mv_contracts.runs import Executor
from mv_gateway.analysis.facts import RunFacts
from mv_gateway.analysis.findings import Finding, Severity, Words
from mv_gateway.analysis.text import ms, num, pct, where
from mv_gateway.analysis.thresholds import AnalysisThresholds

STEADY = {Executor.CONSTANT_VUS, Executor.CONSTANT_ARRIVAL_RATE}
RAMPING = {Executor.RAMPING_VUS, Executor.RAMPING_ARRIVAL_RATE}
LEVELS = 8
MIN_DRIFT_STEPS = 9


@dataclass(frozen=True, slots=True)
class Level:
    vus: float
    tps: float
    latency: float


def latency_of(series: MetricSeries) -> list[float | None]:
    """p95 per step where there is one, else the mean."""
    return [
        p if p is not None else a
        for p, a in zip(series.response_time_p95, series.response_time_avg, strict=True)
    ]


def load_levels(vus: list[float | None], series: MetricSeries) -> list[Level]:
    """Steps grouped into up to ``LEVELS`` bands of VUs, each as its median VUs, TPS and
    response time; the partial first and last steps left out."""
    latency = latency_of(series)
    steps = [
        (v, tps, lat)
        for v, tps, lat in list(zip(vus, series.tps, latency, strict=True))[1:-1]
        if v is not None and lat is not None and v > 0
    ]
    if not steps:
        return []
    low, high = min(s[0] for s in steps), max(s[0] for s in steps)
    width = (high - low) / LEVELS or 1
    bands: dict[int, list[tuple[float, float, float]]] = {}
    for step in steps:
        bands.setdefault(min(int((step[0] - low) / width), LEVELS - 1), []).append(step)
    return [
        Level(median(s[0] for s in b), median(s[1] for s in b), median(s[2] for s in b))
        for _, b in sorted(bands.items())
    ]


def knee_of(levels: list[Level], t: AnalysisThresholds) -> tuple[Level, Level] | None:
    """The first level past which load grew, throughput stayed flat and response time rose; and
    the level of the highest load."""
    if len(levels) < 3:
        return None
    top = levels[-1]
    for level in levels[:-1]:
        if level.tps <= 0 or level.latency <= 0:
            continue
        load = top.vus / level.vus - 1
        throughput = top.tps / level.tps - 1
        latency = top.latency / level.latency - 1
        if (
            load >= t.saturation_load_growth
            and throughput < t.saturation_tps_growth
            and latency >= t.saturation_latency_growth
            and top.latency - level.latency >= t.saturation_latency_min_ms
        ):
            return level, top
    return None


def saturation(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    overall = facts.series
    if overall is None:
        return []
    vus = overall.vus
    known = [v for v in vus if v is not None]
    if not known or max(known) < (1 + t.saturation_load_growth) * max(min(known), 1):
        return []  # the load never grew: nothing to saturate
    # VUs are counted for the whole test: with several scenarios, only one whose own load ramps
    # can be judged against them (a constant one's throughput rightly stays flat).
    scenarios = facts.scenarios
    groups: list[tuple[str | None, MetricSeries]] = [
        (s.name, s.series)
        for s in scenarios
        if s.series is not None and (len(scenarios) == 1 or s.request.executor in RAMPING)
    ]
    if not groups and len(scenarios) != 1:
        groups = [(None, overall)]
    found = []
    for scenario, series in groups:
        hit = knee_of(load_levels(vus, series), t)
        if hit is None:
            continue
        knee, top = hit
        en_where, ko_where = where(scenario)
        found.append(
            Finding(
                rule="load.saturation",
                severity=Severity.WARNING,
                scenario=scenario,
                title=Words(en="Throughput limit reached", ko="처리량 한계 도달"),
                detail=Words(
                    en=f"{en_where.capitalize()}, throughput stopped growing at about "
                    f"{num(knee.tps)} requests/s with {num(knee.vus, 0)} VUs: at "
                    f"{num(top.vus, 0)} VUs it was {num(top.tps)} requests/s while the response "
                    f"time rose from {ms(knee.latency)} to {ms(top.latency)}.",
                    ko=f"{ko_where} 처리량이 VU {num(knee.vus, 0)}개, 약 {num(knee.tps)} "
                    f"요청/초에서 더 늘지 않았습니다. VU {num(top.vus, 0)}개에서 {num(top.tps)} "
                    f"요청/초였고 응답 시간은 {ms(knee.latency)}에서 {ms(top.latency)}로 "
                    "늘었습니다.",
                ),
                evidence={
                    "knee_vus": knee.vus,
                    "knee_tps": knee.tps,
                    "knee_response_time_ms": knee.latency,
                    "max_vus": top.vus,
                    "max_load_tps": top.tps,
                    "max_load_response_time_ms": top.latency,
                },
                recommendation=Words(
                    en="More load past this point only adds waiting. Find the bottleneck at the "
                    "knee (CPU limit, connection or thread pool, a lock, a downstream service) or "
                    "scale the service out.",
                    ko="이 지점 이후의 추가 부하는 대기만 늘립니다. 한계 지점의 병목(CPU 한도, "
                    "연결·스레드 풀, 잠금, 하위 서비스)을 찾거나 서비스를 확장하세요.",
                ),
            )
        )
    return found


def thirds(values: list[float | None]) -> tuple[float, float] | None:
    """Median of the first and of the last third of the known values, partial ends left out."""
    inner = [v for v in values[1:-1] if v is not None]
    if len(inner) < MIN_DRIFT_STEPS:
        return None
    third = len(inner) // 3
    return median(inner[:third]), median(inner[-third:])


def drift(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    found = []
    for s in facts.scenarios:
        if s.series is None or s.request.executor not in STEADY or s.request.stages:
            continue
        ends = thirds(latency_of(s.series))
        if ends is None or ends[0] <= 0:
            continue
        first, last = ends
        ratio = last / first
        if ratio < t.drift_ratio or last - first < t.drift_min_ms:
            continue
        found.append(
            Finding(
                rule="load.drift",
                severity=Severity.WARNING,
                scenario=s.name,
                title=Words(
                    en="Response time drifted up at steady load",
                    ko="일정한 부하에서 응답 시간 증가",
                ),
                detail=Words(
                    en=f"At a constant load, the response time went from {ms(first)} in the "
                    f"first third of the test to {ms(last)} in the last ({pct(ratio - 1, 0)} "
                    "slower).",
                    ko=f"부하가 일정한데 응답 시간이 테스트 처음 1/3의 {ms(first)}에서 마지막 "
                    f"1/3의 {ms(last)}로 {pct(ratio - 1, 0)} 느려졌습니다.",
                ),
                evidence={"first_third_ms": first, "last_third_ms": last, "ratio": ratio},
                recommendation=Words(
                    en="Something accumulates: a growing queue or cache, a leak, garbage "
                    "collection, a table that grows. Run longer and watch the pods' memory.",
                    ko="무언가 쌓이고 있습니다: 커지는 큐나 캐시, 누수, GC, 커지는 테이블. "
                    "더 길게 실행하며 파드의 메모리를 보세요.",
                ),
            )
        )
    return found
