"""The Grafana dashboard shipped in ``deploy/grafana`` reads the compact schema right: every
panel's InfluxQL, with Grafana's variables filled in as Grafana does, run on the real InfluxDB
over compact points of a known test, gives that test's figures."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from mv_devstack.config import StackConfig
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.lineprotocol import SyntheticCompactRun, pod_lines

from .databases import fresh_database

DATABASE = "mv_grafana_dashboard_test"
DASHBOARD = Path(__file__).parents[4] / "deploy" / "grafana" / "metric-vault-dashboard.json"
START = 1_700_600_000_000_000_000
SECONDS = 10


@pytest.fixture(scope="module")
async def influx(stack: StackConfig) -> AsyncIterator[InfluxClient]:
    async with fresh_database(stack, DATABASE) as client:
        yield client


@pytest.fixture(scope="module")
async def run(influx: InfluxClient) -> SyntheticCompactRun:
    test = SyntheticCompactRun(
        str(uuid.uuid4()), START, seconds=SECONDS, rate=800, scenarios=("s01_a", "s02_b"), runners=2
    )
    other = SyntheticCompactRun(str(uuid.uuid4()), START, seconds=SECONDS, rate=400)
    usage = [(100.0 + i, 64.0 + i) for i in range(SECONDS)]
    pods = pod_lines("shop", "api-1", START + 10**9, usage, test_ids=(test.test_id,))
    await influx.write("\n".join([*test.lines(), *other.lines(), pods]))
    return test


def panels() -> dict[str, list[str]]:
    dashboard = json.loads(DASHBOARD.read_text())
    return {p["title"]: [t["query"] for t in p["targets"]] for p in dashboard["panels"]}


def filled(query: str, test_id: str) -> str:
    """What Grafana sends for a query: a regex-escaped single value, the time range, 1 s."""
    time_filter = f"time >= {START} AND time < {START + (SECONDS + 2) * 10**9}"
    return (
        query.replace("$testid", re.escape(test_id))
        .replace("$timeFilter", time_filter)
        .replace("$__interval", "1s")
    )


async def results(influx: InfluxClient, title: str, test_id: str) -> list[Any]:
    (query,) = panels()[title]
    (result,) = await influx.query(filled(query, test_id))
    return result


def value(series: list[Any]) -> float:
    (only,) = series
    row = only.first()
    return float(next(v for k, v in row.items() if k != "time"))


async def test_the_stats_are_the_tests_exact_figures(
    influx: InfluxClient, run: SyntheticCompactRun
) -> None:
    per_point = 800 // 4
    failed = per_point // 20 * 4 * SECONDS
    assert value(await results(influx, "Requests", run.test_id)) == run.requests
    assert value(await results(influx, "Failed requests", run.test_id)) == failed
    assert value(await results(influx, "Error rate", run.test_id)) == pytest.approx(
        failed / run.requests
    )
    mean = value(await results(influx, "Mean response time", run.test_id))
    assert 20 < mean < 60  # log-normal around 20 and 30 ms medians


async def test_the_charts_are_per_second_and_per_scenario(
    influx: InfluxClient, run: SyntheticCompactRun
) -> None:
    per_second = await results(influx, "Requests per second by scenario", run.test_id)
    assert sorted(s.tags["scenario"] for s in per_second) == ["s01_a", "s02_b"]
    for series in per_second:
        counts = [row["sum"] for row in series.rows if row["sum"]]
        assert counts == [2 * 800 // 4] * SECONDS  # both runners' share of the scenario
    (vus,) = await results(influx, "Virtual users", run.test_id)
    assert {row["sum"] for row in vus.rows if row["sum"] is not None} == {2 * run.vus}
    errors = await results(influx, "Error rate by scenario", run.test_id)
    assert {round(r["sum_sum"], 6) for s in errors for r in s.rows if r["sum_sum"]} == {0.05}


async def test_the_pods_panels_show_the_pods_of_the_test(
    influx: InfluxClient, run: SyntheticCompactRun
) -> None:
    (cpu,) = await results(influx, "CPU of the pods under test", run.test_id)
    assert cpu.tags["pod"] == "api-1"
    assert [row["mean"] for row in cpu.rows] == [100.0 + i for i in range(SECONDS)]
    assert await results(influx, "CPU of the pods under test", str(uuid.uuid4())) == []
