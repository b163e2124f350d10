"""The receiver's buffer against the real InfluxDB: points wait while it is away, then land."""

from __future__ import annotations

import socket
import uuid
from collections.abc import AsyncIterator

import pytest

from mv_devstack.config import StackConfig
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.receiver.buffer import PointBuffer

from .databases import fresh_database

DATABASE = "mv_test_receiver_buffer"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port  # nothing listens once the socket is closed


@pytest.fixture
async def influx(stack: StackConfig) -> AsyncIterator[InfluxClient]:
    async with fresh_database(stack, DATABASE, max_retry=0) as client:
        yield client


def lines(test_id: str, count: int, start_ms: int = 1_790_000_000_000) -> list[str]:
    return [
        f"mv_requests,testid={test_id},scenario=s requests=1i,failed=0i {start_ms + i}"
        for i in range(count)
    ]


async def stored(client: InfluxClient, test_id: str) -> int:
    (result,) = await client.query(
        f"SELECT SUM(requests) FROM mv_requests WHERE testid = '{test_id}'"  # noqa: S608
    )
    return int(result[0].first()["sum"]) if result else 0


async def test_points_wait_while_influxdb_is_away_and_land_when_it_is_back(
    influx: InfluxClient,
) -> None:
    away = InfluxClient(f"http://127.0.0.1:{closed_port()}", DATABASE, max_retry=0)
    buffer = PointBuffer(away, batch_points=100, backoff=0.05, max_backoff=0.1)
    buffer.start()
    test_id = str(uuid.uuid4())
    try:
        buffer.add(lines(test_id, 250))
        assert not await buffer.flush(within=0.5)
        assert buffer.stats.failed_writes >= 2
        assert buffer.stats.buffered == 250
        assert buffer.stats.written == 0
        buffer.client = influx  # InfluxDB is back
        assert await buffer.flush(within=10)
    finally:
        await buffer.stop(within=1)
        await away.aclose()
    assert buffer.stats.written == 250
    assert buffer.stats.dropped == 0
    assert await stored(influx, test_id) == 250


async def test_past_its_bound_the_buffer_drops_the_oldest_points(influx: InfluxClient) -> None:
    away = InfluxClient(f"http://127.0.0.1:{closed_port()}", DATABASE, max_retry=0)
    buffer = PointBuffer(away, max_points=100, batch_points=30, backoff=0.05, max_backoff=0.1)
    buffer.start()
    test_id = str(uuid.uuid4())
    try:
        buffer.add(lines(test_id, 80))
        assert not await buffer.flush(within=0.3)
        buffer.add(lines(test_id, 50, start_ms=1_790_000_001_000))
        assert buffer.stats.dropped == 30
        buffer.client = influx
        assert await buffer.flush(within=10)
    finally:
        await buffer.stop(within=1)
        await away.aclose()
    assert await stored(influx, test_id) == 100
    (result,) = await influx.query(
        f"SELECT FIRST(requests) FROM mv_requests WHERE testid = '{test_id}'"  # noqa: S608
    )
    assert result[0].first()["time"] == 1_790_000_000_030  # the 30 oldest went


async def test_points_influxdb_refuses_are_dropped_not_retried(influx: InfluxClient) -> None:
    buffer = PointBuffer(influx, batch_points=10)
    buffer.start()
    try:
        buffer.add(["not line protocol at all"])
        assert await buffer.flush(within=10)
    finally:
        await buffer.stop(within=1)
    assert buffer.stats.dropped == 1
    assert buffer.stats.failed_writes == 0
