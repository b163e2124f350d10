"""Response bodies of the test-history endpoints, with examples for Swagger.

Figures are those of the contract's ``MetricFigures`` (the columns of test_history and
scenario_history), their fields made from it by :mod:`.figures`: requests, seconds, requests per
second, milliseconds, error rate as a fraction (0.02 = 2 %); None where nothing was measured yet
(a running or failed test).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field, computed_field

from mv_contracts.metrics import FIGURE_NAMES, PercentileSource
from mv_contracts.runs import MetricsMode
from mv_gateway.analysis import FailureRead, Judgement, Outcome, Verdict

from .figures import EXAMPLE, LIST_FIGURES, TREND_FIGURES, SortField, example, with_figures
from .queries import SortOrder
from .runners import RunnerRead
from .states import RunState, has_ended

STATE = Field(
    description="Whether the run ran to its end: pending, running, completed, failed_to_run "
    "(it could not run or stopped early), cancelled. Not whether it passed: see verdict"
)
OUTCOME = Field(default=None, description="The verdict: passed or failed; null before the analysis")

_ITEM_EXAMPLE: dict[str, Any] = {
    "id": 42,
    "test_id": "5f0c9d3e-8a55-4f51-9d43-0e1e0a5b6c7d",
    "title": "Performance Test",
    "project_id": 1,
    "project_title": "결제 API",
    "tested_at": "2026-11-21T09:30:00Z",
    "completed_at": "2026-11-21T09:31:05Z",
    "status": "succeeded",
    "state": "completed",
    "verdict": "failed",
    "is_baseline": False,
    "is_completed": True,
    **example(LIST_FIGURES),
}


class _NoFigures(BaseModel):
    model_config = ConfigDict(from_attributes=True, json_schema_extra={"examples": [EXAMPLE]})


class _ListedTest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [_ITEM_EXAMPLE]})

    id: int
    test_id: str
    title: str
    project_id: int
    project_title: str
    tested_at: datetime
    completed_at: datetime | None
    status: str = Field(
        description="The runner's word: pending, running, succeeded, failed, timed_out, cancelled"
    )
    state: RunState = STATE
    verdict: Outcome | None = OUTCOME
    is_baseline: bool = Field(default=False, description="Its project's baseline run")
    is_completed: bool
    complete: bool | None = Field(
        default=None,
        description="Whether the figures hold every request k6 made; null before the summary",
    )


class _TrendRun(BaseModel):
    test_history_id: int
    test_id: str
    title: str
    tested_at: datetime
    status: str


# The figure fields come from the contract (.figures.with_figures); mypy sees the base classes.
if TYPE_CHECKING:
    Figures = _NoFigures
    TestListItem = _ListedTest
    TrendPoint = _TrendRun
else:
    Figures = with_figures("Figures", _NoFigures, FIGURE_NAMES, "Every figure of a summary.")
    TestListItem = with_figures(
        "TestListItem",
        _ListedTest,
        LIST_FIGURES,
        "One line of the main board or of a project's page.",
    )
    TrendPoint = with_figures(
        "TrendPoint",
        _TrendRun,
        TREND_FIGURES,
        "A run's main figures; the same shape for the whole test and for one scenario.",
    )


class ProjectTestPage(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "project_id": 1,
                    "total": 57,
                    "offset": 0,
                    "limit": 20,
                    "sort": "tested_at",
                    "order": "desc",
                    "items": [_ITEM_EXAMPLE],
                }
            ]
        }
    )

    project_id: int
    total: int = Field(description="The project's tests in all, whatever the page")
    offset: int
    limit: int
    sort: SortField
    order: SortOrder
    items: list[TestListItem]


class StageRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    duration: str = Field(examples=["30s"])
    target: int = Field(examples=[10])


class EndpointRef(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    method: str = Field(examples=["GET"])
    path: str = Field(examples=["/items/{id}"])


class ScenarioRead(BaseModel):
    id: int
    name: str = Field(examples=["상품 조회"])
    scenario_tag: str | None = Field(examples=["s01"])
    endpoint_id: int | None
    endpoint: EndpointRef | None = Field(description="None when the endpoint was deleted")
    executor: str = Field(examples=["constant-vus"])
    think_time: float | None = Field(description="Seconds")
    response_time_target: float | None = Field(description="Milliseconds")
    error_rate_target: float | None = Field(description="Fraction")
    figures: Figures
    stages: list[StageRead]
    failures: list[FailureRead] = Field(
        default_factory=list,
        description="Failed requests by HTTP status (or k6 error code), most first; empty "
        "before the summary",
    )


class ResourcePoint(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    timestamp: datetime
    cpu_usage_millicores: float | None
    memory_usage_mb: float | None
    cpu_request_millicores: float | None
    cpu_limit_millicores: float | None
    memory_request_mb: float | None
    memory_limit_mb: float | None
    cpu_percent: float | None
    memory_percent: float | None


class PodResources(BaseModel):
    namespace: str = Field(examples=["test"])
    pod_name: str = Field(examples=["shop-api-7d9f8b-x2k4q"])
    points: list[ResourcePoint] = Field(description="Oldest first")


class TestDetailsRead(BaseModel):
    id: int
    test_id: str
    title: str
    description: str | None
    project_id: int
    project_title: str
    status: str
    status_reason: str | None
    state: RunState = STATE
    verdict: Verdict | None = Field(
        default=None, description="Passed or failed, and why; null before the analysis"
    )
    is_baseline: bool = Field(default=False, description="Its project's baseline run")
    analysis_thresholds: dict[str, float] = Field(
        default_factory=dict,
        description="The test's own analysis thresholds; the others are the gateway's settings",
    )
    executor: str | None = Field(description="Where k6 ran: local or kubernetes")
    target_tps: float | None
    parallelism: int = Field(default=1, description="k6 runners the test was split over")
    runners: list[RunnerRead] = Field(
        default_factory=list, description="Each k6 runner and its state; empty before k6 starts"
    )
    metrics_mode: MetricsMode | None = Field(
        default=None,
        description="How k6's samples were stored (fast: compact points, precise: every "
        "sample); null for a test from before metrics modes, which stored every sample",
    )
    tested_at: datetime
    completed_at: datetime | None
    is_completed: bool
    job_name: str | None
    k6_script_file_name: str | None
    started_by: str | None = Field(default=None, description="The user or token:<name>")
    own_script_id: int | None = Field(
        default=None, description="The stored version of an own k6 script the test ran, if any"
    )
    complete: bool | None = Field(
        default=None,
        description="Whether the figures hold every request k6 made; null before the summary",
    )
    incomplete_reason: str | None = Field(
        default=None, description="Why they do not, e.g. 'InfluxDB has 451 of 1,001 requests'"
    )
    percentile_source: PercentileSource | None = Field(
        default=None,
        description="Where the percentiles come from: k6_summary or samples (exact), histogram "
        "(merged k6 histograms); null before the summary or without percentiles",
    )
    percentile_error_bound: float | None = Field(
        default=None,
        description="Largest relative error of the percentiles (0 when exact, 0.0443 from "
        "histograms); null before the summary",
    )
    figures: Figures
    failures: list[FailureRead] = Field(
        default_factory=list, description="The whole test's failed requests by kind"
    )

    @computed_field(  # type: ignore[prop-decorator]
        description="Whether the run is over: the test-runner reported its end and its state is "
        "final. The summary may still be on its way: figures are null until it is stored"
    )
    @property
    def ended(self) -> bool:
        return has_ended(self.state, is_completed=self.is_completed)

    scenarios: list[ScenarioRead]
    resources: list[PodResources] = Field(description="Per pod, by namespace and name")


class ScenarioTrend(BaseModel):
    name: str
    points: list[TrendPoint] = Field(
        description="Runs holding a scenario of this name, oldest first"
    )


_POINT_EXAMPLE: dict[str, Any] = {
    "test_history_id": 42,
    "test_id": "5f0c9d3e-8a55-4f51-9d43-0e1e0a5b6c7d",
    "title": "Performance Test",
    "tested_at": "2026-11-21T09:30:00Z",
    "status": "succeeded",
    **example(TREND_FIGURES),
}


class ProjectTrend(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "project_id": 1,
                    "runs": [_POINT_EXAMPLE],
                    "scenarios": [{"name": "상품 조회", "points": [_POINT_EXAMPLE]}],
                }
            ]
        }
    )

    project_id: int
    runs: list[TrendPoint] = Field(description="Completed runs, oldest first")
    scenarios: list[ScenarioTrend]


class FigureDeltaRead(BaseModel):
    base: float | None
    other: float | None
    delta: float | None = Field(description="other - base; None when either is missing")
    change_percent: float | None = Field(
        description="delta / |base| * 100; None when base is 0 or missing"
    )
    judgement: Judgement | None = Field(
        default=None,
        description="better or worse only when significant and larger than the minimum effect "
        "(as the analysis judges a regression); same otherwise; null: a figure not judged",
    )
    p_value: float | None = Field(
        default=None, description="Mann-Whitney U over the per-step series; null: too few steps"
    )


_DELTA_EXAMPLE: dict[str, Any] = {
    "base": 200.0,
    "other": 250.0,
    "delta": 50.0,
    "change_percent": 25.0,
}


class RunRef(BaseModel):
    id: int
    test_id: str
    title: str
    project_id: int
    tested_at: datetime
    status: str
    state: RunState = STATE
    verdict: Outcome | None = OUTCOME
    is_completed: bool


class ScenarioComparison(BaseModel):
    name: str
    base_scenario_id: int
    other_scenario_id: int
    figures: dict[str, FigureDeltaRead]


class ScenarioOnlyIn(BaseModel):
    id: int
    name: str


class RunComparison(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "base": {
                        "id": 41,
                        "test_id": "0b7f…",
                        "title": "before",
                        "project_id": 1,
                        "tested_at": "2026-11-20T09:30:00Z",
                        "status": "succeeded",
                        "is_completed": True,
                    },
                    "other": {
                        "id": 42,
                        "test_id": "5f0c…",
                        "title": "after",
                        "project_id": 1,
                        "tested_at": "2026-11-21T09:30:00Z",
                        "status": "succeeded",
                        "is_completed": True,
                    },
                    "overall": {TREND_FIGURES[0]: _DELTA_EXAMPLE},
                    "scenarios": [
                        {
                            "name": "상품 조회",
                            "base_scenario_id": 7,
                            "other_scenario_id": 9,
                            "figures": {TREND_FIGURES[0]: _DELTA_EXAMPLE},
                        }
                    ],
                    "only_in_base": [{"id": 8, "name": "login"}],
                    "only_in_other": [],
                }
            ]
        }
    )

    base: RunRef
    other: RunRef
    overall: dict[str, FigureDeltaRead] = Field(description="Every figure, by name")
    scenarios: list[ScenarioComparison] = Field(description="Scenarios in both runs, by name")
    only_in_base: list[ScenarioOnlyIn]
    only_in_other: list[ScenarioOnlyIn]
    minimum_effect: float = Field(
        description="Relative change below which no figure is better or worse (0.1 = 10 %)"
    )
    significance: float = Field(description="p-value below which a change is significant")
