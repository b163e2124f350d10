"""Whether a test's metrics would reach the platform, asked before it is stored: a k6 run whose
samples have nowhere to go would end as an incomplete result nobody wanted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request

from mv_contracts.runs import MetricsMode
from mv_gateway.core.settings import Settings

from .heartbeats import Heartbeats
from .probes import Probes, influxdb


async def metrics_path_refusal(
    mode: MetricsMode, heartbeats: Heartbeats, probes: Probes, influxdb_url: str, limit: float
) -> str | None:
    """Why a test in ``mode`` cannot be measured now, or None. fast: k6 pushes to the metrics
    receiver, so one must be beating; precise: k6 writes to InfluxDB itself."""
    if mode is MetricsMode.FAST:
        if not heartbeats.fresh("metrics-receiver"):
            return (
                "the metrics receiver is not running (no heartbeat), so a fast-mode test's "
                "figures would be lost; start it, or choose metrics_mode precise"
            )
        return None
    reached = await probes.probe("influxdb", lambda: influxdb(influxdb_url), limit)
    if not reached.reachable:
        return (
            f"InfluxDB is unreachable ({reached.error}), so a precise-mode test's figures "
            "would be lost"
        )
    return None


MetricsPath = Callable[[MetricsMode], Awaitable[str | None]]


def metrics_path_of(settings: Settings, heartbeats: Heartbeats, probes: Probes) -> MetricsPath:
    """The check start_run asks; ``METRICS_PATH_CHECK=false`` turns it off."""

    async def refusal(mode: MetricsMode) -> str | None:
        if not settings.metrics_path_check:
            return None
        return await metrics_path_refusal(
            mode, heartbeats, probes, settings.influxdb_url, settings.health_timeout
        )

    return refusal


def get_metrics_path(request: Request) -> MetricsPath:
    state = request.app.state
    return metrics_path_of(state.settings, state.heartbeats, state.probes)


MetricsPathDep = Annotated[MetricsPath, Depends(get_metrics_path)]
