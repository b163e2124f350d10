"""Health: ``GET /`` is the product's (the gateway's own components and every service it hears
beating), ``/readyz`` the gateway's own readiness (NATS, the database, InfluxDB and every
subscription: what a load balancer asks), ``/healthz`` liveness only."""

from __future__ import annotations

import asyncio
from typing import Literal

from fastapi import APIRouter, Request, Response, status
from pydantic import BaseModel, Field

from mv_gateway.auth import PUBLIC
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SettingsDep
from mv_gateway.core.engine import ping

from .heartbeats import Heartbeats, ServiceHealth
from .probes import ComponentHealth, Probes, influxdb, nats

router = APIRouter(tags=["Home"], route_class=ParsedBodyRoute)


class Readiness(BaseModel):
    status: Literal["ok", "degraded"]
    components: dict[str, ComponentHealth]


class Health(Readiness):
    services: dict[str, ServiceHealth] = Field(
        description=(
            "Each service by its heartbeats: ok, or missing after HEALTH_MISSED_BEATS missed "
            "beats; a missing required one makes the status degraded"
        )
    )


async def _components(
    request: Request, limit: float, influxdb_url: str
) -> dict[str, ComponentHealth]:
    probes: Probes = request.app.state.probes
    state = request.app.state
    nats_state, database, influx = await asyncio.gather(
        probes.probe("nats", lambda: nats(state.broker), limit),
        probes.probe("database", lambda: ping(state.engine), limit),
        probes.probe("influxdb", lambda: influxdb(influxdb_url), limit),
    )
    return {"nats": nats_state, "database": database, "influxdb": influx}


@router.get("/", response_model=Health, responses={503: {"model": Health}}, dependencies=[PUBLIC])
async def health(request: Request, response: Response, settings: SettingsDep) -> Health:
    """Every part of the product: the gateway's components and each service; 503 when a
    component is down or a required service is missing."""
    components = await _components(request, settings.health_timeout, settings.influxdb_url)
    heartbeats: Heartbeats = request.app.state.heartbeats
    services = heartbeats.services()
    healthy = all(c.reachable for c in components.values()) and all(
        s.state == "ok" for s in services.values() if s.required
    )
    if not healthy:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(status="ok" if healthy else "degraded", components=components, services=services)


@router.get(
    "/readyz",
    response_model=Readiness,
    responses={503: {"model": Readiness}},
    dependencies=[PUBLIC],
)
async def readiness(request: Request, response: Response, settings: SettingsDep) -> Readiness:
    """The gateway itself can serve: its components reachable; 503 when any is down."""
    components = await _components(request, settings.health_timeout, settings.influxdb_url)
    healthy = all(c.reachable for c in components.values())
    if not healthy:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Readiness(status="ok" if healthy else "degraded", components=components)


@router.get("/healthz", include_in_schema=False, dependencies=[PUBLIC])
async def liveness() -> dict[str, str]:
    return {"status": "alive"}
