"""Every rule over one run, in one place: what `analyse` returns is what users read."""

from __future__ import annotations

from collections.abc import Callable

from . import regression
from .facts import RunFacts
from .findings import Analysis, Comparison, Finding, Judgement, Severity
from .rules import checks, failures, generator, load, pods, quality, targets
from .thresholds import AnalysisThresholds

Rule = Callable[[RunFacts, AnalysisThresholds], list[Finding]]

RULES: tuple[Rule, ...] = (
    quality.incomplete,
    quality.no_data,
    targets.own_thresholds,
    targets.response_time,
    targets.error_rate,
    checks.check_target,
    targets.target_tps,
    failures.rate,
    failures.burst,
    failures.redirects,
    load.saturation,
    load.drift,
    pods.cpu_limit,
    pods.memory_growth,
    pods.restarted,
    generator.dropped_iterations,
    quality.too_short,
    quality.few_requests,
    quality.no_ramp_up,
)
ORDER = {Severity.CRITICAL: 0, Severity.WARNING: 1, Severity.INFO: 2}


def analyse(
    facts: RunFacts, thresholds: AnalysisThresholds, baseline: RunFacts | None = None
) -> Analysis:
    """Findings of every rule, the most severe first; and, with a baseline, the comparison."""
    found = [finding for rule in RULES for finding in rule(facts, thresholds)]
    judgement: Judgement | None = None
    comparisons: list[Comparison] = []
    if baseline is not None and facts.summary.overall.total_requests:
        judgement, comparisons = regression.compare(facts, baseline, thresholds)
        found += regression.findings(baseline.test_id, comparisons)
    found.sort(key=lambda f: ORDER[f.severity])  # stable: rule order within a severity
    return Analysis(
        findings=found,
        baseline_test_id=baseline.test_id if baseline else None,
        baseline_judgement=judgement,
        thresholds=thresholds,
        comparisons=comparisons,
    )
