"""Test runs: the request to run a load test (its scenarios, their load and the tags of their
samples), a preview of its script, and cancel. What a run reports back is in :mod:`.lifecycle`."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, HttpUrl, model_validator

from .calls import EndpointCall, HeaderName, Headers, HeaderValue, SecretFields
from .common import DbId, Name, Text
from .data import DataSet, DataUse, files_of
from .envelope import Contract, Envelope
from .journeys import MAX_STEPS, Step, UndefinedVariable, check_variables, unique_step_names
from .ownscripts import OwnScript
from .signin import TOKEN_VARIABLE, LoginSignIn, OAuth2Grant, SignIn

__all__ = ["EndpointCall", "HeaderName", "HeaderValue", "Headers", "SecretFields"]

# k6 durations: "30s", "1m30s", "500ms", "2h": one or more parts, each a number and its unit.
K6_DURATION_PART = r"(\d+(?:\.\d+)?)(ms|s|m|h)"
K6Duration = Annotated[str, Field(pattern=rf"^({K6_DURATION_PART})+$", examples=["30s", "1m30s"])]


class Executor(StrEnum):
    CONSTANT_VUS = "constant-vus"
    RAMPING_VUS = "ramping-vus"
    CONSTANT_ARRIVAL_RATE = "constant-arrival-rate"
    RAMPING_ARRIVAL_RATE = "ramping-arrival-rate"
    PER_VU_ITERATIONS = "per-vu-iterations"
    SHARED_ITERATIONS = "shared-iterations"


# The options each executor needs before k6 will accept it.
REQUIRED_OPTIONS: dict[Executor, tuple[str, ...]] = {
    Executor.CONSTANT_VUS: ("duration",),
    Executor.RAMPING_VUS: ("stages",),
    Executor.CONSTANT_ARRIVAL_RATE: ("rate", "duration", "pre_allocated_vus"),
    Executor.RAMPING_ARRIVAL_RATE: ("stages", "pre_allocated_vus"),
    Executor.PER_VU_ITERATIONS: ("iterations",),
    Executor.SHARED_ITERATIONS: ("iterations",),
}


class Stage(Contract):
    duration: K6Duration
    target: int = Field(ge=0, le=1_000_000)


class ResponseTimeTarget(Contract):
    max_ms: float = Field(gt=0)
    percentile: float = Field(default=95, gt=0, le=100)


class ScenarioRequest(Contract):
    """A scenario sends one request (``endpoint``) or runs a journey (``steps``), not both."""

    name: Name
    endpoint_id: DbId | None = None
    endpoint: EndpointCall | None = None
    steps: list[Step] = Field(
        default_factory=list,
        max_length=MAX_STEPS,
        description="A journey: requests run in order on every iteration",
    )
    sign_in: SignIn | None = Field(default=None, description="How every request signs in")
    data: DataUse | None = Field(
        default=None,
        description="A data file of the project whose columns are variables ({{column}}) of "
        "every request, one row per iteration as the mode says",
    )
    executor: Executor = Executor.CONSTANT_VUS
    vus: int | None = Field(default=None, ge=1, le=100_000)
    duration: K6Duration | None = None
    stages: list[Stage] = Field(default_factory=list)
    rate: int | None = Field(default=None, ge=1)
    time_unit: K6Duration = "1s"
    pre_allocated_vus: int | None = Field(default=None, ge=1, le=100_000)
    max_vus: int | None = Field(default=None, ge=1, le=100_000)
    iterations: int | None = Field(default=None, ge=1)
    start_time: K6Duration | None = None
    think_time: float = Field(default=0, ge=0, le=3600, description="Seconds between iterations")
    response_time_target: ResponseTimeTarget | None = None
    error_rate_target: float | None = Field(default=None, ge=0, le=1)
    check_target: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="The lowest pass rate of the scenario's checks (0.99 = 99 %) before the "
        "test fails, judged with the other targets",
    )

    @model_validator(mode="after")
    def _executor_has_its_options(self) -> ScenarioRequest:
        missing = [
            name for name in REQUIRED_OPTIONS[self.executor] if getattr(self, name) in (None, [])
        ]
        if missing:
            raise ValueError(f"executor {self.executor.value} needs {', '.join(missing)}")
        if (self.endpoint is None) == (not self.steps):
            raise ValueError("a scenario has an endpoint or steps (a journey), one of the two")
        unique_step_names(self.steps)
        if isinstance(self.sign_in, LoginSignIn):
            try:  # the login runs before any step: it has no variable to take
                check_variables([Step(name="login", endpoint=self.sign_in.endpoint)], set())
            except UndefinedVariable as undefined:
                raise ValueError(str(undefined).replace("steps.0.", "sign_in.", 1)) from None
        if self.data is None:  # else checked by the test, which holds the file's columns
            self.check_variables(set())
        return self

    def check_variables(self, columns: set[str]) -> None:
        """Every variable is defined: by an extraction, the sign-in's token or ``columns``."""
        defined = {self.sign_in.token.variable} if isinstance(self.sign_in, LoginSignIn) else set()
        if isinstance(self.sign_in, OAuth2Grant):
            defined = {TOKEN_VARIABLE}
        try:
            check_variables(self.journey(), defined | columns)
        except UndefinedVariable as undefined:
            if self.steps:
                raise
            raise ValueError(str(undefined).replace("steps.0.", "", 1)) from None

    def journey(self) -> list[Step]:
        """The steps the scenario runs: its own, or its one request as a step of its name."""
        if self.steps:
            return self.steps
        assert self.endpoint is not None  # validated: one of the two
        return [Step(name=self.name, endpoint_id=self.endpoint_id, endpoint=self.endpoint)]


# Tags every k6 sample carries, so metrics can be grouped without high-cardinality URL tags:
# TEST_ID_TAG on every sample; k6's own "scenario" tag holds scenario_tag(); "name" holds the
# path template; ENDPOINT_TAG holds "METHOD /path/template".
TEST_ID_TAG = "testid"
SCENARIO_TAG = "scenario"
# The runner index of a test split over several k6 runners (1..N; absent with one runner).
RUNNER_TAG = "runner"
ENDPOINT_TAG = "endpoint"
# A journey's requests carry the step's name (a login's: "login"), so figures exist per step.
STEP_TAG = "step"


def scenario_tag(position: int, name: str) -> str:
    """The k6 scenario key of the scenario at ``position``: k6 allows only [A-Za-z0-9_-]."""
    slug = re.sub(r"[^A-Za-z0-9]+", "_", name).strip("_").lower()[:40]
    return f"s{position + 1:02d}_{slug}" if slug else f"s{position + 1:02d}"


# The contract's ceiling on runners per test; a runner's MAX_PARALLELISM setting may lower it.
MAX_PARALLELISM = 100


class MetricsMode(StrEnum):
    """How k6's samples reach the platform (README, "Metrics path").

    ``fast``: k6 aggregates them itself and pushes native histograms over Prometheus remote write
    to the metrics receiver, which stores compact per-second points; counts exact, one runner's
    percentiles exact (k6's own end-of-test summary), percentiles merged over runners or over a
    step of a chart within k6's histogram bound (``HISTOGRAM_ERROR_BOUND``).
    ``precise``: every sample is written to InfluxDB (k6's influxdb output); every percentile
    exact, at about 1.8x k6's CPU per request and a summary whose cost grows with the requests.
    """

    FAST = "fast"
    PRECISE = "precise"


class TestRunRequest(Contract):
    test_id: str = Field(min_length=1, max_length=64)
    title: Name
    description: Text | None = None
    project_id: DbId
    base_url: HttpUrl
    target_tps: float | None = Field(default=None, gt=0)
    headers: Headers = Field(default_factory=dict)
    secret_headers: list[HeaderName] = Field(
        default_factory=list,
        max_length=100,
        description="Headers (of ``headers``) marked secret; those named like a secret are "
        "secret without a mark",
    )
    sealed: bool = Field(
        default=False,
        description="The secret values are Fernet tokens (SECRETS_KEY, shared by the gateway "
        "and the test-runner), so the command holds none in clear wherever it is kept",
    )
    scenarios: list[ScenarioRequest] = Field(
        default_factory=list,
        max_length=100,
        description="The scenarios the platform generates a script of; none with own_script",
    )
    own_script: OwnScript | None = Field(
        default=None,
        description="A team's own k6 script, run unmodified instead of a generated one",
    )
    parallelism: int = Field(
        default=1,
        ge=1,
        le=MAX_PARALLELISM,
        description="k6 runners sharing the test (execution segments); the runner's "
        "MAX_PARALLELISM may bound it lower",
    )
    one_runner_per_node: bool = Field(
        default=False,
        description="Kubernetes: no two runners of the test on one node (pod anti-affinity)",
    )
    metrics_mode: MetricsMode = Field(
        default=MetricsMode.FAST, description="How k6's samples reach the platform: see MetricsMode"
    )
    data: list[DataSet] = Field(
        default_factory=list,
        max_length=10,
        description="The rows of the data files the scenarios use (the gateway fills them in)",
    )

    @model_validator(mode="after")
    def _unique_scenario_names(self) -> TestRunRequest:
        if (self.own_script is None) == (not self.scenarios):
            raise ValueError("a test has scenarios or its own script, one of the two")
        names = [s.name for s in self.scenarios]
        if len(names) != len(set(names)):
            raise ValueError("scenario names must be unique")
        headers = {name.lower() for name in self.headers}
        for name in self.secret_headers:
            if name.lower() not in headers:
                raise ValueError(f"secret_headers: {name!r} is not one of the headers")
        self._data_of_scenarios()
        return self

    def _data_of_scenarios(self) -> None:
        files = files_of([(i, s.data) for i, s in enumerate(self.scenarios)], self.data)
        for index, found in files.items():
            try:
                self.scenarios[index].check_variables(set(found.columns))
            except ValueError as error:
                raise ValueError(f"scenarios.{index}.{error}") from None


class TestCancel(Contract):
    test_id: str
    reason: Text = "cancelled by user"


class ScriptPreview(Contract):
    """The answer to a preview: the script k6 would run (secrets as environment references),
    or why none can be made."""

    script: Text | None = None
    error: Text | None = Field(default=None, description="Why no script could be made")


class ScriptPreviewRequested(Envelope):
    type: Literal["test.script.preview"] = "test.script.preview"
    payload: TestRunRequest


class TestRunRequested(Envelope):
    type: Literal["test.run.requested"] = "test.run.requested"
    payload: TestRunRequest


class TestCancelRequested(Envelope):
    type: Literal["test.cancel.requested"] = "test.cancel.requested"
    payload: TestCancel
