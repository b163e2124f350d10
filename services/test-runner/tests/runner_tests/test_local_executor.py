"""The local executor with real k6, a real HTTP server and real InfluxDB."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from mv_contracts.lifecycle import RunStatus
from mv_devstack.config import StackConfig
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.executors.outcomes import Outcome
from mv_test_runner.script import generate_script
from mv_test_runner.settings import Settings

from .echo import EchoServer
from .requests import make_request, scenario


async def influx(stack: StackConfig, query: str) -> list[list[Any]]:
    async with httpx.AsyncClient(base_url=stack.influxdb_url, timeout=10) as http:
        response = await http.get("/query", params={"db": stack.influxdb_database, "q": query})
    response.raise_for_status()
    series = response.json()["results"][0].get("series") or []
    return [row for s in series for row in s["values"]]


async def test_run_stores_samples_under_the_test_id(
    settings: Settings, echo: EchoServer, stack: StackConfig
) -> None:
    test_id = f"local-{uuid.uuid4()}"
    request = make_request(
        echo.url,
        scenario(
            "목록 조회",
            "constant-arrival-rate",
            endpoint={"method": "GET", "path": "/items/{id}", "path_params": {"id": "7"}},
            response_time_target={"max_ms": 5000},
        ),
        test_id=test_id,
        metrics_mode="precise",  # every sample, tags included (test_metrics_modes: the fast mode)
    )
    executor = LocalExecutor(settings)
    started = await executor.start(request, generate_script(request))
    assert started.job_name.startswith("k6-local-")
    outcome = await executor.wait(test_id)
    assert outcome.status is RunStatus.SUCCEEDED, executor.output(test_id)
    assert not await executor.is_running(test_id)

    sent = len(echo.requests)
    assert sent > 0
    assert {r.target for r in echo.requests} == {b"/items/7"}
    where = f"WHERE testid='{test_id}'"  # a uuid we made
    rows = await influx(stack, f'SELECT count("value") FROM http_reqs {where}')  # noqa: S608
    assert rows[0][1] == sent
    by = 'GROUP BY "scenario", "name", "endpoint"'
    tags = await influx(stack, f'SELECT count("value") FROM http_reqs {where} {by}')  # noqa: S608
    assert len(tags) == 1  # one group: s01 / template / endpoint, no URL-level tags
    grouped = await influx(
        stack,
        f'SHOW TAG VALUES FROM http_reqs WITH KEY IN ("scenario", "name", "endpoint") '
        f"WHERE testid='{test_id}'",
    )
    assert sorted(map(tuple, grouped)) == [
        ("endpoint", "GET /items/{id}"),
        ("name", "/items/{id}"),
        ("scenario", "s01"),
    ]


async def test_thresholds_crossed_is_a_verdict(settings: Settings, echo: EchoServer) -> None:
    echo.status = 500
    test_id = f"local-{uuid.uuid4()}"
    request = make_request(echo.url, scenario("broken", error_rate_target=0.01), test_id=test_id)
    executor = LocalExecutor(settings)
    await executor.start(request, generate_script(request))
    outcome = await executor.wait(test_id)
    assert outcome == Outcome(
        RunStatus.FAILED,
        "thresholds crossed: http_req_failed{scenario:s01_broken} rate<0.01 (rate=100.00%)",
        thresholds_crossed=True,
    )


async def test_script_error_fails_with_k6_output(settings: Settings, echo: EchoServer) -> None:
    test_id = f"local-{uuid.uuid4()}"
    request = make_request(echo.url, scenario("a"), test_id=test_id)
    script = generate_script(request)
    broken = type(script)(text=script.text + "\nthrow new Error('boom at init');\n")
    executor = LocalExecutor(settings)
    await executor.start(request, broken)
    outcome = await executor.wait(test_id)
    assert outcome.status is RunStatus.FAILED
    assert not outcome.thresholds_crossed
    assert outcome.reason is not None
    assert outcome.reason.startswith("script error (exit code 107): Error: boom at init\n\tat ")
