"""Feeding the live hub from the bus.

Live fan-out uses plain core-NATS subscriptions, so every gateway replica sees every message and
serves its own clients. (Storing the pods' resources is the history's, through the durable
consumer: :mod:`mv_gateway.history.resources`.)

A summary is streamed once it is stored, never before: a client that reads the details on its
``summary`` message must find it there. The durable consumer of one replica stores it, so each
replica waits (up to STORE_WAIT_SECONDS) until the summary's envelope is recorded as processed,
then streams what was stored. Streams of one test also find it in the store without this
message (:mod:`.following`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from faststream.nats import NatsBroker

from mv_contracts.lifecycle import TestFinishedEvent
from mv_contracts.metrics import LiveSnapshotEvent, TestSummaryEvent
from mv_contracts.pods import PodResourcesEvent
from mv_contracts.subjects import LIVE_METRICS, POD_RESOURCES, TEST_FINISHED, TEST_SUMMARY

from .alerts import BurstWatch
from .hub import LiveHub
from .messages import (
    StoredEnd,
    alert_message,
    end_message,
    k6_message,
    resources_message,
    summary_message,
)

log = structlog.get_logger()

# (test id, envelope id) → the stored end and summary once that envelope's effects are committed
SummaryLookup = Callable[[str, str], Awaitable[StoredEnd | None]]
STORE_WAIT_SECONDS = 30.0
STORE_POLL_SECONDS = 0.2


@dataclass(eq=False)
class SummaryRelay:
    """Streams each summary the bus announces once the gateway has stored it."""

    hub: LiveHub
    stored: SummaryLookup
    wait_seconds: float = STORE_WAIT_SECONDS
    poll_seconds: float = STORE_POLL_SECONDS
    _waiting: set[asyncio.Task[None]] = field(default_factory=set)

    def arrived(self, event: TestSummaryEvent) -> None:
        task = asyncio.create_task(self._when_stored(event.payload.test_id, str(event.id)))
        self._waiting.add(task)
        task.add_done_callback(self._waiting.discard)

    async def _when_stored(self, test_id: str, message_id: str) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.wait_seconds
        while (found := await self.stored(test_id, message_id)) is None:
            if loop.time() >= deadline:  # streams of the test still find it in the store
                log.info("summary not stored yet, not streamed", test_id=test_id)
                return
            await asyncio.sleep(self.poll_seconds)
        if found.summary is not None:
            self.hub.publish(summary_message(test_id, found, found.summary.at))

    async def close(self) -> None:
        for task in list(self._waiting):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


def register(
    broker: NatsBroker,
    hub: LiveHub,
    watch: BurstWatch | None = None,
    summaries: SummaryRelay | None = None,
) -> None:
    @broker.subscriber(POD_RESOURCES.name, title="gateway-live:pods")
    async def stream_resources(event: PodResourcesEvent) -> None:
        hub.publish(resources_message(event.payload))

    @broker.subscriber(LIVE_METRICS.name, title="gateway-live:k6")
    async def stream_k6(event: LiveSnapshotEvent) -> None:
        snapshot = event.payload
        hub.publish(k6_message(snapshot))
        for alert in watch.feed(snapshot) if watch else []:
            hub.publish(alert_message(snapshot.test_id, snapshot.at, alert))

    @broker.subscriber(TEST_FINISHED.name, title="gateway-live:finished")
    async def stream_end(event: TestFinishedEvent) -> None:
        finished = event.payload
        if watch:
            watch.forget(finished.test_id)
        hub.publish(
            end_message(finished.test_id, finished.finished_at, finished.status, finished.reason)
        )

    if summaries is not None:

        @broker.subscriber(TEST_SUMMARY.name, title="gateway-live:summary")
        async def stream_summary(event: TestSummaryEvent) -> None:
            summaries.arrived(event)
