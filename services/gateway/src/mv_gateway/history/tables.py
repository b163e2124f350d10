"""Tables of the test history: a test with its figures, scenarios and stages, its generated
script, and the resource time series of the pods under test.

``test_script`` (revision 0002) keeps the k6 script the test-runner generated, as it arrived in
the TEST_STARTED event, for ``GET /load-testing/{test_id}/script``; the gateway never generates
scripts itself (services do not import each other).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Double, Float, ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from mv_contracts.metrics import FIGURE_NAMES
from mv_gateway.core.database import AUTOINCREMENT, Base, utcnow

from .figures import value_type

# Statuses of a test_history row: pending until k6 starts, running, then a RunStatus value.
PENDING = "pending"
RUNNING = "running"
ACTIVE = (PENDING, RUNNING)


class FigureColumns:
    """The figures of a summary, for a test or a scenario: one nullable column per field of the
    contract's MetricFigures (None until the summary arrives), added below from the contract.
    Read and write them by name (:func:`.compare.figures_of`, ``setattr``)."""


for _name in FIGURE_NAMES:
    setattr(
        FigureColumns,
        _name,
        mapped_column(BigInteger if value_type(_name) is int else Double, nullable=True),
    )


class TestHistory(FigureColumns, Base):
    __tablename__ = "test_history"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    test_id: Mapped[str] = mapped_column(String(64), unique=True, doc="Correlation id on the bus")
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    target_tps: Mapped[float | None]
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    status_reason: Mapped[str | None] = mapped_column(Text)
    executor: Mapped[str | None] = mapped_column(String(20))
    tested_at: Mapped[datetime] = mapped_column(default=utcnow)
    job_name: Mapped[str | None] = mapped_column(String(255))
    k6_script_file_name: Mapped[str | None] = mapped_column(String(255))
    is_completed: Mapped[bool] = mapped_column(Boolean, default=False)
    completed_at: Mapped[datetime | None]
    started_by: Mapped[str | None] = mapped_column(
        String(100), doc="Who started the test: a user name or token:<name> (revision 0006)"
    )
    run_request: Mapped[dict[str, Any] | None] = mapped_column(
        doc="The TestRunRequest as it was sent, header values masked (what the analysis reads)"
    )
    figures_complete: Mapped[bool | None] = mapped_column(
        Boolean, doc="Whether the stored figures hold every request k6 made; None before them"
    )
    figures_incomplete_reason: Mapped[str | None] = mapped_column(Text)
    finished_event: Mapped[dict[str, Any] | None] = mapped_column(
        doc="The TestFinished payload as it arrived, to summarise the test again"
    )
    is_baseline: Mapped[bool] = mapped_column(
        Boolean,
        default=False,
        server_default=false(),
        doc="The run other runs of its project are compared with",
    )
    # Revision 0007: metrics at scale and split runs.
    metrics_mode: Mapped[str | None] = mapped_column(
        String(20), doc="MetricsMode the test ran with; None for tests before revision 0007"
    )
    percentile_source: Mapped[str | None] = mapped_column(
        String(20), doc="PercentileSource of the stored percentiles; None before the summary"
    )
    percentile_error_bound: Mapped[float | None] = mapped_column(
        Double, doc="Largest relative error of the stored percentiles (0 when exact)"
    )
    runners: Mapped[list[dict[str, Any]] | None] = mapped_column(
        JSON, doc="The k6 runners of the test (RunnerInfo of TEST_STARTED) with their states"
    )
    # Revision 0009: one verdict.
    verdict: Mapped[str | None] = mapped_column(
        String(10), doc="Outcome of the stored analysis (passed, failed); None before it"
    )
    analysis_thresholds: Mapped[dict[str, Any] | None] = mapped_column(
        doc="The test's own analysis thresholds (AnalysisThresholdOverrides), None: settings'"
    )
    # Revision 0011: the plan a run was started from (its trend), if any.
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("test_plan.id", ondelete="SET NULL"), index=True
    )
    # Revision 0013: the version of a team's own k6 script the test ran, if it ran one.
    own_script_id: Mapped[int | None] = mapped_column(
        ForeignKey("own_script.id", ondelete="SET NULL"), index=True
    )


class ScenarioHistory(FigureColumns, Base):
    __tablename__ = "scenario_history"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    test_history_id: Mapped[int] = mapped_column(
        ForeignKey("test_history.id", ondelete="CASCADE"), index=True
    )
    endpoint_id: Mapped[int | None] = mapped_column(
        ForeignKey("endpoint.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    scenario_tag: Mapped[str | None] = mapped_column(String(255))
    think_time: Mapped[float | None]
    executor: Mapped[str] = mapped_column(String(40))
    response_time_target: Mapped[float | None]
    error_rate_target: Mapped[float | None]


class StageHistory(Base):
    __tablename__ = "stage_history"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    scenario_id: Mapped[int] = mapped_column(
        ForeignKey("scenario_history.id", ondelete="CASCADE"), index=True
    )
    duration: Mapped[str] = mapped_column(String(50))
    target: Mapped[int]


class TestScript(Base):
    __tablename__ = "test_script"

    test_history_id: Mapped[int] = mapped_column(
        ForeignKey("test_history.id", ondelete="CASCADE"), primary_key=True
    )
    script: Mapped[str] = mapped_column(Text)
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class TestResourceTimeseries(Base):
    __tablename__ = "test_resource_timeseries"

    id: Mapped[int] = mapped_column(primary_key=True)
    test_history_id: Mapped[int] = mapped_column(
        ForeignKey("test_history.id", ondelete="CASCADE"), index=True
    )
    timestamp: Mapped[datetime]
    namespace: Mapped[str] = mapped_column(String(255))
    pod_name: Mapped[str] = mapped_column(String(255))
    cpu_usage_millicores: Mapped[float | None] = mapped_column(Float)
    memory_usage_mb: Mapped[float | None] = mapped_column(Float)
    cpu_request_millicores: Mapped[float | None] = mapped_column(Float)
    cpu_limit_millicores: Mapped[float | None] = mapped_column(Float)
    memory_request_mb: Mapped[float | None] = mapped_column(Float)
    memory_limit_mb: Mapped[float | None] = mapped_column(Float)
    cpu_percent: Mapped[float | None] = mapped_column(Float)
    memory_percent: Mapped[float | None] = mapped_column(Float)
    restarts: Mapped[int | None] = mapped_column(doc="Container restarts of the pod so far")


class TestSummaryRecord(Base):
    """The aggregator's summary message as it arrived (mv_contracts.metrics.TestSummary as
    JSON). The figure columns above are filled from it and stay what queries read; this keeps
    what they cannot hold — the per-step series the result charts draw, failures by status,
    dropped iterations — so a test can be analysed again later without InfluxDB."""

    __tablename__ = "test_summary"

    test_history_id: Mapped[int] = mapped_column(
        ForeignKey("test_history.id", ondelete="CASCADE"), primary_key=True
    )
    summary: Mapped[dict[str, Any]]
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)


class TestAnalysis(Base):
    """The findings of a test (mv_gateway.analysis.Analysis as JSON): computed when its summary
    is stored and again on demand."""

    __tablename__ = "test_analysis"

    test_history_id: Mapped[int] = mapped_column(
        ForeignKey("test_history.id", ondelete="CASCADE"), primary_key=True
    )
    analysis: Mapped[dict[str, Any]]
    baseline_test_history_id: Mapped[int | None] = mapped_column(
        ForeignKey("test_history.id", ondelete="SET NULL"), index=True
    )
    analysed_at: Mapped[datetime] = mapped_column(default=utcnow)
