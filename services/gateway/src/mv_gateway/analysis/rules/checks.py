"""The check target a user set: the lowest pass rate any check of the scenario may have."""

from __future__ import annotations

from mv_gateway.analysis.facts import RunFacts
from mv_gateway.analysis.findings import Finding, Severity, Words
from mv_gateway.analysis.text import pct
from mv_gateway.analysis.thresholds import AnalysisThresholds


def check_target(facts: RunFacts, t: AnalysisThresholds) -> list[Finding]:
    del t
    found = []
    for s in facts.scenarios:
        target = s.request.check_target
        judged = [c for c in s.checks if c.total]
        if target is None or not judged:
            continue
        worst = min(judged, key=lambda c: (c.passes / c.total, c.name))
        rate = worst.passes / worst.total
        below = [c.name for c in judged if c.passes / c.total < target]
        evidence = {
            "target": target,
            "check": worst.name,
            "pass_rate": rate,
            "passes": worst.passes,
            "total": worst.total,
            "checks_below": len(below),
        }
        met = not below
        found.append(
            Finding(
                rule="target.checks",
                severity=Severity.INFO if met else Severity.CRITICAL,
                scenario=s.name,
                title=Words(en="Check target met", ko="검사 목표 달성")
                if met
                else Words(en="Check target missed", ko="검사 목표 미달"),
                detail=Words(
                    en=f"The weakest check, {worst.name!r}, held for {pct(rate, 2)} of answers "
                    f"({worst.passes:,} of {worst.total:,}); the target is at least "
                    f"{pct(target, 2)}.",
                    ko=f"가장 낮은 검사 {worst.name!r}는 응답의 {pct(rate, 2)}에서 "
                    f"통과했습니다 ({worst.total:,}건 중 {worst.passes:,}건). "
                    f"목표는 {pct(target, 2)} 이상입니다.",
                ),
                evidence=evidence,
            )
        )
    return found
