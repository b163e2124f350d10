"""``GET /readyz`` and the components of ``GET /`` against the real NATS, database and InfluxDB
of the stack (the services' heartbeats: test_heartbeats.py)."""

from __future__ import annotations

import asyncio

import httpx
from faststream.nats import NatsBroker

from gateway_tests.conftest import LiveGateway
from mv_devstack.config import StackConfig
from mv_devstack.workers import free_port
from mv_gateway.app import create_app
from mv_gateway.core.settings import Settings
from mv_gateway.health import Probes


async def test_every_component_reachable(live_gateway: LiveGateway) -> None:
    async with httpx.AsyncClient(base_url=live_gateway.base) as http:
        response = await http.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert set(body["components"]) == {"nats", "database", "influxdb"}
    assert all(c["reachable"] for c in body["components"].values())


async def test_nats_is_not_ready_until_the_subscriptions_are(client: httpx.AsyncClient) -> None:
    """The client fixture connects the broker without starting its subscribers, as a gateway
    is between its NATS connection and its last subscription: a message published then could
    be missed, so a load balancer must not send traffic yet."""
    response = await client.get("/")
    assert response.status_code == 503
    nats = response.json()["components"]["nats"]
    assert nats["reachable"] is False
    assert "subscriptions still starting" in nats["error"]


async def test_an_unreachable_influxdb_is_reported_as_503(
    stack: StackConfig, tmp_path: object
) -> None:
    closed_port = free_port(stack.host, 39000, 39100)
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path}/health.db",
        nats_url=stack.nats_url,
        influxdb_host=stack.host,
        influxdb_port=closed_port,
        health_timeout=1.0,
    )
    broker = NatsBroker(stack.nats_url)
    app = create_app(settings, broker=broker)
    await broker.connect()
    broker.running = True  # no lifespan, no subscribers: only InfluxDB is meant to be down
    try:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as http:
            response = await http.get("/")
    finally:
        await broker.stop()
        await app.state.engine.dispose()
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "degraded"
    assert body["components"]["influxdb"]["reachable"] is False
    assert body["components"]["influxdb"]["error"]
    assert body["components"]["database"]["reachable"] is True
    assert body["components"]["nats"]["reachable"] is True


async def test_a_slow_probe_is_reported_but_never_cancelled_half_way() -> None:
    """GET / is asked every few seconds: a database ping cancelled in the middle of a pool
    checkout could keep its connection for good, so a slow probe is left to finish and joined."""
    started: list[asyncio.Event] = []
    release = asyncio.Event()

    async def slow() -> None:
        started.append(asyncio.Event())
        await release.wait()

    probes = Probes()
    first = await probes.probe("database", slow, 0.05)
    second = await probes.probe("database", slow, 0.05)
    assert first.reachable is False
    assert first.error == "no answer within 0.05 s"
    assert second.reachable is False
    assert len(started) == 1  # joined, not started again
    release.set()
    third = await probes.probe("database", slow, 1)
    assert third.reachable is True  # the slow one, let run, answered
    assert len(started) == 1
    release.clear()
    fourth = await probes.probe("database", slow, 0.05)  # done: the next request probes afresh
    assert len(started) == 2
    assert fourth.reachable is False
    release.set()
