"""A test in the fast metrics mode (the default) through the gateway, with every real part: the
services and the metrics receiver as processes (``start_services``), NATS, InfluxDB, PostgreSQL,
k6 and the demo API. k6 pushes remote write to the receiver; the compact points it stored must
hold exactly k6's own counts, per scenario, and no raw sample; the test ends with a summary.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo, scenarios
from mv_devstack.services import services_running

pytestmark = pytest.mark.slow


def _scenarios(endpoints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The demo's product reads, short, and the flaky inventory check (every 5th call fails)."""
    reads = scenarios(endpoints)[0] | {"duration": "5s", "vus": 2}
    inventory = next(e["id"] for e in endpoints if e["path"] == "/inventory")
    flaky = {
        "name": "재고 확인", "endpoint_id": inventory, "executor": "constant-vus", "vus": 2,
        "duration": "5s", "think_time": 0.05,
    }  # fmt: skip
    return [reads, flaky]


def _influx(config: StackConfig, query: str) -> list[dict[str, Any]]:
    response = httpx.get(
        f"{config.influxdb_url}/query",
        params={"db": config.influxdb_database, "q": query},
        timeout=10,
    )
    response.raise_for_status()
    series: list[dict[str, Any]] = response.json()["results"][0].get("series") or []
    return series


def _compact(config: StackConfig, test_id: str) -> dict[str, tuple[int, int]]:
    query = (
        "SELECT SUM(requests), SUM(failed) FROM mv_requests "  # noqa: S608
        f"WHERE testid='{test_id}' GROUP BY scenario"
    )
    return {
        s["tags"]["scenario"]: (int(s["values"][0][1]), int(s["values"][0][2]))
        for s in _influx(config, query)
    }


async def test_a_fast_mode_test_stores_k6s_exact_counts_as_compact_points(
    services_config: StackConfig,
) -> None:
    config = services_config
    with services_running(config, demo=True):
        demo = Demo(config, echo=lambda _line: None, timeout=180)
        spec_id = await asyncio.to_thread(demo.analyse, await asyncio.to_thread(demo.project))
        endpoints = await asyncio.to_thread(
            demo._call, "GET", "/endpoint", params={"spec_id": spec_id}
        )
        created = await asyncio.to_thread(
            demo._call, "POST", "/load-testing",
            json={"title": "fast mode", "scenarios": _scenarios(endpoints)},  # no mode: fast
        )  # fmt: skip
        details = await asyncio.to_thread(demo.summary, int(created["test_history_id"]))
        test_id = created["test_id"]
        summary = json.loads(
            (Path(details["k6_script_file_name"]).parent / "summary.json").read_text()
        )["metrics"]
        # The receiver writes from its buffer: its points follow k6's end by a moment.
        expected = {
            tag: (
                int(summary[f"http_reqs{{scenario:{tag}}}"]["count"]),
                int(summary[f"http_req_failed{{scenario:{tag}}}"]["passes"]),
            )
            for tag in (s["scenario_tag"] for s in details["scenarios"])
        }
        for _ in range(50):
            stored = await asyncio.to_thread(_compact, config, test_id)
            if stored == expected:
                break
            await asyncio.sleep(0.2)
        raw = await asyncio.to_thread(
            _influx,
            config,
            f"SELECT COUNT(value) FROM http_reqs WHERE testid='{test_id}'",  # noqa: S608
        )

    assert details["metrics_mode"] == "fast"
    assert details["is_completed"], details
    assert stored == expected
    assert sum(r for r, _ in stored.values()) == summary["http_reqs"]["count"] > 0
    assert sum(f for _, f in stored.values()) == summary["http_req_failed"]["passes"] > 0
    assert raw == []  # nothing went the precise way
