"""Bounded input: numbers JSON cannot hold are a 422 naming the field (before: a 500 and a
dropped connection), load over the gateway's limits and durations k6 rejects are a 422 naming
the limit, a body too large is a 413, and no error echoes more than a few KB of the input.
Both backends, over the app with the real NATS."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from gateway_tests.runs.test_load_testing_api import endpoints

__all__ = ["endpoints"]  # fixture

LIMIT_BYTES = 8 * 1024  # "a few KB"


def _scenario(endpoint_id: int, **fields: Any) -> dict[str, Any]:
    return {"name": "a", "endpoint_id": endpoint_id, "vus": 1, "duration": "1s", **fields}


async def _post_text(client: httpx.AsyncClient, text: str) -> httpx.Response:
    return await client.post(
        "/load-testing", content=text, headers={"content-type": "application/json"}
    )


@pytest.mark.parametrize(
    ("fragment", "loc"),
    [
        ('"think_time": NaN', ["scenarios", 0, "think_time"]),
        ('"think_time": Infinity', ["scenarios", 0, "think_time"]),
        ('"think_time": 1e400', ["scenarios", 0, "think_time"]),
        ('"error_rate_target": -Infinity', ["scenarios", 0, "error_rate_target"]),
        ('"response_time_target": {"max_ms": NaN}', ["scenarios", 0, "response_time_target",
                                                      "max_ms"]),
        ('"body": {"price": [1, 1e999]}', ["scenarios", 0, "body", "price", 1]),
    ],
)  # fmt: skip
async def test_non_finite_numbers_are_a_422_naming_the_field(
    client: httpx.AsyncClient, endpoints: dict[str, int], fragment: str, loc: list[Any]
) -> None:
    scenario = json.dumps(_scenario(endpoints["login"]))[:-1] + ", " + fragment + "}"
    response = await _post_text(client, '{"title": "t", "scenarios": [' + scenario + "]}")
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"] == ["body", *loc]
    top = await _post_text(
        client, '{"title": "t", "target_tps": 1e400, "scenarios": [' + scenario + "]}"
    )
    assert top.status_code == 422
    assert ["body", "target_tps"] in [e["loc"] for e in top.json()["detail"]]


@pytest.mark.parametrize(
    ("fields", "loc", "limit"),
    [
        ({"vus": 100_000}, ["scenarios", 0, "vus"], "MAX_VUS"),
        ({"duration": "999999h"}, ["scenarios", 0, "duration"], "MAX_TEST_SECONDS"),
        ({"duration": "0s"}, ["scenarios", 0, "duration"], "above 0"),
        ({"executor": "ramping-vus", "duration": None,
          "stages": [{"duration": "10s", "target": 1_000_000}]},
         ["scenarios", 0, "stages", 0, "target"], "MAX_VUS"),
        ({"executor": "ramping-vus", "duration": None, "stages": [{"duration": "0s", "target": 5}]},
         ["scenarios", 0, "stages"], "above 0"),
        ({"executor": "constant-arrival-rate", "rate": 10_000_000, "pre_allocated_vus": 10},
         ["scenarios", 0, "rate"], "MAX_ARRIVAL_RATE"),
        ({"executor": "constant-arrival-rate", "rate": 10, "pre_allocated_vus": 10,
          "time_unit": "0s"}, ["scenarios", 0, "time_unit"], "above 0"),
    ],
)  # fmt: skip
async def test_load_over_a_limit_is_a_422_naming_it(
    client: httpx.AsyncClient,
    endpoints: dict[str, int],
    fields: dict[str, Any],
    loc: list[Any],
    limit: str,
) -> None:
    scenario = {k: v for k, v in _scenario(endpoints["login"], **fields).items() if v is not None}
    response = await client.post("/load-testing", json={"title": "t", "scenarios": [scenario]})
    assert response.status_code == 422, response.text
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", *loc]
    assert limit in error["msg"]


async def test_too_many_scenarios_and_too_many_vus_in_all(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    many = [_scenario(endpoints["login"], name=f"s{i}") for i in range(21)]
    response = await client.post("/load-testing", json={"title": "t", "scenarios": many})
    assert response.status_code == 422
    assert "MAX_SCENARIOS" in response.json()["detail"][0]["msg"]
    heavy = [_scenario(endpoints["login"], name=f"s{i}", vus=3000) for i in range(2)]
    response = await client.post("/load-testing", json={"title": "t", "scenarios": heavy})
    assert response.status_code == 422
    assert "6000 VUs over all scenarios" in response.json()["detail"][0]["msg"]


async def test_a_large_scenario_body_is_a_413_not_a_bus_error(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    """Before: 503 "nats: maximum payload exceeded"."""
    scenario = _scenario(endpoints["login"], body={"blob": "x" * 5_000_000})
    response = await client.post("/load-testing", json={"title": "t", "scenarios": [scenario]})
    assert response.status_code == 413
    assert "MAX_COMMAND_BYTES" in response.json()["detail"]


async def test_an_oversized_body_is_a_413_and_errors_echo_little(
    client: httpx.AsyncClient,
) -> None:
    huge = b'{"title": "' + b"x" * (33 * 1024 * 1024) + b'"}'
    response = await client.post(
        "/project", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert "MAX_BODY_BYTES" in response.json()["detail"]

    big = {"title": "y" * 5_000_000, "summary": "z" * 5_000_000}
    response = await client.post("/project", json=big)
    assert response.status_code == 422
    assert len(response.content) < LIMIT_BYTES  # before: the whole input, twice over
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "title"), ("body", "summary")
    }  # fmt: skip
