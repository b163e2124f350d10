"""The test-runner's FastStream application."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

from faststream import FastStream
from faststream.nats import NatsBroker

from mv_contracts import Envelope
from mv_contracts.health import DependencyState
from mv_contracts.subjects import Subject
from mv_runtime.bus import Bus, make_broker
from mv_runtime.heartbeat import Check, Heartbeats, Send, beat_on, package_version

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


def heartbeats(settings: Settings, send: Send) -> Heartbeats:
    """The runner's beat: whether it runs k6 as Kubernetes Jobs (then the pod-watcher is needed
    too) and, running k6 here, whether there is a k6 to run."""
    checks: dict[str, Check] = {}
    if settings.test_runner_executor == "local":

        async def k6() -> DependencyState:
            found = shutil.which(settings.k6_binary)
            if found is None:
                return DependencyState(ok=False, detail=f"no {settings.k6_binary} on PATH")
            return DependencyState(ok=True, detail=found)

        checks["k6"] = k6
    return Heartbeats(
        "test-runner",
        send,
        every=settings.heartbeat_seconds,
        version=package_version("mv-test-runner"),
        checks=checks,
        kubernetes=lambda: settings.test_runner_executor == "kubernetes",
    )


def create_app(settings: Settings, broker: NatsBroker | None = None) -> FastStream:
    broker = broker or make_broker(settings.nats_url)
    lifecycle = make_lifecycle(settings, broker)
    register(broker, lifecycle, settings.service_name)
    preview.register_inspect(broker, settings)
    app = FastStream(broker)
    beat_on(app, broker, lambda send: heartbeats(settings, send))

    @app.after_startup
    async def _reconcile() -> None:
        await lifecycle.reconcile()

    @app.on_shutdown
    async def _close() -> None:
        await lifecycle.close()

    return app
