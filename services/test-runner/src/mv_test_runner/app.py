"""The test-runner's FastStream application."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from faststream import FastStream
from faststream.nats import NatsBroker

from mv_contracts import Envelope
from mv_contracts.subjects import Subject
from mv_runtime.bus import Bus, make_broker

from . import preview
from .executors.base import RunExecutor
from .executors.kubernetes import KubernetesExecutor
from .executors.local import LocalExecutor
from .handlers import register
from .lifecycle import Lifecycle
from .settings import Settings
from .state import RunStore


def make_executor(settings: Settings) -> RunExecutor:
    if settings.test_runner_executor == "kubernetes":
        return KubernetesExecutor(settings)
    return LocalExecutor(settings)


def make_lifecycle(settings: Settings, broker: NatsBroker) -> Lifecycle:
    bus = Bus(broker)

    async def publish(subject: Subject, message: Envelope) -> None:
        await bus.publish(subject, message)

    return Lifecycle(
        make_executor(settings),
        RunStore(Path(settings.k6_script_file_folder)),
        publish,
        warning_after=timedelta(hours=settings.scheduler_job_warning_hours),
        timeout_after=timedelta(hours=settings.scheduler_job_timeout_hours),
        max_parallelism=settings.max_parallelism,
        sealer=settings.sealer(),
    )


def create_app(settings: Settings, broker: NatsBroker | None = None) -> FastStream:
    broker = broker or make_broker(settings.nats_url)
    lifecycle = make_lifecycle(settings, broker)
    register(broker, lifecycle, settings.service_name)
    preview.register(broker, settings.service_name)
    app = FastStream(broker)

    @app.after_startup
    async def _reconcile() -> None:
        await lifecycle.reconcile()

    @app.on_shutdown
    async def _close() -> None:
        await lifecycle.close()

    return app
