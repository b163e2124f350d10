"""Live figures of a fast-mode test every second, and every 5 s for a stream that asks for it
(``?interval=5``, the original period), through every real part: the services and the metrics
receiver as processes, NATS, InfluxDB, PostgreSQL, k6 and the demo API.

The cadence is read from the snapshots' own times (``k6.at``), not from when they arrived."""

from __future__ import annotations

import asyncio
import itertools
import json
from datetime import datetime
from typing import Any

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.demo import Demo, scenarios
from mv_devstack.services import services_running

pytestmark = pytest.mark.slow


async def _follow(config: StackConfig, test_id: str, query: str) -> list[dict[str, Any]]:
    """Every k6 snapshot of the test's stream until its end."""
    url = f"{config.gateway_url}/sse/k6-data?test_id={test_id}&include=k6_only{query}"
    snapshots: list[dict[str, Any]] = []
    timeout = httpx.Timeout(60, read=40)
    async with (
        httpx.AsyncClient(headers=config.admin_headers(), timeout=timeout) as http,
        http.stream("GET", url) as response,
    ):
        assert response.status_code == 200, await response.aread()
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            message = json.loads(line[len("data: ") :])
            if message["kind"] == "end":
                return snapshots
            if message["kind"] == "k6":
                snapshots.append(message["k6"])
    return snapshots


def _gaps(snapshots: list[dict[str, Any]]) -> list[float]:
    times = [datetime.fromisoformat(s["at"]) for s in snapshots]
    return [(b - a).total_seconds() for a, b in itertools.pairwise(times)]


async def test_a_fast_test_is_live_every_second_and_every_5_s_on_request(
    services_config: StackConfig,
) -> None:
    config = services_config
    with services_running(config, demo=True):
        demo = Demo(config, echo=lambda _line: None, timeout=180)
        spec_id = await asyncio.to_thread(demo.analyse, await asyncio.to_thread(demo.project))
        endpoints = await asyncio.to_thread(
            demo._call, "GET", "/endpoint", params={"spec_id": spec_id}
        )
        reads = scenarios(endpoints)[0] | {"duration": "12s", "vus": 2}
        created = await asyncio.to_thread(
            demo._call, "POST", "/load-testing",
            json={"title": "live every second", "scenarios": [reads]},  # no mode: fast
        )  # fmt: skip
        test_id = created["test_id"]
        every, fifth = await asyncio.gather(
            _follow(config, test_id, ""), _follow(config, test_id, "&interval=5")
        )

    # Every second: about one snapshot per second of the 12 s test, each a second after the last.
    assert len(every) >= 8, every
    assert all(0.5 <= gap <= 1.5 for gap in _gaps(every)), _gaps(every)
    assert every[-1]["overall"]["requests_total"] > 0
    # The same test's stream at the original period: one snapshot per 5 s.
    assert 1 <= len(fifth) <= 3, fifth
    assert all(gap >= 4.5 for gap in _gaps(fifth)), _gaps(fifth)
    assert {s["at"] for s in fifth} <= {s["at"] for s in every}
