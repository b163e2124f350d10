"""From a load test as the API takes it to the contract's TestRunRequest: plain functions.

The API names stored endpoints; these rules resolve each to its request line and spec, pick the
project and the base URL, keep accepting the public API's constant-vus given as stages, and
validate the whole against the contract. An impossible request raises
:class:`InvalidTestRequest` naming the field, which the edge answers with 422.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import ValidationError

from mv_contracts.data import DataSet
from mv_contracts.load import seconds
from mv_contracts.runs import Executor, TestRunRequest, scenario_tag
from mv_contracts.signin import OAuth2Grant
from mv_gateway.core.credentials import split_credentials
from mv_gateway.core.errors import FieldError, InvalidRequest
from mv_gateway.history import NewScenario
from mv_gateway.specs import EndpointTarget

from .schemas import (
    CALL_FIELDS,
    LOGIN_FIELDS,
    STEP_FIELDS,
    LoadTestCreate,
    OfEndpoint,
    ScenarioCreate,
)


class InvalidTestRequest(FieldError):
    """A field of the body that cannot be run (unknown endpoint, no base URL...)."""


class RejectedByContract(InvalidRequest):
    """The contract's own validation failed; the errors keep pydantic's shape under ``body``."""

    def __init__(self, error: ValidationError) -> None:
        super().__init__(
            [{**e, "loc": ("body", *e["loc"])} for e in error.errors(include_url=False)]
        )


def legacy_constant_vus(options: dict[str, Any]) -> dict[str, Any]:
    """The public API's constant-vus took its VUs and duration from stages: keep accepting that
    (the duration is the stages' total, the VUs their highest target)."""
    stages = options.get("stages") or []
    if (
        options.get("executor") is not Executor.CONSTANT_VUS
        or not stages
        or options.get("duration")
    ):
        return options
    converted = {**options, "duration": f"{sum(seconds(s['duration']) for s in stages):g}s"}
    converted.setdefault("vus", max((s["target"] for s in stages), default=1) or 1)
    return converted


def _call(item: Any, endpoint: EndpointTarget) -> dict[str, Any]:
    call = {name: getattr(item, name) for name in CALL_FIELDS}
    return {"method": endpoint.method, "path": endpoint.path, **call}


def scenario_request(
    scenario: ScenarioCreate, endpoints: Mapping[int, EndpointTarget]
) -> dict[str, Any]:
    """The contract's ScenarioRequest (unvalidated) for a scenario of the API."""
    own = {"endpoint_id", "steps", "sign_in", *CALL_FIELDS}
    options = scenario.model_dump(exclude=own, exclude_none=True)
    request: dict[str, Any] = {**legacy_constant_vus(options)}
    if scenario.endpoint_id is not None:
        endpoint = endpoints[scenario.endpoint_id]
        request |= {"endpoint_id": endpoint.id, "endpoint": _call(scenario, endpoint)}
    request["steps"] = [
        {
            **{name: getattr(step, name) for name in STEP_FIELDS},
            "endpoint_id": step.endpoint_id,
            "endpoint": _call(step, endpoints[step.endpoint_id]),
        }
        for step in scenario.steps
    ]
    sign_in = scenario.sign_in
    if sign_in is None:
        pass
    elif isinstance(sign_in, OfEndpoint):  # a login: a stored endpoint
        request["sign_in"] = {
            **{name: getattr(sign_in, name) for name in LOGIN_FIELDS},
            "endpoint_id": sign_in.endpoint_id,
            "endpoint": _call(sign_in, endpoints[sign_in.endpoint_id]),
        }
    else:
        request["sign_in"] = sign_in
    return request


def _endpoint_of(
    endpoints: Mapping[int, EndpointTarget], endpoint_id: int, loc: tuple[str | int, ...]
) -> EndpointTarget:
    endpoint = endpoints.get(endpoint_id)
    if endpoint is None:
        raise InvalidTestRequest(*loc, "endpoint_id", message="endpoint not found")
    if endpoint.removed:
        raise InvalidTestRequest(*loc, "endpoint_id", message="endpoint removed from its spec")
    return endpoint


def _scenario_endpoints(
    scenario: ScenarioCreate, i: int, endpoints: Mapping[int, EndpointTarget]
) -> list[tuple[tuple[str | int, ...], EndpointTarget]]:
    """Each endpoint the scenario calls, with where the body names it."""
    loc: tuple[str | int, ...] = ("scenarios", i)
    if (scenario.endpoint_id is None) == (not scenario.steps):
        raise InvalidTestRequest(*loc, "endpoint_id", message="give an endpoint_id or steps")
    if scenario.steps and scenario.model_fields_set & set(CALL_FIELDS):
        raise InvalidTestRequest(*loc, "steps", message="a journey's requests are its steps'")
    named: list[tuple[tuple[str | int, ...], int]] = []
    if scenario.endpoint_id is not None:
        named.append((loc, scenario.endpoint_id))
    named += [((*loc, "steps", j), s.endpoint_id) for j, s in enumerate(scenario.steps)]
    if isinstance(scenario.sign_in, OfEndpoint):
        named.append(((*loc, "sign_in"), scenario.sign_in.endpoint_id))
    return [(where, _endpoint_of(endpoints, eid, where)) for where, eid in named]


def resolve_target(
    body: LoadTestCreate, endpoints: Mapping[int, EndpointTarget]
) -> tuple[int, str]:
    """The project and base URL: given in the body, else those of the scenarios' endpoints,
    which must all exist, be current and belong to that one project."""
    project_id = body.project_id
    base_url = str(body.base_url) if body.base_url else None
    for i, scenario in enumerate(body.scenarios):
        for where, endpoint in _scenario_endpoints(scenario, i, endpoints):
            if project_id is None:
                project_id = endpoint.project_id
            if endpoint.project_id != project_id:
                raise InvalidTestRequest(
                    *where, "endpoint_id", message=f"endpoint not in project {project_id}"
                )
            base_url = base_url or endpoint.base_url
    if not base_url:
        raise InvalidTestRequest("base_url", message="the spec has no base_url: give base_url")
    assert project_id is not None  # there is at least one scenario
    return project_id, base_url


def base_url_and_headers(base_url: str, headers: Mapping[str, str]) -> tuple[str, dict[str, str]]:
    """Credentials in the base URL become an ``Authorization: Basic`` header, which the
    test-runner passes to k6 as a secret (a Kubernetes Secret or the process environment, never
    the script); the URL goes on without them, so nothing stores or shows them."""
    clean, basic = split_credentials(base_url)
    if basic is None:
        return clean, dict(headers)
    if any(name.lower() == "authorization" for name in headers):
        raise InvalidTestRequest(
            "base_url", message="credentials in base_url and an Authorization header: give one"
        )
    return clean, {**headers, "Authorization": basic}


def build_request(
    body: LoadTestCreate,
    endpoints: Mapping[int, EndpointTarget],
    test_id: str,
    data: Sequence[DataSet] = (),
) -> TestRunRequest:
    """The validated test request; :class:`InvalidTestRequest` or :class:`RejectedByContract`
    name the field when it cannot be run."""
    project_id, base_url = resolve_target(body, endpoints)
    base_url, headers = base_url_and_headers(base_url, body.headers)
    try:
        return TestRunRequest.model_validate(
            {
                "test_id": test_id,
                "title": body.title,
                "description": body.description,
                "project_id": project_id,
                "base_url": base_url,
                "target_tps": body.target_tps,
                "headers": headers,
                "secret_headers": body.secret_headers,
                "parallelism": body.parallelism,
                "one_runner_per_node": body.one_runner_per_node,
                # Left out when the body has none: the contract's default applies.
                **({"metrics_mode": body.metrics_mode} if body.metrics_mode else {}),
                "scenarios": [scenario_request(s, endpoints) for s in body.scenarios],
                "data": list(data),
            }
        )
    except ValidationError as error:
        raise RejectedByContract(error) from None


def token_urls(request: TestRunRequest) -> list[str]:
    """Where the test fetches OAuth2 tokens: targets to allow as the base URL is."""
    return [
        str(s.sign_in.token_url) for s in request.scenarios if isinstance(s.sign_in, OAuth2Grant)
    ]


def new_scenarios(request: TestRunRequest) -> list[NewScenario]:
    """The history's rows of the request's scenarios, tagged as the test-runner tags them."""
    return [
        NewScenario(
            name=s.name,
            scenario_tag=scenario_tag(i, s.name),
            endpoint_id=s.journey()[0].endpoint_id,
            executor=s.executor.value,
            think_time=s.think_time,
            response_time_target=s.response_time_target.max_ms if s.response_time_target else None,
            error_rate_target=s.error_rate_target,
            stages=[(stage.duration, stage.target) for stage in s.stages],
        )
        for i, s in enumerate(request.scenarios)
    ]
