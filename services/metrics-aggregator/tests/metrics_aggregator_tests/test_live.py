"""The live tracker (one loop per test, started once, stopped for good) and the heartbeat."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from mv_contracts.metrics import LiveSnapshot
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.handlers import heartbeat
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.live import LiveTracker


async def test_one_loop_per_test_and_no_restart_after_the_end(stack: StackConfig) -> None:
    client = InfluxClient(stack.influxdb_url, stack.influxdb_database)
    got: list[LiveSnapshot] = []
    first = asyncio.Event()

    async def publish(snapshot: LiveSnapshot) -> None:
        got.append(snapshot)
        first.set()

    tracker = LiveTracker(client, publish, interval=1, lag=0)
    try:
        now = datetime.now(UTC)
        assert tracker.start("live-a", now, "local")
        assert not tracker.start("live-a", now, "local")  # a redelivered started event
        await asyncio.wait_for(first.wait(), timeout=10)
        assert got[0].test_id == "live-a"
        assert got[0].overall.requests_total == 0  # no samples: zeros, not an error
        stopped = await tracker.stop("live-a")
        assert stopped is not None
        assert stopped.executor == "local"
        assert tracker.running("live-a") is None
        assert not tracker.start("live-a", now, "local")  # a late started event
        assert await tracker.stop("never-started") is None
    finally:
        await tracker.stop_all()
        await client.aclose()


async def test_heartbeat_marks_the_message_in_progress_while_working() -> None:
    four = asyncio.Event()

    class Message:
        beats = 0

        async def in_progress(self) -> None:
            self.beats += 1
            if self.beats == 2:
                raise ConnectionError("a lost beat is logged, not raised")
            if self.beats == 4:
                four.set()

    message = Message()
    async with heartbeat(message, every=0.01):
        await asyncio.wait_for(four.wait(), timeout=10)
    beats = message.beats
    await asyncio.sleep(0.05)
    assert message.beats == beats  # stopped with the block
