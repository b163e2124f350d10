"""A service's heartbeat: every ``HEARTBEAT_SECONDS`` it publishes that it is alive, which
instance and version it is, since when, and what its dependency checks say.

Heartbeats go over core NATS (worthless a few seconds later); a beat that cannot be sent is
dropped, the next one comes anyway. Each check gets the beat's interval at most, so a hanging
dependency shows as not ok instead of stopping the beat.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version

import structlog
from faststream import FastStream
from faststream.nats import NatsBroker

from mv_contracts.health import DependencyState, Heartbeat, HeartbeatEvent, ServiceName
from mv_contracts.subjects import HEARTBEAT

from .bus import Bus

log = structlog.get_logger()

Check = Callable[[], Awaitable[DependencyState]]
Send = Callable[[HeartbeatEvent], Awaitable[None]]


def instance_name() -> str:
    """The host (a pod's name in Kubernetes) and the pid: unique per running process."""
    return f"{socket.gethostname()}-{os.getpid()}"


def package_version(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "unknown"


class Heartbeats:
    def __init__(
        self,
        service: ServiceName,
        send: Send,
        *,
        every: float,
        version: str,
        checks: Mapping[str, Check] | None = None,
        kubernetes: Callable[[], bool] = lambda: False,
    ) -> None:
        self.service = service
        self.every = every
        self._send = send
        self._checks = dict(checks or {})
        self._kubernetes = kubernetes
        self._version = version
        self._instance = instance_name()
        self._started_at = datetime.now(UTC)
        self._task: asyncio.Task[None] | None = None

    async def _check(self, check: Check) -> DependencyState:
        try:
            return await asyncio.wait_for(check(), self.every)
        except Exception as error:  # a check that fails says why, it does not stop the beat
            return DependencyState(ok=False, detail=(str(error) or type(error).__name__)[:300])

    async def message(self) -> HeartbeatEvent:
        names = list(self._checks)
        states = await asyncio.gather(*(self._check(self._checks[n]) for n in names))
        beat = Heartbeat(
            service=self.service,
            instance=self._instance,
            version=self._version,
            started_at=self._started_at,
            every_seconds=self.every,
            kubernetes=self._kubernetes(),
            dependencies=dict(zip(names, states, strict=True)),
        )
        return HeartbeatEvent(correlation_id=self._instance, payload=beat)

    async def run(self) -> None:
        while True:
            try:
                await self._send(await self.message())
            except Exception as error:  # NATS away: the listeners will miss this beat
                log.debug("heartbeat not sent", error=repr(error))
            await asyncio.sleep(self.every)

    def start(self) -> None:
        self._task = asyncio.create_task(self.run(), name=f"{self.service}-heartbeat")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def beat_on(
    app: FastStream, broker: NatsBroker, heartbeats_of: Callable[[Send], Heartbeats]
) -> None:
    """Beat over ``broker`` while the FastStream ``app`` runs."""
    bus = Bus(broker)

    async def send(message: HeartbeatEvent) -> None:
        await bus.publish(HEARTBEAT, message)

    heartbeats = heartbeats_of(send)

    async def start() -> None:  # async: FastStream runs a plain function in a worker thread
        heartbeats.start()

    app.after_startup(start)
    app.on_shutdown(heartbeats.stop)
