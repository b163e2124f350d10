"""A test run's lifecycle as the test-runner reports it: started (with its runners), warnings
while it runs, and how it finished, with k6's own end-of-test counts to check the stored figures
against. The request that starts a run is in :mod:`.runs`."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import AwareDatetime, Field

from .common import Name, Text
from .envelope import Contract, Envelope
from .runs import MetricsMode


class RunnerInfo(Contract):
    """One of the k6 runners of a test: its share of the load and where it runs."""

    index: int = Field(ge=1, description="1..parallelism")
    name: str = Field(description="Job (Kubernetes) or run folder (local) of this runner")
    execution_segment: str = Field(examples=["0:1/3"], description="k6 --execution-segment")


class TestStarted(Contract):
    test_id: str
    executor: Literal["local", "kubernetes"]
    job_name: str
    script_name: str
    started_at: AwareDatetime
    script: Text | None = Field(
        default=None,
        description="The generated k6 script, so the gateway can show it; secrets are not in it",
    )
    scenario_names: dict[str, Name] = Field(
        default_factory=dict,
        description="k6 scenario tag (see scenario_tag) → the scenario's name as the user wrote it",
    )
    runners: list[RunnerInfo] = Field(
        default_factory=list,
        description="The k6 runners sharing the test, one per execution segment; empty from "
        "runners older than parallelism (one runner, named job_name)",
    )
    metrics_mode: MetricsMode | None = Field(
        default=None,
        description="How the test's samples are stored; None from a runner older than metrics "
        "modes, which wrote every sample (precise)",
    )


class TestWarning(Contract):
    test_id: str
    message: Text
    running_for_seconds: float = Field(ge=0)


class RunStatus(StrEnum):
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    TIMED_OUT = "timed_out"
    CANCELLED = "cancelled"


class ResponseTimes(Contract):
    """k6's own end-of-test statistics of ``http_req_duration``, ms.

    Over several runners, count/min/max/avg merge exactly; percentiles do not merge, so they are
    None in a sum of runners (:func:`mv_test_runner.script.counts.summed`).
    """

    count: int = Field(ge=0)
    min: float | None = None
    max: float | None = None
    avg: float | None = None
    p50: float | None = None
    p90: float | None = None
    p95: float | None = None
    p99: float | None = None


class RequestCounts(Contract):
    requests: int = Field(ge=0, description="http_reqs")
    failed: int = Field(ge=0, description="http_req_failed samples that are true")
    response_time: ResponseTimes | None = Field(
        default=None, description="None from a script older than k6's response times"
    )


class K6Counts(Contract):
    """k6's own end-of-test count of a run's requests, to check the stored samples against, and
    its response times (exact for one runner)."""

    overall: RequestCounts
    scenarios: dict[str, RequestCounts] = Field(
        default_factory=dict, description="By k6 scenario tag"
    )
    runners: int = Field(default=1, ge=1, description="How many runners' summaries were summed")


class RunnerOutcome(Contract):
    """How one runner of a split test ended, as the test-runner saw it."""

    index: int = Field(ge=1, description="1..parallelism, as in RunnerInfo")
    name: str = Field(description="Job (Kubernetes) or run folder (local) of this runner")
    status: RunStatus = Field(
        description="cancelled for a runner stopped because another one failed"
    )
    reason: Text | None = Field(default=None, description="Why, when not succeeded")
    thresholds_crossed: bool = False


class TestFinished(Contract):
    test_id: str
    status: RunStatus
    reason: Text | None = None
    started_at: datetime | None = None
    finished_at: AwareDatetime
    thresholds_crossed: bool = False
    executor: Literal["local", "kubernetes"] | None = Field(
        default=None,
        description="Where k6 ran: after a local run its samples are already flushed",
    )
    k6_counts: K6Counts | None = Field(
        default=None,
        description="k6's end-of-test summary of the run; None when k6 wrote none (it never "
        "started, was killed, or its log was gone)",
    )
    metrics_mode: MetricsMode | None = Field(
        default=None,
        description="How the test's samples are stored; None from a runner older than metrics "
        "modes, which wrote every sample (precise)",
    )
    runners: list[RunnerOutcome] = Field(
        default_factory=list,
        description="Each runner's own ending, in segment order, for a test split over several "
        "runners; empty for one runner (its ending is the test's) and from older runners",
    )


class TestStartedEvent(Envelope):
    type: Literal["test.started"] = "test.started"
    payload: TestStarted


class TestWarningEvent(Envelope):
    type: Literal["test.warning"] = "test.warning"
    payload: TestWarning


class TestFinishedEvent(Envelope):
    type: Literal["test.finished"] = "test.finished"
    payload: TestFinished
