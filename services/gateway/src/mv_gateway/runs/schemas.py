"""Request and response bodies of the load-testing and scheduler routes.

The body keeps the public API's shape (title, description, target_tps, scenarios with name,
endpoint_id, executor, think_time, stages) and adds the richer fields of the test request. A
scenario's fields are the contract's: those of ``ScenarioRequest`` (executor options, targets)
and of its ``EndpointCall`` (path/query values, headers, body), taken from the contract rather
than restated, so the API accepts exactly what the test-runner does.
"""

from __future__ import annotations

from copy import copy
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, create_model

from mv_contracts.common import DbId, Name, Text
from mv_contracts.journeys import MAX_STEPS, Step
from mv_contracts.runs import (
    EndpointCall,
    HeaderName,
    Headers,
    MetricsMode,
    ScenarioRequest,
    TestRunRequest,
)
from mv_contracts.signin import (
    ApiKeySignIn,
    BasicSignIn,
    BearerSignIn,
    LoginSignIn,
    OAuth2PasswordSignIn,
    OAuth2SignIn,
)
from mv_gateway.analysis import AnalysisThresholdOverrides
from mv_gateway.history import RunnerRead

# The contract's fields a scenario of the API takes; the API names a stored endpoint instead of
# spelling out the request line, so ``endpoint`` and the optional ``endpoint_id`` are left out,
# and the steps and a login name stored endpoints the same way.
_OWN = ("endpoint", "endpoint_id", "steps", "sign_in")
OPTION_FIELDS = tuple(f for f in ScenarioRequest.model_fields if f not in _OWN)
CALL_FIELDS = tuple(f for f in EndpointCall.model_fields if f not in ("method", "path"))
STEP_FIELDS = tuple(f for f in Step.model_fields if f not in ("endpoint", "endpoint_id"))
LOGIN_FIELDS = tuple(f for f in LoginSignIn.model_fields if f not in ("endpoint", "endpoint_id"))


class OfEndpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint_id: DbId = Field(description="The stored endpoint it calls")


def _contract_fields(model: type[BaseModel], names: tuple[str, ...]) -> dict[str, Any]:
    fields = {n: model.model_fields[n] for n in names}
    fields |= {n: EndpointCall.model_fields[n] for n in CALL_FIELDS}
    return {name: (info.annotation, copy(info)) for name, info in fields.items()}


if TYPE_CHECKING:  # mypy sees the base; the contract's fields are added when the module loads
    StepCreate = OfEndpoint
    LoginCreate = OfEndpoint
else:
    StepCreate = create_model(
        "StepCreate",
        __base__=OfEndpoint,
        __module__=__name__,
        __doc__="One step of a journey: a stored endpoint, its request, extractions and checks.",
        **_contract_fields(Step, STEP_FIELDS),
    )
    LoginCreate = create_model(
        "LoginCreate",
        __base__=OfEndpoint,
        __module__=__name__,
        __doc__="Sign in by a request of the project whose answer holds the token.",
        **_contract_fields(LoginSignIn, LOGIN_FIELDS),
    )

SignInCreate = Annotated[
    BearerSignIn | ApiKeySignIn | BasicSignIn | OAuth2SignIn | OAuth2PasswordSignIn | LoginCreate,
    Field(discriminator="kind"),
]


class _ScenarioOfEndpoint(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint_id: DbId | None = Field(
        default=None, description="The stored endpoint the scenario calls; none for a journey"
    )
    steps: list[StepCreate] = Field(
        default_factory=list, max_length=MAX_STEPS, description="A journey, run in order"
    )
    sign_in: SignInCreate | None = Field(default=None, description="How every request signs in")

    def endpoint_ids(self) -> list[int]:
        """Every stored endpoint the scenario calls (its login's first)."""
        ids = [self.sign_in.endpoint_id] if isinstance(self.sign_in, OfEndpoint) else []
        ids += [self.endpoint_id] if self.endpoint_id is not None else []
        return ids + [s.endpoint_id for s in self.steps]

    def data_file_id(self) -> int | None:
        """The data file the scenario takes rows from (``data``, a field of the contract's)."""
        data = getattr(self, "data", None)
        return None if data is None else int(data.file_id)


if TYPE_CHECKING:
    ScenarioCreate = _ScenarioOfEndpoint
else:
    ScenarioCreate = create_model(
        "ScenarioCreate",
        __base__=_ScenarioOfEndpoint,
        __module__=__name__,
        __doc__="One scenario: a stored endpoint (or a journey of steps) and how to load it.",
        **_contract_fields(ScenarioRequest, OPTION_FIELDS),
    )


class LoadTestCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Performance Test",
                    "description": "API 성능 테스트",
                    "target_tps": 100,
                    "scenarios": [
                        {
                            "name": "login_test",
                            "endpoint_id": 1,
                            "executor": "constant-vus",
                            "think_time": 1.0,
                            "stages": [{"duration": "30s", "target": 10}],
                        }
                    ],
                }
            ]
        },
    )

    title: Name
    description: Text | None = None
    project_id: DbId | None = Field(default=None, description="Default: the endpoints' project")
    base_url: HttpUrl | None = Field(default=None, description="Default: the spec's base_url")
    target_tps: float | None = Field(default=None, gt=0)
    headers: Headers = Field(default_factory=dict)
    secret_headers: list[HeaderName] = copy(
        TestRunRequest.model_fields["secret_headers"]  # type: ignore[arg-type]
    )
    scenarios: list[ScenarioCreate] = Field(min_length=1, max_length=100)
    # The contract's own fields (bounds, defaults, descriptions), never restated.
    parallelism: int = copy(TestRunRequest.model_fields["parallelism"])  # type: ignore[assignment]
    one_runner_per_node: bool = copy(  # type: ignore[assignment]
        TestRunRequest.model_fields["one_runner_per_node"]
    )
    metrics_mode: MetricsMode | None = Field(
        default=None,
        description="How k6's samples reach the platform (MetricsMode); null or left out: the "
        "test-runner's default, " + TestRunRequest.model_fields["metrics_mode"].default.value,
    )
    analysis_thresholds: AnalysisThresholdOverrides | None = Field(
        default=None,
        description="The analysis thresholds of this test; each left out: the gateway's setting",
    )


class LoadTestCreated(BaseModel):
    test_id: str
    test_history_id: int
    status: str


class CancelAccepted(BaseModel):
    test_id: str
    status: str = "cancelling"


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    test_id: str
    project_id: int
    title: str
    status: str
    status_reason: str | None
    executor: str | None
    job_name: str | None
    k6_script_file_name: str | None
    tested_at: datetime
    runners: list[RunnerRead] = Field(
        default_factory=list,
        description="Each k6 runner (one per execution segment) and its state; empty while pending",
    )
