"""The aggregator's bus edges: started → live loop, finished or summarise → one summary; the
points of deleted tests purged and counted (:mod:`.retention`).

A finished event is kept in progress while it is handled (no redelivery burns through
MAX_DELIVER while the summary waits or retries); several are handled at once
(FINISHED_WORKERS), so one slow test holds up no other. What each does: :mod:`.aggregator`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Protocol

import structlog
from faststream.nats import NatsBroker
from faststream.nats.annotations import NatsMessage

from mv_contracts.lifecycle import TestFinishedEvent, TestStartedEvent
from mv_contracts.metrics import (
    PointsCount,
    PointsCountRequested,
    PointsPurgeRequested,
    TestSummariseRequested,
)
from mv_contracts.subjects import (
    COUNT_POINTS,
    PURGE_POINTS,
    SUMMARISE_TEST,
    TEST_FINISHED,
    TEST_STARTED,
)
from mv_runtime.bus import subscribe

from . import retention
from .aggregator import Aggregator
from .influx import InfluxClient, InfluxError

SERVICE = "metrics-aggregator"
# While a finished event is handled (the metrics delay, then a summary that takes minutes on
# 10^7 samples), the handler tells JetStream every HEARTBEAT_SECONDS that it is still working;
# only a handler that stops doing so (a dead process) has its event redelivered, after ACK_WAIT.
HEARTBEAT_SECONDS = 10.0
FINISHED_ACK_WAIT_SECONDS = 60.0
FINISHED_WORKERS = 16

log = structlog.get_logger()


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
    # A summary's subscriptions: long handlers, several at once.
    summarising = partial(
        subscribe, ack_wait=FINISHED_ACK_WAIT_SECONDS, max_workers=FINISHED_WORKERS
    )

    @subscribe(broker, SERVICE, TEST_STARTED)
    async def on_test_started(event: TestStartedEvent) -> None:
        await aggregator.started(event.payload)

    @summarising(broker, SERVICE, TEST_FINISHED)
    async def on_test_finished(event: TestFinishedEvent, message: NatsMessage) -> None:
        async with heartbeat(message):
            await aggregator.finished(event.payload)

    @summarising(broker, SERVICE, SUMMARISE_TEST)
    async def on_summarise(event: TestSummariseRequested, message: NatsMessage) -> None:
        async with heartbeat(message):
            await aggregator.finished(event.payload.finished, redo=event.id)


def register_points(
    broker: NatsBroker, client: InfluxClient, days: int, service: str = SERVICE
) -> None:
    """``service`` names the durable consumer; tests pass their own so parallel runs don't share."""

    @subscribe(broker, service, PURGE_POINTS)
    async def on_purge(event: PointsPurgeRequested) -> None:
        await retention.purge_points(client, list(event.payload.test_ids))

    @subscribe(broker, service, COUNT_POINTS)
    async def on_count(_event: PointsCountRequested) -> PointsCount:
        try:
            return PointsCount(by_test=await retention.count_points(client), retention_days=days)
        except InfluxError as error:
            return PointsCount(by_test={}, retention_days=days, error=str(error)[:500])
