"""What the rules look at: one run's request, summary, series and pods, joined per scenario."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from mv_contracts.metrics import (
    CheckSummary,
    FailureCount,
    MetricFigures,
    MetricSeries,
    TestSummary,
)
from mv_contracts.runs import ScenarioRequest, TestRunRequest, scenario_tag


@dataclass(frozen=True, slots=True)
class PodSample:
    """One pod under test at one moment (a row of the test's stored resource series)."""

    pod: str
    at: datetime
    cpu_usage_millicores: float | None = None
    cpu_limit_millicores: float | None = None
    cpu_percent: float | None = None
    memory_usage_mb: float | None = None
    memory_limit_mb: float | None = None
    restarts: int | None = None


@dataclass(frozen=True, slots=True)
class ScenarioFacts:
    name: str  # as the user wrote it
    tag: str  # k6's scenario key, as the samples carry it
    request: ScenarioRequest
    figures: MetricFigures | None
    failures: list[FailureCount]
    dropped_iterations: int
    series: MetricSeries | None
    checks: list[CheckSummary] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RunFacts:
    request: TestRunRequest
    summary: TestSummary
    pods: list[PodSample] = field(default_factory=list)
    thresholds_crossed: bool = False
    """k6 ended with exit code 99: a threshold of the script failed."""

    @property
    def test_id(self) -> str:
        return self.request.test_id

    @property
    def series(self) -> MetricSeries | None:
        return self.summary.series.overall if self.summary.series else None

    @property
    def step_seconds(self) -> int:
        return self.summary.series.step_seconds if self.summary.series else 1

    @property
    def scenarios(self) -> list[ScenarioFacts]:
        summaries = {s.name: s for s in self.summary.scenarios}
        series = self.summary.series.scenarios if self.summary.series else {}
        joined = []
        own = self.request.own_script is not None  # an own script's scenarios are k6's keys
        for position, scenario in enumerate(self.request.scenarios):
            tag = scenario.name if own else scenario_tag(position, scenario.name)
            summary = summaries.get(tag)
            joined.append(
                ScenarioFacts(
                    name=scenario.name,
                    tag=tag,
                    request=scenario,
                    figures=summary.figures if summary else None,
                    failures=summary.failures if summary else [],
                    dropped_iterations=summary.dropped_iterations if summary else 0,
                    series=series.get(tag),
                    checks=summary.checks if summary else [],
                )
            )
        return joined

    def scenario(self, name: str) -> ScenarioFacts | None:
        return next((s for s in self.scenarios if s.name == name), None)
