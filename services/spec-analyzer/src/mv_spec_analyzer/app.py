"""The spec-analyzer's FastStream application."""

from __future__ import annotations

from faststream import FastStream

from mv_runtime.bus import make_broker

from .analysing import Analyzer
from .handlers import register
from .isolation import shutdown
from .settings import Settings


def create_app(settings: Settings) -> FastStream:
    broker = make_broker(settings.nats_url)
    register(broker, Analyzer(settings))
    # The parsing worker process ends with the service.
    return FastStream(broker, after_shutdown=[shutdown])
