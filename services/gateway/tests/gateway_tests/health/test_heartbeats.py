"""GET / from the services' heartbeats on the real NATS server, and a test refused while its
metrics path is down. The beats are sent by the services' own publisher (mv_runtime.heartbeat);
tests/test_health_end_to_end.py does the same with the real processes, one of them killed."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from faststream.nats import NatsBroker

from gateway_tests.conftest import LiveGateway, running_gateway
from gateway_tests.runs.test_load_testing_api import endpoints
from mv_contracts.health import SERVICE_NAMES, DependencyState, HeartbeatEvent, ServiceName
from mv_contracts.subjects import HEARTBEAT
from mv_devstack.config import StackConfig
from mv_devstack.scratch import own_nats
from mv_runtime.bus import Bus
from mv_runtime.heartbeat import Heartbeats

__all__ = ["endpoints"]  # a fixture of the module it comes from

EVERY = 0.3  # seconds; the gateway's HEALTH_MISSED_BEATS (3) makes a service missing after 0.9 s


@asynccontextmanager
async def beating(
    stack: StackConfig, services: tuple[ServiceName, ...], kubernetes: bool = False
) -> AsyncIterator[dict[ServiceName, Heartbeats]]:
    broker = NatsBroker(stack.nats_url)
    await broker.connect()
    bus = Bus(broker)

    async def send(message: HeartbeatEvent) -> None:
        await bus.publish(HEARTBEAT, message)

    async def influxdb() -> DependencyState:
        return DependencyState(ok=False, detail="connection refused")

    beats = {
        name: Heartbeats(
            name, send, every=EVERY, version="9.9.9",
            checks={"influxdb": influxdb} if name == "metrics-aggregator" else {},
            kubernetes=(lambda: True) if kubernetes and name == "test-runner" else (lambda: False),
        )
        for name in services
    }  # fmt: skip
    for beat in beats.values():
        beat.start()
    try:
        yield beats
    finally:
        for beat in beats.values():
            await beat.stop()
        await broker.stop()


async def health_until(
    base: str, ready: Callable[[httpx.Response], bool], seconds: float = 10
) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base, timeout=5) as http:
        for _ in range(int(seconds / 0.1)):
            response = await http.get("/")
            if ready(response):
                return response
            await asyncio.sleep(0.1)
    raise AssertionError(f"GET / never as wanted: {response.text}")


def states(response: httpx.Response) -> dict[str, Any]:
    return {name: s["state"] for name, s in response.json()["services"].items()}


@pytest.fixture
def bus(stack: StackConfig, tmp_path: Path) -> Iterator[StackConfig]:
    """The session's servers with a NATS of the test's own: GET / reports every heartbeat on
    the bus, and a service another test left running (the session's metrics receiver) beats on
    the session's."""
    with own_nats(stack, tmp_path / "bus") as own:
        yield own


@pytest.fixture
async def live_gateway(bus: StackConfig, tmp_path: Path) -> AsyncIterator[LiveGateway]:
    async with running_gateway(bus, tmp_path) as gateway:
        yield gateway


async def test_get_root_names_each_service_and_degrades_when_one_stops(
    live_gateway: LiveGateway, bus: StackConfig
) -> None:
    before = (await health_until(live_gateway.base, lambda r: True)).json()
    assert set(before["services"]) == set(SERVICE_NAMES)
    assert before["status"] == "degraded"  # nothing beats yet
    assert "no heartbeat since the gateway started" in before["services"]["test-runner"]["reason"]

    async with beating(bus, SERVICE_NAMES) as beats:
        ok = await health_until(live_gateway.base, lambda r: r.status_code == 200)
        body = ok.json()
        assert body["status"] == "ok"
        assert set(states(ok).values()) == {"ok"}
        aggregator = body["services"]["metrics-aggregator"]
        assert aggregator["reason"] == "influxdb: connection refused"  # its own view, shown
        [instance] = aggregator["instances"]
        assert instance["version"] == "9.9.9"
        assert instance["fresh"] is True
        assert body["services"]["pod-watcher"]["required"] is False  # no runner on Kubernetes

        await beats["metrics-receiver"].stop()
        gone = await health_until(live_gateway.base, lambda r: r.status_code == 503)
    receiver = gone.json()["services"]["metrics-receiver"]
    assert gone.json()["status"] == "degraded"
    assert receiver["state"] == "missing"
    assert receiver["required"] is True
    assert receiver["reason"].startswith("no heartbeat for ")
    assert states(gone)["test-runner"] == "ok"
    # the gateway's own readiness is not the product's health
    async with httpx.AsyncClient(base_url=live_gateway.base) as http:
        assert (await http.get("/readyz")).status_code == 200


async def test_the_pod_watcher_is_required_when_a_runner_runs_jobs(
    live_gateway: LiveGateway, bus: StackConfig
) -> None:
    without = tuple(n for n in SERVICE_NAMES if n != "pod-watcher")
    async with beating(bus, without, kubernetes=True):
        response = await health_until(live_gateway.base, lambda r: states(r)["test-runner"] == "ok")
    pod_watcher = response.json()["services"]["pod-watcher"]
    assert response.status_code == 503
    assert pod_watcher == {**pod_watcher, "state": "missing", "required": True}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"metrics_path_check": True}


async def test_a_fast_test_without_a_receiver_is_refused_with_the_reason(
    client: httpx.AsyncClient, endpoints: dict[str, int]
) -> None:
    scenario = {"name": "a", "endpoint_id": endpoints["item"], "vus": 1, "duration": "1s"}
    body = {"title": "no receiver", "scenarios": [scenario]}
    refused = await client.post("/load-testing", json=body)
    assert refused.status_code == 503, refused.text
    assert "the metrics receiver is not running" in refused.json()["detail"]
    listed = await client.get(f"/test-history/projects/{endpoints['project']}")
    assert listed.json()["total"] == 0  # nothing stored
    # precise mode needs InfluxDB only, which is up
    precise = await client.post("/load-testing", json={**body, "metrics_mode": "precise"})
    assert precise.status_code == 202, precise.text
