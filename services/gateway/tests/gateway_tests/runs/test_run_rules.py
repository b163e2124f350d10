"""The rules of POST /load-testing as plain functions: no HTTP, no database."""

from __future__ import annotations

from typing import Any

import pytest

from mv_contracts.load import seconds
from mv_contracts.runs import Executor
from mv_gateway.core.errors import InvalidRequest
from mv_gateway.runs.rules import (
    InvalidTestRequest,
    RejectedByContract,
    build_request,
    legacy_constant_vus,
    new_scenarios,
    resolve_target,
)
from mv_gateway.runs.schemas import LoadTestCreate
from mv_gateway.specs import EndpointTarget

LOGIN = EndpointTarget(1, "POST", "/login", project_id=7, base_url="http://api:8000", removed=False)
ITEM = EndpointTarget(2, "GET", "/items/{id}", project_id=7, base_url=None, removed=False)
GONE = EndpointTarget(3, "GET", "/old", project_id=7, base_url="http://api:8000", removed=True)
OTHER = EndpointTarget(4, "GET", "/x", project_id=8, base_url="http://other:80", removed=False)
ENDPOINTS = {e.id: e for e in (LOGIN, ITEM, GONE, OTHER)}


def body(*scenarios: dict[str, Any], **fields: Any) -> LoadTestCreate:
    return LoadTestCreate.model_validate({"title": "t", "scenarios": list(scenarios), **fields})


def scenario(endpoint_id: int, name: str = "s", **fields: Any) -> dict[str, Any]:
    return {"name": name, "endpoint_id": endpoint_id, **fields}


@pytest.mark.parametrize(
    ("duration", "expected"), [("30s", 30), ("1m30s", 90), ("500ms", 0.5), ("2h", 7200)]
)
def test_seconds(duration: str, expected: float) -> None:
    assert seconds(duration) == expected


def test_constant_vus_from_stages_as_the_original_took_it() -> None:
    stages = [{"duration": "30s", "target": 10}, {"duration": "1m", "target": 25}]
    options = {"executor": Executor.CONSTANT_VUS, "stages": stages}
    assert legacy_constant_vus(options) == {**options, "duration": "90s", "vus": 25}
    assert legacy_constant_vus({**options, "vus": 3})["vus"] == 3  # given VUs win
    zero = {"executor": Executor.CONSTANT_VUS, "stages": [{"duration": "5s", "target": 0}]}
    assert legacy_constant_vus(zero)["vus"] == 1


@pytest.mark.parametrize(
    "options",
    [
        {"executor": Executor.CONSTANT_VUS, "duration": "10s", "stages": [{"duration": "1s"}]},
        {"executor": Executor.RAMPING_VUS, "stages": [{"duration": "30s", "target": 5}]},
        {"executor": Executor.CONSTANT_VUS, "stages": []},
    ],
)
def test_other_scenarios_left_alone(options: dict[str, Any]) -> None:
    assert legacy_constant_vus(options) == options


def test_project_and_base_url_from_the_endpoints() -> None:
    assert resolve_target(body(scenario(1), scenario(2, "b")), ENDPOINTS) == (7, "http://api:8000")
    given = body(scenario(2), base_url="http://elsewhere:1/")
    assert resolve_target(given, ENDPOINTS) == (7, "http://elsewhere:1/")


@pytest.mark.parametrize(
    ("test", "loc", "message"),
    [
        (body(scenario(99)), ["body", "scenarios", 0, "endpoint_id"], "endpoint not found"),
        (body(scenario(1), scenario(3, "b")), ["body", "scenarios", 1, "endpoint_id"], "removed"),
        (body(scenario(1), scenario(4, "b")), ["body", "scenarios", 1, "endpoint_id"], "project 7"),
        (body(scenario(1), project_id=8), ["body", "scenarios", 0, "endpoint_id"], "project 8"),
        (body(scenario(2)), ["body", "base_url"], "give base_url"),
    ],
)
def test_what_cannot_run_names_its_field(
    test: LoadTestCreate, loc: list[str | int], message: str
) -> None:
    with pytest.raises(InvalidTestRequest) as raised:
        resolve_target(test, ENDPOINTS)
    [error] = raised.value.detail
    assert error["loc"] == loc
    assert message in error["msg"]
    assert raised.value.status_code == 422


def test_the_request_is_the_contracts() -> None:
    test = body(
        scenario(1, "로그인", stages=[{"duration": "10s", "target": 4}], body={"user": "김"}),
        scenario(2, "item", executor="ramping-vus", stages=[{"duration": "5s", "target": 2}],
                 path_params={"id": "3"}, response_time_target={"max_ms": 200}),
        headers={"X-Team": "qa"},
    )  # fmt: skip
    request = build_request(test, ENDPOINTS, "t-1")
    assert (request.test_id, request.project_id, str(request.base_url)) == (
        "t-1",
        7,
        "http://api:8000/",
    )
    login, item = (s.journey()[0] for s in request.scenarios)
    first = request.scenarios[0]
    assert (login.endpoint.method, login.endpoint.path, login.endpoint.body) == (
        "POST",
        "/login",
        {"user": "김"},
    )
    assert (first.duration, first.vus) == ("10s", 4)
    assert item.endpoint.path_params == {"id": "3"}
    assert request.headers == {"X-Team": "qa"}
    rows = new_scenarios(request)
    assert [r.scenario_tag for r in rows] == ["s01", "s02_item"]
    assert rows[1].response_time_target == 200
    assert rows[1].stages == [("5s", 2)]


def test_the_contracts_refusal_keeps_pydantics_errors_under_body() -> None:
    twice = body(scenario(1, "same", duration="5s"), scenario(1, "same", duration="5s"))
    with pytest.raises(RejectedByContract) as raised:
        build_request(twice, ENDPOINTS, "t-2")
    assert isinstance(raised.value, InvalidRequest)
    assert raised.value.detail[0]["loc"][0] == "body"
    assert "unique" in raised.value.detail[0]["msg"]
    missing = body(scenario(1, executor="constant-arrival-rate", duration="5s"))
    with pytest.raises(RejectedByContract) as raised:
        build_request(missing, ENDPOINTS, "t-3")
    assert raised.value.detail[0]["loc"][:3] == ("body", "scenarios", 0)
    assert "rate" in raised.value.detail[0]["msg"]
