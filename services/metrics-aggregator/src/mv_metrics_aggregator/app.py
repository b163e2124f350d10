"""The metrics-aggregator's FastStream application."""

from __future__ import annotations

from faststream import FastStream

from mv_runtime.bus import make_broker

from .handlers import make_aggregator, register
from .settings import Settings


def create_app(settings: Settings) -> FastStream:
    broker = make_broker(settings.nats_url)
    aggregator = make_aggregator(settings, broker)
    register(broker, aggregator)
    app = FastStream(broker)
    app.after_startup(aggregator.resume)
    app.after_shutdown(aggregator.close)
    return app
