"""The metrics-aggregator's FastStream application."""

from __future__ import annotations

import asyncio

from faststream import FastStream

from mv_runtime.bus import make_broker
from mv_runtime.heartbeat import beat_on

from . import retention
from .aggregator import make_aggregator
from .beating import aggregator_heartbeats
from .handlers import register, register_points
from .settings import Settings


def create_app(settings: Settings) -> FastStream:
    broker = make_broker(settings.nats_url)
    aggregator = make_aggregator(settings, broker)
    register(broker, aggregator)
    days = settings.influxdb_retention_days
    register_points(broker, aggregator.client, days)
    app = FastStream(broker)
    tasks: set[asyncio.Task[None]] = set()

    async def set_retention() -> None:
        task = asyncio.create_task(
            retention.keep_trying(aggregator.client, settings.influxdb_database, days)
        )
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    app.after_startup(set_retention)
    app.after_startup(aggregator.resume)
    app.after_shutdown(aggregator.close)
    beat_on(app, broker, aggregator_heartbeats(settings.heartbeat_seconds, settings.influxdb_url))
    return app
