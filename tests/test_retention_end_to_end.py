"""Retention as an install sets it: the gateway and the metrics-aggregator as processes, the
aggregator given INFLUXDB_RETENTION_DAYS; the database's default policy follows it, and an
admin's storage page shows the points InfluxDB holds, counted by the aggregator."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from mv_devstack.config import StackConfig
from mv_devstack.credentials import ensure_admin
from mv_devstack.processes import ManagedProcess, wait_until
from mv_devstack.services import service_process

pytestmark = pytest.mark.slow
DATABASE = "mv_retention_e2e"


def influx(config: StackConfig, statement: str, **params: str) -> httpx.Response:
    response = httpx.post(f"{config.influxdb_url}/query", data={"q": statement, **params})
    response.raise_for_status()
    return response


@pytest.fixture
def services(services_config: StackConfig) -> Iterator[tuple[StackConfig, dict[str, str]]]:
    config = services_config.model_copy(update={"influxdb_database": DATABASE})
    influx(config, f'DROP DATABASE "{DATABASE}"')
    admin = ensure_admin(config)
    processes: list[ManagedProcess] = [
        service_process(config, name) for name in ("gateway", "metrics-aggregator")
    ]
    processes[0].env.update(admin.gateway_environment())
    processes[1].env["INFLUXDB_RETENTION_DAYS"] = "3"
    try:
        for process in processes:
            process.start(config.host)

        def ready() -> bool:
            try:
                return httpx.get(f"{config.gateway_url}/readyz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(ready, what="gateway", timeout=60, process=processes[0])
        yield config, {"Authorization": f"Bearer {admin.token}"}
    finally:
        for process in reversed(processes):
            process.stop()
        influx(config, f'DROP DATABASE "{DATABASE}"')


def _policies(config: StackConfig) -> list[list[object]]:
    body = influx(config, f'SHOW RETENTION POLICIES ON "{DATABASE}"').json()
    series = body["results"][0].get("series") or [{"values": []}]
    return list(series[0]["values"])


def test_the_aggregator_sets_the_retention_and_counts_the_points(
    services: tuple[StackConfig, dict[str, str]],
) -> None:
    config, admin = services
    # The aggregator made the database and set its default policy: 3 days, 1-day shards.
    wait_until(lambda: any(p[1:4] == ["72h0m0s", "24h0m0s", 1] for p in _policies(config)),
               what="the retention policy", timeout=30)  # fmt: skip
    now = time.time_ns()
    lines = "\n".join(f"http_reqs,testid=other-tool value=1 {now + i}" for i in range(7))
    httpx.post(f"{config.influxdb_url}/write", params={"db": DATABASE}, content=lines)

    answer = httpx.get(f"{config.gateway_url}/storage", headers=admin, timeout=60)
    assert answer.status_code == 200, answer.text
    storage = answer.json()
    assert (storage["retention_days"], storage["other_points"]) == (3, 7)
    assert "counted in InfluxDB" in storage["note"]
    viewer = httpx.get(f"{config.gateway_url}/storage", timeout=10)
    assert viewer.status_code == 401
