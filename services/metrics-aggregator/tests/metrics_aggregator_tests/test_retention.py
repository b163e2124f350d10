"""Retention and purging against the stack's real InfluxDB and NATS: the setting becomes the
database's default policy and InfluxDB drops what is older; a deleted test's points go; the
points per test are counted for the admins' storage page."""

from __future__ import annotations

import time
import uuid

from mv_contracts.metrics import (
    PointsCount,
    PointsCountRequested,
    PointsPurge,
    PointsPurgeRequested,
)
from mv_contracts.subjects import COUNT_POINTS, PURGE_POINTS
from mv_devstack.config import StackConfig
from mv_metrics_aggregator import retention
from mv_metrics_aggregator.handlers import register_points
from mv_metrics_aggregator.influx import InfluxClient
from mv_runtime.bus import Bus, make_broker

from .databases import fresh_database
from .faults import eventually

DAY_NS = 86_400 * 10**9


def lines(test_id: str, at_ns: int, n: int = 5) -> str:
    """k6-like raw points and receiver-like compact points of one test."""
    raw = [f"http_reqs,testid={test_id},scenario=s value=1 {at_ns + i}" for i in range(n)]
    compact = [f"mv_requests,testid={test_id},runner=0 count={n}i,failed=0i {at_ns}"]
    return "\n".join(raw + compact)


async def _counts(client: InfluxClient) -> dict[str, int]:
    return await retention.count_points(client)


async def test_points_older_than_the_setting_leave_influxdb(stack: StackConfig) -> None:
    async with fresh_database(stack, "mv_retention") as client:
        now = time.time_ns()
        await client.write(lines("old", now - 30 * DAY_NS) + "\n" + lines("new", now))
        assert await _counts(client) == {"old": 6, "new": 6}

        policy = await retention.apply_retention(client, "mv_retention", days=1)

        (shown,) = await client.query('SHOW RETENTION POLICIES ON "mv_retention"')
        row = next(r for s in shown for r in s.rows if r["name"] == policy)
        assert (row["duration"], row["shardGroupDuration"], row["default"]) == (
            "24h0m0s", "1h0m0s", True,
        )  # fmt: skip
        # InfluxDB's own retention check (every 2 s on the test stack) drops the old shard group.
        await eventually(lambda: _is(client, {"new": 6}), seconds=60)
        # Back to 0: kept for ever again; applying twice changes nothing.
        await retention.apply_retention(client, "mv_retention", days=0)
        await retention.apply_retention(client, "mv_retention", days=0)
        (shown,) = await client.query('SHOW RETENTION POLICIES ON "mv_retention"')
        assert next(r for s in shown for r in s.rows if r["name"] == policy)["duration"] == "0s"


async def _is(client: InfluxClient, expected: dict[str, int]) -> bool:
    return await _counts(client) == expected


async def test_a_deleted_tests_points_are_dropped_and_the_rest_counted(stack: StackConfig) -> None:
    run = uuid.uuid4().hex[:8]
    service = f"retention-test-{run}"
    # Test ids of this run alone: a new consumer replays the stream, so an earlier run's purge
    # (of the same names, on a stack whose JetStream outlived it) would drop this run's points.
    gone_1, gone_2, kept = (f"{name}-{run}" for name in ("gone-1", "gone-2", "kept"))
    async with fresh_database(stack, "mv_purge") as client:
        now = time.time_ns()
        await client.write("\n".join(lines(t, now) for t in (gone_1, gone_2, kept)))
        broker = make_broker(stack.nats_url)
        register_points(broker, client, days=7, service=service)
        await broker.start()
        try:
            bus = Bus(broker)
            counted = await bus.request(COUNT_POINTS, PointsCountRequested(correlation_id="c"))
            assert counted == PointsCount(by_test={gone_1: 6, gone_2: 6, kept: 6}, retention_days=7)
            purge = PointsPurge(test_ids=[gone_1, gone_2, f"never-had-points-{run}"])
            await bus.publish(PURGE_POINTS, PointsPurgeRequested(correlation_id="p", payload=purge))
            await eventually(lambda: _is(client, {kept: 6}))
        finally:
            await broker.stop()
