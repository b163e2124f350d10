"""One exact result from a test split over 3 local k6 runners: the aggregator's summary of the
test id (every runner's samples) against what the target served and every sample stored.

Real k6 (3 processes, paused and resumed together), real InfluxDB, the aggregator's own
``summarise`` and completeness check, and a loopback target that counts what it served.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import random
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from mv_contracts.lifecycle import RunStatus
from mv_contracts.runs import TestRunRequest
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.completeness import mark
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.precise import PRECISE
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.script import generate_script
from mv_test_runner.settings import Settings

pytestmark = pytest.mark.timeout(60)


class Target:
    """HTTP/1.1 on loopback answering after 1-30 ms (so durations spread), counting answers."""

    def __init__(self) -> None:
        self.served = 0
        self.port = 0

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            while True:
                await reader.readuntil(b"\r\n\r\n")
                await asyncio.sleep(random.uniform(0.001, 0.03))
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                await writer.drain()
                self.served += 1
        writer.close()


@pytest.fixture
async def target() -> AsyncIterator[Target]:
    counting = Target()
    server = await asyncio.start_server(counting.serve, "127.0.0.1", 0)
    counting.port = server.sockets[0].getsockname()[1]
    yield counting
    server.close()


def k6_percentile(values: list[float], p: float) -> float:
    """k6's percentile: linear interpolation between the closest ranks, rank p/100 * (n - 1)."""
    ordered = sorted(values)
    rank = p / 100 * (len(ordered) - 1)
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


async def every_duration(stack: StackConfig, test_id: str) -> list[float]:
    query = f"SELECT \"value\" FROM http_req_duration WHERE testid='{test_id}'"  # noqa: S608
    async with httpx.AsyncClient(base_url=stack.influxdb_url, timeout=20) as http:
        response = await http.get("/query", params={"db": stack.influxdb_database, "q": query})
    response.raise_for_status()
    series = response.json()["results"][0].get("series") or []
    return [float(row[1]) for s in series for row in s["values"]]


async def test_three_runners_give_one_exact_summary(
    stack: StackConfig, target: Target, tmp_path: Path
) -> None:
    k6 = stack.k6_binary()
    if k6 is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    test_id = f"split-{uuid.uuid4()}"
    request = TestRunRequest.model_validate(
        {
            "test_id": test_id,
            "title": "split",
            "project_id": 1,
            "base_url": f"http://127.0.0.1:{target.port}",
            "parallelism": 3,
            "metrics_mode": "precise",  # the aggregator's summary over every runner's samples
            "scenarios": [
                {
                    "name": "rate",
                    "endpoint": {"method": "GET", "path": "/a"},
                    "executor": "constant-arrival-rate",
                    "rate": 60,
                    "duration": "3s",
                    "pre_allocated_vus": 6,
                    "max_vus": 12,
                },
                {
                    "name": "vus",
                    "endpoint": {"method": "GET", "path": "/b"},
                    "vus": 4,
                    "duration": "3s",
                },
            ],
        }
    )
    settings = Settings(
        influxdb_host=stack.host,
        influxdb_port=stack.influxdb_port,
        influxdb_database=stack.influxdb_database,
        k6_binary=k6,
        k6_script_file_folder=tmp_path / "k6",
    )
    executor = LocalExecutor(settings)
    started = datetime.now(UTC)
    await executor.start(request, generate_script(request))
    outcome = await asyncio.wait_for(executor.wait(test_id), 40)
    finished = datetime.now(UTC)
    assert outcome.status is RunStatus.SUCCEEDED, executor.output(test_id)
    counts = await executor.counts(test_id)
    assert counts is not None

    client = InfluxClient(stack.influxdb_url, stack.influxdb_database)
    try:
        margin = timedelta(seconds=5)
        summary = mark(
            await PRECISE.summarise(client, test_id, (started - margin, finished + margin)), counts
        )
    finally:
        await client.aclose()

    # Counts: exact, and the aggregator's own check finds the merged run whole.
    assert target.served > 0
    assert counts.overall.requests == target.served
    assert summary.overall.total_requests == target.served
    assert summary.complete, summary.incomplete_reason
    assert sum(s.figures.total_requests for s in summary.scenarios) == target.served

    # Percentiles: over every sample of the three runners, never an average of theirs.
    durations = await every_duration(stack, test_id)
    assert len(durations) == target.served
    p95 = k6_percentile(durations, 95)
    assert summary.overall.p95_response_time is not None
    assert summary.overall.p95_response_time == pytest.approx(p95, rel=0.01)
    # Each runner's samples are their own series (tag runner), so none overwrote another's.
    query = 'SHOW TAG VALUES FROM vus WITH KEY = "runner" WHERE testid = \'' + test_id + "'"
    async with httpx.AsyncClient(base_url=stack.influxdb_url, timeout=20) as http:
        shown = await http.get("/query", params={"db": stack.influxdb_database, "q": query})
    tagged = shown.json()["results"][0]["series"][0]["values"]
    assert sorted(v[1] for v in tagged) == ["1", "2", "3"]
    runners = [
        json.loads((f / "summary.json").read_text())["metrics"]["http_req_duration"]
        for f in executor.runner_dirs(test_id)
    ]
    assert len(runners) == 3
    assert all(r["count"] > 0 for r in runners)
    print(  # the figures the report quotes
        f"served={target.served} p95(all samples)={p95:.3f} "
        f"p95(summary)={summary.overall.p95_response_time:.3f} "
        f"p95 per runner={[round(r['p(95)'], 3) for r in runners]}"
    )
