"""Each metrics mode end to end on one machine: real k6 run by the local executor, a real metrics
receiver (started as its own process by the ``receiver`` fixture) and real InfluxDB.

fast: k6 pushes remote write to the receiver, which stores compact points (``mv_requests``) and
no raw sample; their sums equal k6's own counts, and k6's response times come with them.
precise: every sample in InfluxDB, nothing through the receiver.
"""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx

from mv_contracts.lifecycle import RunStatus
from mv_contracts.runs import MetricsMode, TestRunRequest
from mv_devstack.config import StackConfig
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.script import generate_script
from mv_test_runner.script.calls import VU_TAG
from mv_test_runner.settings import Settings

from .echo import EchoServer
from .requests import make_request, scenario
from .test_local_executor import influx

# The compact schema of the receiver (mv_metrics_aggregator.schema; services and their
# tests do not import each other's code).
REQUESTS_MEASUREMENT = "mv_requests"


def two_scenarios(url: str, test_id: str, mode: MetricsMode) -> TestRunRequest:
    """Reads that succeed and orders that all fail (the echo answers /orders with 500)."""
    return make_request(
        url,
        scenario("목록", "constant-vus", vus=3, duration="2s", think_time=0.01),
        scenario(
            "orders",
            "constant-vus",
            vus=2,
            duration="2s",
            think_time=0.02,
            endpoint={"method": "POST", "path": "/orders", "body": {"n": 1}},
        ),
        test_id=test_id,
        metrics_mode=mode.value,
    )


async def stored(stack: StackConfig, test_id: str, expected: int) -> dict[str, list[int]]:
    """requests and failed per scenario from the compact points, once they add up to
    ``expected`` (the receiver writes from its buffer, so a moment after k6 ends)."""
    query = (
        f"SELECT SUM(requests), SUM(failed) FROM {REQUESTS_MEASUREMENT} "  # noqa: S608
        f"WHERE testid='{test_id}' GROUP BY scenario"
    )
    for _ in range(100):
        rows = await influx_grouped(stack, query)
        if sum(r[0] for r in rows.values()) >= expected:
            return rows
        await asyncio.sleep(0.2)
    return rows


async def influx_grouped(stack: StackConfig, query: str) -> dict[str, list[int]]:
    async with httpx.AsyncClient(base_url=stack.influxdb_url, timeout=10) as http:
        response = await http.get("/query", params={"db": stack.influxdb_database, "q": query})
    response.raise_for_status()
    series = response.json()["results"][0].get("series") or []
    return {s["tags"]["scenario"]: [int(v) for v in s["values"][0][1:]] for s in series}


async def test_fast_mode_stores_compact_points_equal_to_k6s_own_counts(
    settings: Settings, echo: EchoServer, stack: StackConfig
) -> None:
    echo.failing = b"/orders"
    test_id = f"fast-{uuid.uuid4()}"
    request = two_scenarios(echo.url, test_id, MetricsMode.FAST)
    executor = LocalExecutor(settings)
    await executor.start(request, generate_script(request))
    outcome = await executor.wait(test_id)
    assert outcome.status is RunStatus.SUCCEEDED, executor.output(test_id)
    counts = await executor.counts(test_id)
    assert counts is not None
    assert counts.overall.requests == len(echo.requests) > 0
    assert 0 < counts.overall.failed < counts.overall.requests

    rows = await stored(stack, test_id, counts.overall.requests)
    assert rows == {
        key: [figures.requests, figures.failed] for key, figures in counts.scenarios.items()
    }
    assert rows["s02_orders"][0] == rows["s02_orders"][1]  # every order failed
    # Nothing went the precise way: no raw sample of this test in InfluxDB.
    raw = await influx(stack, f"SELECT count(\"value\") FROM http_reqs WHERE testid='{test_id}'")  # noqa: S608
    assert raw == []

    # k6's own response times, overall and per scenario, as its summary export has them.
    (folder,) = executor.runner_dirs(test_id)
    metrics = json.loads((folder / "summary.json").read_text())["metrics"]
    for key, figures in [("", counts.overall), *counts.scenarios.items()]:
        theirs = metrics["http_req_duration" + (f"{{scenario:{key}}}" if key else "")]
        times = figures.response_time
        assert times is not None
        assert times.count == figures.requests
        ours = [times.avg, times.min, times.max, times.p50, times.p90, times.p95, times.p99]
        stats = ["avg", "min", "max", "med", "p(90)", "p(95)", "p(99)"]
        assert ours == [theirs[stat] for stat in stats], key


async def test_precise_mode_writes_every_sample_and_nothing_compact(
    settings: Settings, echo: EchoServer, stack: StackConfig
) -> None:
    test_id = f"precise-{uuid.uuid4()}"
    request = two_scenarios(echo.url, test_id, MetricsMode.PRECISE)
    executor = LocalExecutor(settings)
    await executor.start(request, generate_script(request))
    assert (await executor.wait(test_id)).status is RunStatus.SUCCEEDED
    counts = await executor.counts(test_id)
    assert counts is not None
    raw = await influx(stack, f"SELECT count(\"value\") FROM http_reqs WHERE testid='{test_id}'")  # noqa: S608
    assert raw[0][1] == counts.overall.requests == len(echo.requests)
    # Every sample is its own point whatever its timestamp: InfluxDB folds points of one
    # series and nanosecond, and a VU's samples never share one (it lost one in 722 once).
    vu_ids = await influx(
        stack,
        f"SHOW TAG VALUES FROM http_reqs WITH KEY = \"{VU_TAG}\" WHERE testid='{test_id}'",
    )
    assert len(vu_ids) == sum(s.vus or 0 for s in request.scenarios)
    compact = await influx(
        stack,
        f"SELECT SUM(requests) FROM {REQUESTS_MEASUREMENT} WHERE testid='{test_id}'",  # noqa: S608
    )
    assert compact == []
