"""The heartbeats of the aggregator and of the receiver, with what each can see of its InfluxDB
(and the receiver of its JetStream stream)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from mv_contracts.health import DependencyState
from mv_runtime.heartbeat import Check, Heartbeats, Send, package_version

VERSION = package_version("mv-metrics-aggregator")


def influxdb_check(url: str) -> Check:
    async def check() -> DependencyState:
        async with httpx.AsyncClient(timeout=2.0) as client:
            response = await client.get(f"{url}/ping")
        if response.status_code != 204:
            return DependencyState(ok=False, detail=f"{url}/ping answered {response.status_code}")
        return DependencyState(ok=True)

    return check


def aggregator_heartbeats(every: float, influxdb_url: str) -> Callable[[Send], Heartbeats]:
    return lambda send: Heartbeats(
        "metrics-aggregator",
        send,
        every=every,
        version=VERSION,
        checks={"influxdb": influxdb_check(influxdb_url)},
    )


def receiver_heartbeats(
    send: Send, every: float, influxdb_url: str, jetstream: Callable[[], bool]
) -> Heartbeats:
    """``jetstream``: whether the durable path is connected."""

    async def stream() -> DependencyState:
        if jetstream():
            return DependencyState(ok=True)
        return DependencyState(ok=False, detail="not connected: pushes are held in memory")

    checks = {"influxdb": influxdb_check(influxdb_url), "jetstream": stream}
    return Heartbeats("metrics-receiver", send, every=every, version=VERSION, checks=checks)
