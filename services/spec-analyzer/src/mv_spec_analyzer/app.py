"""The spec-analyzer's FastStream application."""

from __future__ import annotations

from faststream import FastStream

from mv_runtime.bus import make_broker
from mv_runtime.heartbeat import Heartbeats, beat_on, package_version

from .analysing import Analyzer
from .handlers import register
from .isolation import shutdown
from .settings import Settings


def create_app(settings: Settings) -> FastStream:
    broker = make_broker(settings.nats_url)
    register(broker, Analyzer(settings))
    # The parsing worker process ends with the service.
    app = FastStream(broker, after_shutdown=[shutdown])
    beat_on(
        app,
        broker,
        lambda send: Heartbeats(
            "spec-analyzer",
            send,
            every=settings.heartbeat_seconds,
            version=package_version("mv-spec-analyzer"),
        ),
    )
    return app
