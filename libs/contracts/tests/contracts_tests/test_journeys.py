"""Journeys: steps, extractions, checks and sign-in are validated with the field and reason."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from pydantic import ValidationError

from mv_contracts.journeys import MAX_STEPS, Step, path_parts
from mv_contracts.runs import ScenarioRequest, TestRunRequest
from mv_contracts.secrecy import body_secrets, secret_names
from mv_contracts.variables import parts, references

from .journey_samples import journey


def _refused(data: dict[str, Any], *words: str) -> None:
    with pytest.raises(ValidationError) as error:
        ScenarioRequest.model_validate(data)
    text = str(error.value)
    for word in words:
        assert word in text, text


def test_a_journey_round_trips_and_a_single_request_is_one_step() -> None:
    scenario = ScenarioRequest.model_validate(journey())
    assert [s.name for s in scenario.journey()] == ["create", "read", "update", "delete"]
    again = ScenarioRequest.model_validate_json(scenario.model_dump_json())
    assert again == scenario
    single = ScenarioRequest(name="목록", endpoint={"method": "GET", "path": "/x"}, duration="1s")
    assert [(s.name, s.endpoint.path) for s in single.journey()] == [("목록", "/x")]
    assert single.model_dump()["steps"] == []
    assert single.sign_in is None


def test_stored_single_request_scenarios_still_load() -> None:
    stored = {"name": "s", "endpoint": {"method": "GET", "path": "/x"}, "duration": "1s"}
    assert ScenarioRequest.model_validate(stored).endpoint is not None


def test_a_scenario_is_an_endpoint_or_steps() -> None:
    both = journey(endpoint={"method": "GET", "path": "/x"})
    _refused(both, "an endpoint or steps")
    neither = {k: v for k, v in journey().items() if k != "steps"}
    _refused(neither, "an endpoint or steps")


def test_undefined_variables_name_their_field() -> None:
    data = journey()
    data["steps"][1]["endpoint"]["headers"]["If-None-Match"] = "{{nope}}"
    _refused(data, "steps.1.endpoint.headers.If-None-Match", "'nope'", "not defined")
    data = journey()
    data["steps"][0]["endpoint"]["body"]["owner"] = ["{{item_id}}"]  # defined only after
    _refused(data, "steps.0.endpoint.body", "'item_id'")
    data = journey(sign_in=None)
    data["steps"][0]["endpoint"]["headers"] = {"Authorization": "Bearer {{token}}"}
    _refused(data, "steps.0.endpoint.headers.Authorization", "'token'")
    call = {"method": "GET", "path": "/{a}", "path_params": {"a": "{{a}}"}}
    single = {"name": "s", "endpoint": call, "duration": "1s"}
    _refused(single, "endpoint.path_params.a", "'a'")


def test_login_token_is_a_variable_of_every_step() -> None:
    data = journey()
    data["steps"][0]["endpoint"]["headers"] = {"X-Token": "{{token}}"}
    ScenarioRequest.model_validate(data)


@pytest.mark.parametrize(
    ("extraction", "reason"),
    [
        ({"source": "json", "expression": "a..b"}, "not a JSON path"),
        ({"source": "json", "expression": "items[0]"}, "not a JSON path"),
        ({"source": "regex", "expression": "(a"}, "not a regular expression"),
        ({"source": "regex", "expression": "(a)(b)"}, "at most one group"),
        ({"source": "regex", "expression": "(?P<x>a)"}, "JavaScript"),
        ({"source": "regex", "expression": "(?i)a"}, "JavaScript"),
        ({"source": "header", "expression": "Bad Header"}, "not a header name"),
        ({"source": "cookie", "expression": "a"}, "source"),
        ({"source": "json", "expression": "id", "variable": "1x"}, "variable"),
    ],
)
def test_bad_extractions_are_refused(extraction: dict[str, Any], reason: str) -> None:
    data = journey()
    data["steps"][0]["extract"] = [{"variable": "x", **extraction}]
    _refused(data, "steps.0", reason)


@pytest.mark.parametrize(
    ("check", "reason"),
    [
        ({"kind": "status_in", "statuses": []}, "statuses"),
        ({"kind": "status_in", "statuses": [600]}, "599"),
        ({"kind": "json_equals", "path": "", "value": 1}, "path"),
        ({"kind": "json_exists", "path": "a b"}, "not a JSON path"),
        ({"kind": "body_contains", "text": ""}, "text"),
        ({"kind": "duration_under", "max_ms": 0}, "max_ms"),
        ({"kind": "teapot"}, "kind"),
    ],
)
def test_bad_checks_are_refused(check: dict[str, Any], reason: str) -> None:
    data = journey()
    data["steps"][2]["checks"] = [check]
    _refused(data, "steps.2.checks.0", reason)


def test_limits_on_steps_extractions_and_checks() -> None:
    data = journey()
    data["steps"] = [
        copy.deepcopy(data["steps"][0]) | {"name": f"s{i}"} for i in range(MAX_STEPS + 1)
    ]
    _refused(data, "steps", f"at most {MAX_STEPS}")
    data = journey()
    data["steps"][0]["extract"] = [{"variable": f"v{i}", "source": "json", "expression": "id"}
                                   for i in range(11)]  # fmt: skip
    _refused(data, "steps.0.extract", "at most 10")
    data = journey()
    data["steps"][1]["name"] = "create"
    _refused(data, "steps.1.name", "earlier step")


def test_sign_in_kinds_and_their_bad_values() -> None:
    for sign_in in (
        {"kind": "bearer", "token": "t0k"},
        {"kind": "api_key", "location": "query", "name": "api_key", "value": "k"},
        {"kind": "api_key", "location": "cookie", "name": "sid", "value": "k"},
        {"kind": "basic", "username": "홍길동", "password": "p"},
    ):
        ScenarioRequest.model_validate(journey(sign_in=sign_in) | {"steps": journey()["steps"][:1]})
    _refused(journey(sign_in={"kind": "bearer", "token": "a\r\nX-Evil: 1"}), "line breaks")
    _refused(journey(sign_in={"kind": "api_key", "location": "body", "name": "k", "value": "v"}),
             "location")  # fmt: skip
    _refused(journey(sign_in={"kind": "oauth", "token": "x"}), "kind")


def test_values_with_variables_are_templates_not_secrets() -> None:
    headers = {"Authorization": "Bearer {{token}}", "X-Api-Key": "k"}
    assert secret_names(headers, [], fold=True) == ["X-Api-Key"]
    assert body_secrets({"token": "{{token}}", "password": "p"}, ["token"]) == [("password",)]


def test_templates_split_into_text_and_variables() -> None:
    assert parts("Bearer {{ token }}!") == [(False, "Bearer "), (True, "token"), (False, "!")]
    assert references({"a": ["{{x}}{{y}}", 1], "b": "{{x}"}) == ["x", "y"]
    assert path_parts("$.data.items.0.id") == ["data", "items", 0, "id"]


def test_check_names_are_unique_within_a_step() -> None:
    step = Step.model_validate(
        {
            "name": "read",
            "endpoint": {"method": "GET", "path": "/x"},
            "checks": [{"kind": "status_in", "statuses": [200]}] * 2
            + [{"kind": "json_equals", "path": "a", "value": "한글"}],
        }
    )
    assert step.check_names() == [
        "read: status in 200",
        "read: status in 200 #2",
        "read: a equals '한글'",
    ]


def test_a_test_request_carries_journeys() -> None:
    request = TestRunRequest(
        test_id="t",
        title="t",
        project_id=1,
        base_url="http://127.0.0.1:1",
        scenarios=[journey()],
    )
    assert request.scenarios[0].sign_in is not None
