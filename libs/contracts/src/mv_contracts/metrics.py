"""Metrics: live snapshots while a test runs and the summary after it ends.

Figure names match the columns of test_history / scenario_history. Times are milliseconds,
rates are fractions (0.02 = 2 %), durations are seconds.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, ConfigDict, Field

from .common import Text
from .envelope import Contract, Envelope
from .lifecycle import K6Counts, TestFinished

# k6 builds native histograms at schema 3: bucket bounds a factor 2**(1/8) apart. A percentile
# read as the geometric middle of its bucket is within a factor 2**(1/16) of the true value.
HISTOGRAM_SCHEMA = 3
HISTOGRAM_ERROR_BOUND = 2 ** (1 / 2 ** (HISTOGRAM_SCHEMA + 1)) - 1  # 0.0443
# k6 pushes a fast-mode test's remote write this often (K6_PROMETHEUS_RW_PUSH_INTERVAL, set by
# the test-runner); the aggregator reads a compact point as this long.
PUSH_SECONDS = 1


class PercentileSource(StrEnum):
    """Where a summary's percentiles come from, and so how far they can be off."""

    K6_SUMMARY = "k6_summary"  # k6's own end-of-test summary of the only runner: exact
    SAMPLES = "samples"  # every sample stored (precise mode): exact, k6's interpolation
    HISTOGRAM = "histogram"  # merged histograms (several runners, or k6 gave no summary)


class MetricFigures(Contract):
    total_requests: int = Field(default=0, ge=0)
    failed_requests: int = Field(default=0, ge=0)
    test_duration: float | None = Field(default=None, ge=0, description="Active seconds")
    max_tps: float | None = None
    min_tps: float | None = None
    avg_tps: float | None = None
    max_response_time: float | None = None
    min_response_time: float | None = None
    avg_response_time: float | None = None
    p50_response_time: float | None = None
    p90_response_time: float | None = None
    p95_response_time: float | None = None
    p99_response_time: float | None = None
    max_error_rate: float | None = None
    min_error_rate: float | None = None
    avg_error_rate: float | None = None
    max_vus: float | None = None
    min_vus: float | None = None
    avg_vus: float | None = None


# The figure names, in order: the columns of test_history and scenario_history and the fields of
# the gateway's Figures are made from these (and the field types above), never restated.
FIGURE_NAMES: tuple[str, ...] = tuple(MetricFigures.model_fields)


class FailureCount(Contract):
    """Failed requests of one kind: the HTTP status (``0`` when no response came) and k6's
    error code, if any (k6 sets ``1000 + status`` for a 4xx or 5xx answer, e.g. 1500 with
    status 500; codes below 1400 are failures without an answer: timeouts, DNS, TCP, TLS)."""

    status: Text
    error_code: Text | None = None
    count: int = Field(ge=0)


class StepSummary(Contract):
    """One step of a journey (``login`` for its sign-in): its requests are the ones carrying
    its ``step`` tag, so a scenario's steps add up to the scenario's requests."""

    name: Text = Field(description="The step's name (mv_contracts.runs.STEP_TAG)")
    requests: int = Field(default=0, ge=0)
    failed: int = Field(default=0, ge=0)
    min_response_time: float | None = None
    avg_response_time: float | None = None
    max_response_time: float | None = None
    failures: list[FailureCount] = Field(default_factory=list, description="Most frequent first")


class CheckSummary(Contract):
    """One k6 check of a journey's step: how often it held. A check is evaluated once per
    answer of its step, so ``total`` is the step's requests."""

    name: Text = Field(description="The k6 check name: '<step>: <what it asks>'")
    step: Text
    passes: int = Field(ge=0)
    total: int = Field(ge=0)

    @property
    def rate(self) -> float | None:
        return self.passes / self.total if self.total else None


class ScenarioSummary(Contract):
    name: Text = Field(description="The k6 scenario tag, see mv_contracts.runs.scenario_tag")
    figures: MetricFigures
    failures: list[FailureCount] = Field(default_factory=list, description="Most frequent first")
    dropped_iterations: int = Field(
        default=0, ge=0, description="Iterations an arrival-rate executor could not start"
    )
    steps: list[StepSummary] = Field(
        default_factory=list, description="A journey's steps, in the order they first ran"
    )
    checks: list[CheckSummary] = Field(default_factory=list, description="A journey's checks")


class PodUsageSummary(Contract):
    pod: Text
    namespace: Text
    cpu_min_millicores: float | None = None
    cpu_avg_millicores: float | None = None
    cpu_max_millicores: float | None = None
    memory_min_mb: float | None = None
    memory_avg_mb: float | None = None
    memory_max_mb: float | None = None
    cpu_peak_percent: float | None = Field(default=None, description="Peak as % of the limit")
    memory_peak_percent: float | None = None


MAX_SERIES_POINTS = 1000


class MetricSeries(Contract):
    """One group's figures per time step, as columns of equal length (``None`` where a step has
    no sample). ``time`` is each step's start in Unix seconds."""

    # Answered, every column is there (empty at worst): the UI's generated type says so.
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)

    time: list[int] = Field(default_factory=list)
    tps: list[float] = Field(default_factory=list, description="Requests per second (0 when none)")
    response_time_avg: list[float | None] = Field(default_factory=list)
    response_time_p95: list[float | None] = Field(default_factory=list)
    response_time_p99: list[float | None] = Field(default_factory=list)
    error_rate: list[float | None] = Field(default_factory=list)
    vus: list[float | None] = Field(
        default_factory=list, description="Whole test only: k6 writes the vus gauge untagged"
    )


class TestSeries(Contract):
    """The stored time series of a test: the step grows with the test so that a series has at
    most ``MAX_SERIES_POINTS`` points."""

    step_seconds: int = Field(ge=1)
    overall: MetricSeries
    scenarios: dict[str, MetricSeries] = Field(default_factory=dict)


class TestSummary(Contract):
    test_id: str
    window_start: AwareDatetime | None = None
    window_end: AwareDatetime | None = None
    overall: MetricFigures
    failures: list[FailureCount] = Field(default_factory=list, description="Most frequent first")
    dropped_iterations: int = Field(default=0, ge=0)
    scenarios: list[ScenarioSummary] = Field(default_factory=list)
    resources: list[PodUsageSummary] = Field(default_factory=list)
    empty_reason: Text | None = Field(default=None, description="Why a summary has no samples")
    series: TestSeries | None = Field(default=None, description="Per-step figures of the test")
    complete: bool = Field(
        default=True,
        description="False when the figures are known not to be whole: the stored samples fall "
        "short of (or exceed) k6's own count, or no summary could be made at all",
    )
    incomplete_reason: Text | None = Field(
        default=None, description="Why complete is false, written for a person"
    )
    k6_counts: K6Counts | None = Field(
        default=None,
        description="k6's own count of the run; None when k6 gave none, so nothing was checked",
    )
    percentile_source: PercentileSource | None = Field(
        default=None, description="Where the percentiles come from; None without percentiles"
    )
    percentile_error_bound: float = Field(
        default=0.0,
        ge=0,
        description="Largest relative error of a stored percentile: 0 when exact, "
        "HISTOGRAM_ERROR_BOUND (0.0443) from histograms. The series' percentiles (per step of "
        "a chart) are from histograms in fast mode, whatever this says",
    )


class LiveFigures(Contract):
    tps: float = Field(ge=0, description="Requests per second over the window")
    requests_total: int = Field(ge=0)
    failed_total: int = Field(ge=0)
    error_rate: float = Field(ge=0, le=1)
    vus: float | None = None
    response_time_avg: float | None = None
    response_time_p95: float | None = None
    response_time_p99: float | None = None


class LiveScenario(Contract):
    name: Text = Field(description="The k6 scenario tag, see mv_contracts.runs.scenario_tag")
    label: Text | None = Field(
        default=None, description="The scenario's name as the user wrote it, when known"
    )
    figures: LiveFigures
    failures: list[FailureCount] = Field(
        default_factory=list, description="Failed requests by kind since the start, most first"
    )


class LiveSnapshot(Contract):
    test_id: str
    at: AwareDatetime
    window_seconds: float = Field(gt=0)
    overall: LiveFigures
    failures: list[FailureCount] = Field(
        default_factory=list, description="Failed requests by kind since the start, most first"
    )
    scenarios: list[LiveScenario] = Field(default_factory=list)


class SummariseRequest(Contract):
    """Make a test's summary again, e.g. after one that failed (``complete=False``)."""

    finished: TestFinished = Field(description="The test's finished event, as stored")


class TestSummariseRequested(Envelope):
    type: Literal["metrics.summarise.requested"] = "metrics.summarise.requested"
    payload: SummariseRequest


class PointsPurge(Contract):
    """Tests whose points are to leave InfluxDB (the tests were deleted)."""

    test_ids: list[Text] = Field(min_length=1, max_length=100_000)


class PointsPurgeRequested(Envelope):
    type: Literal["metrics.points.purge"] = "metrics.points.purge"
    payload: PointsPurge


class PointsCountQuery(Contract):
    """How many points InfluxDB holds per test (an admin's storage page asks)."""


class PointsCountRequested(Envelope):
    type: Literal["metrics.points.count"] = "metrics.points.count"
    payload: PointsCountQuery = Field(default_factory=PointsCountQuery)


class PointsCount(Contract):
    by_test: dict[str, int] = Field(description="Points (field values) per test id, counted")
    retention_days: int = Field(ge=0, description="How long points are kept; 0: for ever")
    error: Text | None = Field(default=None, description="Why nothing could be counted")


class TestSummaryEvent(Envelope):
    type: Literal["metrics.summary"] = "metrics.summary"
    payload: TestSummary


class LiveSnapshotEvent(Envelope):
    type: Literal["metrics.live"] = "metrics.live"
    payload: LiveSnapshot
