"""The receiver's heartbeat over a NATS connection of its own: the receiver is an aiohttp
server (no FastStream broker), and a beat must go out while its JetStream connection is away."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable

import nats
import structlog
from aiohttp import web
from nats.aio.client import Client

from mv_contracts.health import HeartbeatEvent
from mv_contracts.subjects import HEARTBEAT
from mv_metrics_aggregator.beating import receiver_heartbeats

from .settings import ReceiverSettings

log = structlog.get_logger()


def beating(
    settings: ReceiverSettings, jetstream: Callable[[], bool]
) -> Callable[[web.Application], AsyncIterator[None]]:
    """A cleanup context beating while the application runs."""

    async def life(_app: web.Application) -> AsyncIterator[None]:
        client: list[Client] = []

        async def quiet(error: Exception) -> None:  # NATS away: the missed beats say so
            log.debug("heartbeat connection", error=repr(error))

        async def send(message: HeartbeatEvent) -> None:
            if not client:
                client.append(await nats.connect(
                    settings.nats_url, max_reconnect_attempts=-1, reconnect_time_wait=1,
                    connect_timeout=2, error_cb=quiet,
                ))  # fmt: skip
            await client[0].publish(
                HEARTBEAT.name,
                message.model_dump_json().encode(),
                headers={"content-type": "application/json"},
            )

        heartbeats = receiver_heartbeats(
            send, settings.heartbeat_seconds, settings.influxdb_url, jetstream
        )
        heartbeats.start()
        yield
        await heartbeats.stop()
        if client:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client[0].close(), 2)

    return life
