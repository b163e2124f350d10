"""Probes of what the gateway reaches itself: NATS, the database (in routes), InfluxDB."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable

import httpx
from faststream.nats import NatsBroker
from pydantic import BaseModel


class ComponentHealth(BaseModel):
    reachable: bool
    latency_ms: float | None = None
    error: str | None = None


async def probe(check: Awaitable[None], limit: float) -> ComponentHealth:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check, limit)
    except Exception as error:
        message = str(error) or type(error).__name__
        return ComponentHealth(reachable=False, error=message[:300])
    return ComponentHealth(
        reachable=True, latency_ms=round((time.perf_counter() - started) * 1000, 2)
    )


async def nats(broker: NatsBroker) -> None:
    # FastStream sets ``running`` once start() has subscribed everything. Read it before the
    # round trip: the server answers a PING after every SUB sent before it, so the PONG proves
    # those subscriptions are in place on the server, not only in the client's buffer.
    subscribed = broker.running
    if not await broker.ping(timeout=2.0):  # the client's own view: connected or not
        raise ConnectionError("not connected")
    await broker.connection.flush(timeout=2)  # PING/PONG with the server
    if not subscribed:  # connected, but a message published now could miss a subscription
        raise ConnectionError("connected; subscriptions still starting")


async def influxdb(url: str) -> None:
    async with httpx.AsyncClient(timeout=2.0) as client:
        response = await client.get(f"{url}/ping")
        if response.status_code != 204:
            raise ConnectionError(f"/ping answered {response.status_code}")
