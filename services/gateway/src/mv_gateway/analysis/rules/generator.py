"""The load generator: k6 could not produce the load it was asked for."""

from __future__ import annotations

from mv_gateway.analysis.facts import RunFacts
from mv_gateway.analysis.findings import Finding, Severity, Words
from mv_gateway.analysis.thresholds import AnalysisThresholds


def dropped_iterations(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    del t
    found = []
    for s in facts.scenarios:
        if s.dropped_iterations <= 0:
            continue
        vus = s.request.max_vus or s.request.pre_allocated_vus
        found.append(
            Finding(
                rule="generator.dropped_iterations",
                severity=Severity.WARNING,
                scenario=s.name,
                title=Words(en="k6 dropped iterations", ko="k6가 반복을 건너뜀"),
                detail=Words(
                    en=f"k6 could not start {s.dropped_iterations:,} iterations on time: all "
                    f"{vus} VUs were busy, so the asked arrival rate was not reached.",
                    ko=f"모든 VU({vus}개)가 바빠 k6가 반복 {s.dropped_iterations:,}회를 제때 "
                    "시작하지 못했습니다. 요청한 도착률에 도달하지 못했습니다.",
                ),
                evidence={"dropped_iterations": s.dropped_iterations, "max_vus": vus},
                recommendation=Words(
                    en="Raise preAllocatedVUs / maxVUs, or accept that the service's response "
                    "time caps the rate (VUs needed = rate x response time).",
                    ko="preAllocatedVUs / maxVUs를 늘리거나, 응답 시간이 도착률을 제한함을 "
                    "받아들이세요(필요한 VU = 도착률 x 응답 시간).",
                ),
            )
        )
    return found
