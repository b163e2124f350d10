"""A restarted aggregator resumes the live loops of running tests (real NATS key-value bucket,
real InfluxDB), and live scenarios carry the names the user wrote."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import nats
import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from mv_contracts.lifecycle import (
    RunStatus,
    TestFinished,
    TestFinishedEvent,
    TestStarted,
    TestStartedEvent,
)
from mv_contracts.metrics import LiveSnapshotEvent
from mv_contracts.subjects import LIVE_METRICS, TEST_FINISHED, TEST_STARTED
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.lineprotocol import SyntheticRun

from .databases import fresh_database
from .faults import eventually, running_aggregator, settings_for

DATABASE = "mv_aggregator_resume_test"
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def influx(stack: StackConfig) -> AsyncIterator[InfluxClient]:
    async with fresh_database(stack, DATABASE) as client:
        yield client


@pytest.fixture
async def nc(stack: StackConfig) -> AsyncIterator[Client]:
    client = await nats.connect(stack.nats_url)
    yield client
    await client.close()


async def test_a_restarted_aggregator_resumes_live_snapshots(
    stack: StackConfig, influx: InfluxClient, nc: Client
) -> None:
    now = datetime.now(UTC)
    test_id = str(uuid.uuid4())
    run = SyntheticRun(test_id, int((now - timedelta(seconds=2)).timestamp() * 1e9), 400, 30)
    await influx.write("\n".join(run.lines()))
    snapshots: list[LiveSnapshotEvent] = []

    async def on_live(message: Msg) -> None:
        snapshots.append(LiveSnapshotEvent.model_validate(json.loads(message.data)))

    sub = await nc.subscribe(LIVE_METRICS.for_test(test_id), cb=on_live)
    started = TestStarted(
        test_id=test_id,
        executor="local",
        job_name="k6-x",
        script_name="script.js",
        started_at=now - timedelta(seconds=2),
        scenario_names={"s01_a": "로그인 test", "s02_b": "b"},
    )
    settings = settings_for(stack, DATABASE, stack.influxdb_port)
    async with running_aggregator(settings) as first:
        await first.bus.publish(
            TEST_STARTED, TestStartedEvent(correlation_id=test_id, payload=started)
        )
        await eventually(lambda: snapshots)
    # The first aggregator is gone (its loops with it); the started event was acked long ago.
    await asyncio.sleep(1.5)
    stopped_at = len(snapshots)
    async with running_aggregator(settings) as second:
        assert second.live.running(test_id) is not None
        await eventually(lambda: len(snapshots) >= stopped_at + 2)
        latest = snapshots[-1].payload
        assert {(s.name, s.label) for s in latest.scenarios} == {
            ("s01_a", "로그인 test"),
            ("s02_b", "b"),
        }
        ended = TestFinished(
            test_id=test_id,
            status=RunStatus.CANCELLED,
            reason="stop",
            started_at=started.started_at,
            finished_at=datetime.now(UTC),
        )
        await second.bus.publish(
            TEST_FINISHED, TestFinishedEvent(correlation_id=test_id, payload=ended)
        )
        await eventually(lambda: second.live.running(test_id) is None)
        # A started event redelivered after the end starts nothing.
        await second.started(started)
        assert second.live.running(test_id) is None
    async with running_aggregator(settings) as third:
        assert third.live.running(test_id) is None  # finished: not resumed
    await sub.unsubscribe()
