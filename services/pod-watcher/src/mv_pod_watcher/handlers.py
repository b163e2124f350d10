"""The pod-watcher's edge on the bus: test started and finished events in, kept as the ids of
the tests running now (what each snapshot names)."""

from __future__ import annotations

from faststream.nats import NatsBroker

from mv_contracts.health import ServiceName
from mv_contracts.lifecycle import TestFinishedEvent, TestStartedEvent
from mv_contracts.subjects import TEST_FINISHED, TEST_STARTED
from mv_runtime.bus import subscribe

from .sampling import RunningTestIds

SERVICE: ServiceName = "pod-watcher"


def consumer(namespace: str) -> str:
    """The durable consumer of test events: one per watched namespace, so every watcher of a
    namespace sees every test event (a durable shared by two would split them)."""
    return f"{SERVICE}-{namespace}"


def register(broker: NatsBroker, running: RunningTestIds, service: str) -> None:
    @subscribe(broker, service, TEST_STARTED)
    async def test_started(message: TestStartedEvent) -> None:
        running.started(message.payload.test_id, message.payload.started_at)

    @subscribe(broker, service, TEST_FINISHED)
    async def test_finished(message: TestFinishedEvent) -> None:
        running.finished(message.payload.test_id)
