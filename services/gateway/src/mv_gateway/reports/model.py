"""What a report shows: a finished test as the gateway has stored it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mv_contracts.metrics import (
    CheckSummary,
    MetricFigures,
    MetricSeries,
    StepSummary,
    TestSeries,
)
from mv_contracts.runs import ScenarioRequest
from mv_gateway.analysis import Analysis, PodSample


@dataclass(frozen=True, slots=True)
class ReportScenario:
    name: str
    tag: str
    request: ScenarioRequest | None
    figures: MetricFigures | None
    series: MetricSeries | None = None
    steps: list[StepSummary] = field(default_factory=list)
    """A journey's steps in its order (its login first); none for one request."""
    checks: list[CheckSummary] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ReportInput:
    test_id: str
    title: str
    status: str
    started_at: datetime | None
    finished_at: datetime | None
    overall: MetricFigures | None
    scenarios: list[ReportScenario]
    analysis: Analysis
    series: TestSeries | None = None
    pods: list[PodSample] = field(default_factory=list)
    script: str | None = None
    reason: str | None = None
    complete: bool = True
    percentile_source: str | None = None  # PercentileSource
    percentile_error_bound: float | None = None
    state: str = "completed"  # history's RunState: completed, failed_to_run, cancelled...
