"""The pod-watcher's FastStream application."""

from __future__ import annotations

from faststream import FastStream

from mv_runtime.bus import make_broker

from .settings import Settings


def create_app(settings: Settings) -> FastStream:
    broker = make_broker(settings.nats_url)
    return FastStream(broker)
