"""Probes of what the gateway reaches itself: NATS, the database (in routes), InfluxDB."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

import httpx
from faststream.nats import NatsBroker
from pydantic import BaseModel


class ComponentHealth(BaseModel):
    reachable: bool
    latency_ms: float | None = None
    error: str | None = None


class Probes:
    """One probe of each kind in flight at a time, never cancelled half-way.

    A probe past its limit is reported unreachable but left to finish: cancelling a database
    ping in the middle of a pool checkout can leave the connection checked out for good, and
    GET / is asked every few seconds (the UI's header), so such leaks would drain the pool. A
    slow probe is joined by the next request instead of started again."""

    def __init__(self) -> None:
        self._running: dict[str, asyncio.Task[None]] = {}

    async def probe(
        self, name: str, check: Callable[[], Awaitable[None]], limit: float
    ) -> ComponentHealth:
        task = self._running.get(name)
        if task is None or task.done():
            task = self._running[name] = asyncio.ensure_future(check())
            task.add_done_callback(_retrieve)
        started = time.perf_counter()
        try:
            await asyncio.wait_for(asyncio.shield(task), limit)
        except Exception as error:
            message = str(error) or type(error).__name__
            if isinstance(error, TimeoutError):
                message = f"no answer within {limit:g} s"
            return ComponentHealth(reachable=False, error=message[:300])
        return ComponentHealth(
            reachable=True, latency_ms=round((time.perf_counter() - started) * 1000, 2)
        )


def _retrieve(task: asyncio.Task[None]) -> None:
    # A probe nobody waits for any more ends quietly ("exception was never retrieved" else).
    if not task.cancelled():
        task.exception()


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
