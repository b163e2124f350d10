"""The service under test: its pods' CPU against their limits and memory over the test."""

from __future__ import annotations

from statistics import median

from mv_gateway.analysis.facts import PodSample, RunFacts
from mv_gateway.analysis.findings import Finding, Severity, Words
from mv_gateway.analysis.text import num, pct
from mv_gateway.analysis.thresholds import AnalysisThresholds

MIN_SAMPLES = 5
NEAR_LIMIT = 0.9


def by_pod(samples: list[PodSample]) -> dict[str, list[PodSample]]:
    pods: dict[str, list[PodSample]] = {}
    for sample in sorted(samples, key=lambda s: s.at):
        pods.setdefault(sample.pod, []).append(sample)
    return pods


def cpu_limit(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    found = []
    for pod, samples in by_pod(facts.pods).items():
        limited = [s for s in samples if s.cpu_limit_millicores and s.cpu_percent is not None]
        if len(limited) < MIN_SAMPLES:
            continue
        at_limit = [s for s in limited if (s.cpu_percent or 0) >= t.cpu_limit_percent]
        share = len(at_limit) / len(limited)
        if share < t.cpu_limit_share:
            continue
        peak = max(s.cpu_percent or 0 for s in limited)
        limit = limited[-1].cpu_limit_millicores
        found.append(
            Finding(
                rule="pods.cpu_limit",
                severity=Severity.WARNING,
                scenario=None,
                title=Words(en="Pod CPU at its limit", ko="파드 CPU가 한도에 도달"),
                detail=Words(
                    en=f"Pod {pod} used {num(t.cpu_limit_percent, 0)} % or more of its CPU limit "
                    f"({num(limit, 0)} m) in {pct(share, 0)} of the samples (peak "
                    f"{num(peak, 0)} %): it is likely throttled.",
                    ko=f"파드 {pod}가 샘플의 {pct(share, 0)}에서 CPU 한도({num(limit, 0)} m)의 "
                    f"{num(t.cpu_limit_percent, 0)} % 이상을 사용했습니다(최대 {num(peak, 0)} %). "
                    "스로틀링되었을 가능성이 큽니다.",
                ),
                evidence={
                    "pod": pod,
                    "cpu_limit_millicores": limit,
                    "share_at_limit": share,
                    "peak_percent": peak,
                    "samples": len(limited),
                },
                recommendation=Words(
                    en="Raise the CPU limit or add replicas, then run again to see whether "
                    "response times follow.",
                    ko="CPU 한도를 올리거나 레플리카를 늘린 뒤 다시 실행해 응답 시간이 "
                    "따라오는지 보세요.",
                ),
            )
        )
    return found


def memory_growth(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    found = []
    for pod, samples in by_pod(facts.pods).items():
        memory = [s.memory_usage_mb for s in samples if s.memory_usage_mb is not None]
        if len(memory) < MIN_SAMPLES:
            continue
        fifth = max(1, len(memory) // 5)
        first, last = median(memory[:fifth]), median(memory[-fifth:])
        if first <= 0 or last / first - 1 < t.memory_growth:
            continue
        limit = samples[-1].memory_limit_mb
        near = limit is not None and last >= NEAR_LIMIT * limit
        found.append(
            Finding(
                rule="pods.memory_growth",
                severity=Severity.CRITICAL if near else Severity.WARNING,
                scenario=None,
                title=Words(
                    en="Pod memory grew through the test", ko="테스트 동안 파드 메모리 증가"
                ),
                detail=Words(
                    en=f"Pod {pod} went from {num(first, 0)} MB to {num(last, 0)} MB "
                    f"({pct(last / first - 1, 0)})"
                    + (f", close to its {num(limit, 0)} MB limit." if near else "."),
                    ko=f"파드 {pod}의 메모리가 {num(first, 0)} MB에서 {num(last, 0)} MB로 "
                    f"{pct(last / first - 1, 0)} 늘었습니다"
                    + (f". 한도 {num(limit, 0)} MB에 가깝습니다." if near else "."),
                ),
                evidence={
                    "pod": pod,
                    "first_fifth_mb": first,
                    "last_fifth_mb": last,
                    "memory_limit_mb": limit,
                },
                recommendation=Words(
                    en="Memory that keeps growing under steady load may be a leak; run a longer "
                    "test and see whether it levels off.",
                    ko="일정한 부하에서 계속 늘어나는 메모리는 누수일 수 있습니다. 더 긴 테스트로 "
                    "안정되는지 확인하세요.",
                ),
            )
        )
    return found


def restarted(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    del t
    found = []
    for pod, samples in by_pod(facts.pods).items():
        counts = [s.restarts for s in samples if s.restarts is not None]
        if len(counts) < 2 or counts[-1] <= counts[0]:
            continue
        during = counts[-1] - counts[0]
        found.append(
            Finding(
                rule="pods.restarted",
                severity=Severity.CRITICAL,
                scenario=None,
                title=Words(en="A pod restarted during the test", ko="테스트 중 파드 재시작"),
                detail=Words(
                    en=f"Pod {pod}'s containers restarted {during} time(s) while the test ran: "
                    "requests in flight failed and the figures mix a crash with the load.",
                    ko=f"테스트 중 파드 {pod}의 컨테이너가 {during}번 재시작했습니다. 처리 중이던 "
                    "요청이 실패했고 수치에 장애가 섞여 있습니다.",
                ),
                evidence={
                    "pod": pod,
                    "restarts_during_test": during,
                    "restarts_at_end": counts[-1],
                },
                recommendation=Words(
                    en="Look at the pod's previous logs (kubectl logs --previous) and its events: "
                    "an OOM kill or a failing liveness probe under load are the usual causes.",
                    ko="파드의 이전 로그(kubectl logs --previous)와 이벤트를 확인하세요. 부하 중 "
                    "OOM 종료나 실패하는 liveness probe가 흔한 원인입니다.",
                ),
            )
        )
    return found
