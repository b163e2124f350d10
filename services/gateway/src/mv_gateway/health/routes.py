"""Health: ``GET /`` checks NATS, the database and InfluxDB; ``/healthz`` is liveness only."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from typing import Literal

import httpx
from fastapi import APIRouter, Request, Response, status
from faststream.nats import NatsBroker
from pydantic import BaseModel

from mv_gateway.auth import PUBLIC
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SettingsDep
from mv_gateway.core.engine import ping

router = APIRouter(tags=["Home"], route_class=ParsedBodyRoute)


class ComponentHealth(BaseModel):
    reachable: bool
    latency_ms: float | None = None
    error: str | None = None


class Health(BaseModel):
    status: Literal["ok", "degraded"]
    components: dict[str, ComponentHealth]


async def _probe(check: Awaitable[None], limit: float) -> ComponentHealth:
    started = time.perf_counter()
    try:
        await asyncio.wait_for(check, limit)
    except Exception as error:
        message = str(error) or type(error).__name__
        return ComponentHealth(reachable=False, error=message[:300])
    return ComponentHealth(
        reachable=True, latency_ms=round((time.perf_counter() - started) * 1000, 2)
    )


async def _nats(broker: NatsBroker) -> None:
    # FastStream sets ``running`` once start() has subscribed everything. Read it before the
    # round trip: the server answers a PING after every SUB sent before it, so the PONG proves
    # those subscriptions are in place on the server, not only in the client's buffer.
    subscribed = broker.running
    if not await broker.ping(timeout=2.0):  # the client's own view: connected or not
        raise ConnectionError("not connected")
    await broker.connection.flush(timeout=2)  # PING/PONG with the server
    if not subscribed:  # connected, but a message published now could miss a subscription
        raise ConnectionError("connected; subscriptions still starting")


async def _influxdb(url: str) -> None:
    async with httpx.AsyncClient(timeout=2.0) as client:
        response = await client.get(f"{url}/ping")
        if response.status_code != 204:
            raise ConnectionError(f"/ping answered {response.status_code}")


@router.get("/", response_model=Health, responses={503: {"model": Health}}, dependencies=[PUBLIC])
async def health(request: Request, response: Response, settings: SettingsDep) -> Health:
    """Reachability of every component; 503 when any is down."""
    timeout = settings.health_timeout
    nats, database, influxdb = await asyncio.gather(
        _probe(_nats(request.app.state.broker), timeout),
        _probe(ping(request.app.state.engine), timeout),
        _probe(_influxdb(settings.influxdb_url), timeout),
    )
    components = {"nats": nats, "database": database, "influxdb": influxdb}
    healthy = all(c.reachable for c in components.values())
    if not healthy:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(status="ok" if healthy else "degraded", components=components)


@router.get("/healthz", include_in_schema=False, dependencies=[PUBLIC])
async def liveness() -> dict[str, str]:
    return {"status": "alive"}
