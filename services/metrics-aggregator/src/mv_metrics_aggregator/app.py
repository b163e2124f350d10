"""The metrics-aggregator's FastStream application."""

from __future__ import annotations

from faststream import FastStream

from mv_runtime.bus import make_broker
from mv_runtime.heartbeat import beat_on

from .beating import aggregator_heartbeats
from .handlers import make_aggregator, register
from .settings import Settings


def create_app(settings: Settings) -> FastStream:
    broker = make_broker(settings.nats_url)
    aggregator = make_aggregator(settings, broker)
    register(broker, aggregator)
    app = FastStream(broker)
    app.after_startup(aggregator.resume)
    app.after_shutdown(aggregator.close)
    beat_on(app, broker, aggregator_heartbeats(settings.heartbeat_seconds, settings.influxdb_url))
    return app
