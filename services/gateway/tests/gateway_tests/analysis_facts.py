"""Synthetic runs for the analysis rules: a request, its summary and per-step series."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mv_contracts.metrics import (
    CheckSummary,
    FailureCount,
    MetricFigures,
    MetricSeries,
    ScenarioSummary,
    TestSeries,
    TestSummary,
)
from mv_contracts.runs import ScenarioRequest, TestRunRequest, scenario_tag
from mv_gateway.analysis import AnalysisThresholds, PodSample, RunFacts, Severity, analyse

START = 1_800_000_000
T = AnalysisThresholds()


def rules(facts: RunFacts, severity: Severity | None = None) -> list[tuple[str, str | None]]:
    """The findings of ``facts`` (of ``severity``, if given) as (rule, scenario) pairs."""
    found = analyse(facts, T).findings
    return [(f.rule, f.scenario) for f in found if severity is None or f.severity is severity]


def scenario(name: str, **options: Any) -> ScenarioRequest:
    options.setdefault("vus", 10)
    options.setdefault("duration", "60s")
    return ScenarioRequest(name=name, endpoint={"method": "GET", "path": f"/{name}"}, **options)


def series(
    tps: Sequence[float],
    latency: Sequence[float | None] | None = None,
    errors: Sequence[float | None] | None = None,
    vus: Sequence[float | None] | None = None,
) -> MetricSeries:
    n = len(tps)
    latency = list(latency) if latency is not None else [10.0] * n
    return MetricSeries(
        time=list(range(START, START + n)),
        tps=list(tps),
        response_time_avg=[None if v is None else v * 0.8 for v in latency],
        response_time_p95=list(latency),
        response_time_p99=[None if v is None else v * 1.2 for v in latency],
        error_rate=list(errors) if errors is not None else [0.0] * n,
        vus=list(vus) if vus is not None else [None] * n,
    )


def figures(
    requests: int = 6000, failed: int = 0, p95: float = 10.0, duration: float = 60.0, **more: Any
) -> MetricFigures:
    values: dict[str, Any] = {
        "total_requests": requests,
        "failed_requests": failed,
        "test_duration": duration,
        "avg_tps": requests / duration,
        "max_tps": requests / duration,
        "min_tps": requests / duration,
        "avg_error_rate": failed / requests if requests else None,
        "avg_response_time": p95 * 0.8,
        "p50_response_time": p95 * 0.7,
        "p90_response_time": p95 * 0.9,
        "p95_response_time": p95,
        "p99_response_time": p95 * 1.2,
        "max_response_time": p95 * 2,
    }
    return MetricFigures(**(values | more))


def run(
    scenarios: Sequence[ScenarioRequest],
    per_scenario: Sequence[MetricFigures] | None = None,
    overall: MetricFigures | None = None,
    scenario_series: Sequence[MetricSeries] | None = None,
    overall_series: MetricSeries | None = None,
    failures: Sequence[Sequence[FailureCount]] | None = None,
    dropped: Sequence[int] | None = None,
    pods: Sequence[PodSample] = (),
    target_tps: float | None = None,
    test_id: str = "t-1",
    checks: Sequence[Sequence[CheckSummary]] | None = None,
) -> RunFacts:
    per_scenario = per_scenario or [figures() for _ in scenarios]
    tags = [scenario_tag(i, s.name) for i, s in enumerate(scenarios)]
    request = TestRunRequest(
        test_id=test_id,
        title="synthetic",
        project_id=1,
        base_url="http://127.0.0.1:9",
        target_tps=target_tps,
        scenarios=list(scenarios),
    )
    summary = TestSummary(
        test_id=test_id,
        overall=overall or per_scenario[0],
        failures=[f for group in failures or [] for f in group],
        scenarios=[
            ScenarioSummary(
                name=tag,
                figures=f,
                failures=list(failures[i]) if failures else [],
                dropped_iterations=dropped[i] if dropped else 0,
                checks=list(checks[i]) if checks else [],
            )
            for i, (tag, f) in enumerate(zip(tags, per_scenario, strict=True))
        ],
        series=TestSeries(
            step_seconds=1,
            overall=overall_series or (scenario_series[0] if scenario_series else series([100])),
            scenarios=dict(zip(tags, scenario_series, strict=True)) if scenario_series else {},
        ),
    )
    return RunFacts(request=request, summary=summary, pods=list(pods))
