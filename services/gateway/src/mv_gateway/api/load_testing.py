"""Load tests: start one from stored endpoints, cancel it, read its generated k6 script.

The body keeps the original's shape (title, description, target_tps, scenarios with name,
endpoint_id, executor, think_time, stages) and adds the richer fields of the test request:
base URL, headers, every executor's options, path/query values, body, response-time and
error-rate targets. The gateway resolves each endpoint_id to its method, path and spec base URL,
validates the whole request against the contract, stores test, scenarios and stages at once
(not completed) and publishes RUN_TEST. An impossible request is a 422 naming the field.
"""

from __future__ import annotations

import re
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, ValidationError

from mv_contracts.common import DbId, Name, Text
from mv_contracts.runs import (
    Executor,
    Headers,
    K6Duration,
    ResponseTimeTarget,
    Stage,
    TestCancel,
    TestCancelRequested,
    TestRunRequest,
    TestRunRequested,
    scenario_tag,
)
from mv_contracts.subjects import CANCEL_TEST, RUN_TEST
from mv_gateway.db.tests import ACTIVE, EndpointTarget, NewScenario, TestRuns

from .deps import BusDep, SessionDep
from .errors import NotFoundError

router = APIRouter(prefix="/load-testing", tags=["Load Testing"])

TestId = Annotated[str, Path(min_length=1, max_length=64, description="The test id")]


class ScenarioCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    endpoint_id: DbId
    executor: Executor = Executor.CONSTANT_VUS
    think_time: float = Field(default=0, ge=0, le=3600, description="Seconds")
    stages: list[Stage] = Field(default_factory=list)
    vus: int | None = Field(default=None, ge=1, le=100_000)
    duration: K6Duration | None = None
    rate: int | None = Field(default=None, ge=1)
    time_unit: K6Duration = "1s"
    pre_allocated_vus: int | None = Field(default=None, ge=1, le=100_000)
    max_vus: int | None = Field(default=None, ge=1, le=100_000)
    iterations: int | None = Field(default=None, ge=1)
    start_time: K6Duration | None = None
    path_params: dict[str, Text] = Field(default_factory=dict)
    query: dict[str, Text] = Field(default_factory=dict)
    headers: Headers = Field(default_factory=dict)
    body: Any = None
    response_time_target: ResponseTimeTarget | None = None
    error_rate_target: float | None = Field(default=None, ge=0, le=1)


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
    scenarios: list[ScenarioCreate] = Field(min_length=1, max_length=100)


class LoadTestCreated(BaseModel):
    test_id: str
    test_history_id: int
    status: str


class CancelAccepted(BaseModel):
    test_id: str
    status: str = "cancelling"


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}


def _seconds(duration: str) -> float:
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(duration))


def _invalid(*loc: str | int, message: str) -> RequestValidationError:
    return RequestValidationError([{"loc": ("body", *loc), "msg": message, "type": "value_error"}])


def _scenario_request(scenario: ScenarioCreate, endpoint: EndpointTarget) -> dict[str, Any]:
    options = scenario.model_dump(
        exclude={"endpoint_id", "path_params", "query", "headers", "body"}, exclude_none=True
    )
    # The original's constant-vus took its VUs and duration from stages: keep accepting that.
    if scenario.executor is Executor.CONSTANT_VUS and scenario.stages and not scenario.duration:
        options["duration"] = f"{sum(_seconds(s.duration) for s in scenario.stages):g}s"
        options.setdefault("vus", max((s.target for s in scenario.stages), default=1) or 1)
    return {
        **options,
        "endpoint_id": endpoint.id,
        "endpoint": {
            "method": endpoint.method,
            "path": endpoint.path,
            "path_params": scenario.path_params,
            "query": scenario.query,
            "headers": scenario.headers,
            "body": scenario.body,
        },
    }


async def build_request(runs: TestRuns, body: LoadTestCreate, test_id: str) -> TestRunRequest:
    """Resolve the endpoints and validate the test request; RequestValidationError names fields."""
    found = await runs.endpoints([s.endpoint_id for s in body.scenarios])
    project_id = body.project_id
    base_url = str(body.base_url) if body.base_url else None
    for i, scenario in enumerate(body.scenarios):
        endpoint = found.get(scenario.endpoint_id)
        if endpoint is None:
            raise _invalid("scenarios", i, "endpoint_id", message="endpoint not found")
        if endpoint.removed:
            raise _invalid("scenarios", i, "endpoint_id", message="endpoint removed from its spec")
        if project_id is None:
            project_id = endpoint.project_id
        if endpoint.project_id != project_id:
            raise _invalid(
                "scenarios", i, "endpoint_id", message=f"endpoint not in project {project_id}"
            )
        base_url = base_url or endpoint.base_url
    if not base_url:
        raise _invalid("base_url", message="the spec has no base_url: give base_url")
    try:
        return TestRunRequest.model_validate(
            {
                "test_id": test_id,
                "title": body.title,
                "description": body.description,
                "project_id": project_id,
                "base_url": base_url,
                "target_tps": body.target_tps,
                "headers": body.headers,
                "scenarios": [_scenario_request(s, found[s.endpoint_id]) for s in body.scenarios],
            }
        )
    except ValidationError as error:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        ) from None


def _new_scenarios(request: TestRunRequest) -> list[NewScenario]:
    return [
        NewScenario(
            name=s.name,
            scenario_tag=scenario_tag(i, s.name),
            endpoint_id=s.endpoint_id,
            executor=s.executor.value,
            think_time=s.think_time,
            response_time_target=s.response_time_target.max_ms if s.response_time_target else None,
            error_rate_target=s.error_rate_target,
            stages=[(stage.duration, stage.target) for stage in s.stages],
        )
        for i, s in enumerate(request.scenarios)
    ]


@router.post(
    "", status_code=status.HTTP_202_ACCEPTED, response_model=LoadTestCreated, responses={503: {}}
)
async def start_load_test(
    body: LoadTestCreate, session: SessionDep, bus: BusDep
) -> LoadTestCreated:
    """Store the test (pending) and ask the test-runner to run it; returns the test id."""
    runs = TestRuns(session)
    request = await build_request(runs, body, str(uuid.uuid4()))
    assert request.project_id is not None
    test = await runs.add(
        request.test_id,
        request.project_id,
        request.title,
        request.description,
        request.target_tps,
        _new_scenarios(request),
    )
    try:
        await bus.publish(
            RUN_TEST, TestRunRequested(correlation_id=request.test_id, payload=request)
        )
    except Exception as error:  # nothing is stored when the command cannot be sent
        raise HTTPException(503, f"message bus unavailable: {error}") from error
    return LoadTestCreated(test_id=request.test_id, test_history_id=test.id, status=test.status)


@router.post(
    "/{test_id}/cancel",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CancelAccepted,
    responses={404: {}, 409: {}, 503: {}},
)
async def cancel_load_test(test_id: TestId, session: SessionDep, bus: BusDep) -> CancelAccepted:
    test = await TestRuns(session).get(test_id)
    if test is None:
        raise NotFoundError("test", test_id)
    if test.is_completed or test.status not in ACTIVE:
        raise HTTPException(409, f"test {test_id} already ended ({test.status})")
    try:
        await bus.publish(
            CANCEL_TEST,
            TestCancelRequested(correlation_id=test_id, payload=TestCancel(test_id=test_id)),
        )
    except Exception as error:
        raise HTTPException(503, f"message bus unavailable: {error}") from error
    return CancelAccepted(test_id=test_id)


@router.get(
    "/{test_id}/script",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/javascript": {}}}, 404: {}},
)
async def get_script(test_id: TestId, session: SessionDep) -> PlainTextResponse:
    """The k6 script the test-runner generated (secrets are environment variables, not in it)."""
    runs = TestRuns(session)
    test = await runs.get(test_id)
    if test is None:
        raise NotFoundError("test", test_id)
    script = await runs.script(test.id)
    if script is None:
        raise NotFoundError("script of test", test_id)
    return PlainTextResponse(script, media_type="text/javascript; charset=utf-8")
