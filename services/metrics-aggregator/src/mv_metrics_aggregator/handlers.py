"""The aggregator's bus edges: started → live loop, finished → wait, summarise, publish once.

Exactly one summary per test: the summary envelope's id -- which ``Bus.publish`` sends as
JetStream's ``Nats-Msg-Id`` -- is a uuid5 of the test id, the same on every attempt. A redelivered
finished event (or a second replica) therefore publishes an envelope that JetStream drops
inside its duplicate window, and that the gateway's ``apply_once`` ignores after it.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from typing import Protocol
from uuid import UUID, uuid5

import structlog
from faststream.nats import NatsBroker
from faststream.nats.annotations import NatsMessage

from mv_contracts.metrics import LiveSnapshot, LiveSnapshotEvent, TestSummary, TestSummaryEvent
from mv_contracts.runs import TestFinished, TestFinishedEvent, TestStarted, TestStartedEvent
from mv_contracts.subjects import LIVE_METRICS, TEST_FINISHED, TEST_STARTED, TEST_SUMMARY
from mv_runtime.bus import Bus, subscribe

from .aggregate import summarise
from .influx import InfluxClient
from .live import LiveTracker, RunningTest
from .settings import Settings

SERVICE = "metrics-aggregator"
SUMMARY_NAMESPACE = UUID("6f1d8c2e-5b7a-4e0f-9a51-3c2d7e4b8a90")
# While a finished event is handled (the metrics delay, then a summary that takes minutes on
# 10^7 samples), the handler tells JetStream every HEARTBEAT_SECONDS that it is still working;
# only a handler that stops doing so (a dead process) has its event redelivered, after ACK_WAIT.
HEARTBEAT_SECONDS = 10.0
FINISHED_ACK_WAIT_SECONDS = 60.0

log = structlog.get_logger()


def summary_id(test_id: str) -> UUID:
    """The one envelope id of a test's summary."""
    return uuid5(SUMMARY_NAMESPACE, f"metrics.summary:{test_id}")


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Aggregator:
    """What the handlers call: plain methods, no FastStream in sight."""

    def __init__(self, settings: Settings, client: InfluxClient, bus: Bus) -> None:
        self.settings = settings
        self.client = client
        self.bus = bus
        self.live = LiveTracker(
            client,
            self.publish_live,
            interval=settings.live_interval,
            lag=settings.live_lag,
            max_seconds=settings.live_max_hours * 3600,
            settle=timedelta(seconds=settings.live_settle),
        )

    async def close(self) -> None:
        await self.live.stop_all()
        await self.client.aclose()

    async def started(self, event: TestStarted) -> None:
        margin = timedelta(seconds=self.settings.window_margin)
        if self.live.start(event.test_id, event.started_at - margin, event.executor):
            log.info("live metrics started", test_id=event.test_id)

    def delay(self, event: TestFinished, running: RunningTest | None, now: datetime) -> float:
        """Seconds still to wait: counted from the finish, so a redelivery waits less."""
        # The live loop knows the executor; a replica that never saw TEST_STARTED reads the event.
        executor = running.executor if running else event.executor
        wait = self.settings.scheduler_metrics_delay
        if executor == "local":
            wait = min(wait, self.settings.local_metrics_delay)
        elapsed = (now - event.finished_at).total_seconds()
        return max(0.0, wait - elapsed)

    async def finished(self, event: TestFinished) -> None:
        running = await self.live.stop(event.test_id)
        await asyncio.sleep(self.delay(event, running, datetime.now(UTC)))
        summary = await self.summary(event, running.started_at if running else None)
        envelope = TestSummaryEvent(
            id=summary_id(event.test_id), correlation_id=event.test_id, payload=summary
        )
        await self.bus.publish(TEST_SUMMARY, envelope)
        log.info(
            "summary published",
            test_id=event.test_id,
            requests=summary.overall.total_requests,
            empty_reason=summary.empty_reason,
        )

    async def summary(self, event: TestFinished, live_start: datetime | None) -> TestSummary:
        margin = timedelta(seconds=self.settings.window_margin)
        end = event.finished_at + margin
        if event.started_at is not None:
            start = _aware(event.started_at) - margin
        elif live_start is not None:
            start = live_start  # already includes the margin
        else:
            start = event.finished_at - timedelta(hours=self.settings.summary_lookback_hours)
        return await summarise(self.client, event.test_id, start, end)

    async def publish_live(self, snapshot: LiveSnapshot) -> None:
        envelope = LiveSnapshotEvent(correlation_id=snapshot.test_id, payload=snapshot)
        await self.bus.publish(LIVE_METRICS, envelope, test_id=snapshot.test_id)


def make_aggregator(settings: Settings, broker: NatsBroker) -> Aggregator:
    client = InfluxClient(
        settings.influxdb_url, settings.influxdb_database, max_retry=settings.scheduler_max_retry
    )
    return Aggregator(settings, client, Bus(broker))


class InProgress(Protocol):
    async def in_progress(self) -> None: ...


@asynccontextmanager
async def heartbeat(message: InProgress, every: float = HEARTBEAT_SECONDS) -> AsyncIterator[None]:
    """Mark ``message`` as in progress every ``every`` seconds while the block runs."""

    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            try:
                await message.in_progress()
            except Exception as error:  # a lost beat only risks a redelivery, which is harmless
                log.warning("in-progress heartbeat failed", error=str(error))

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def register(broker: NatsBroker, aggregator: Aggregator) -> None:
    @subscribe(broker, SERVICE, TEST_STARTED)
    async def on_test_started(event: TestStartedEvent) -> None:
        await aggregator.started(event.payload)

    @subscribe(broker, SERVICE, TEST_FINISHED, ack_wait=FINISHED_ACK_WAIT_SECONDS)
    async def on_test_finished(event: TestFinishedEvent, message: NatsMessage) -> None:
        async with heartbeat(message):
            await aggregator.finished(event.payload)
