"""The aggregator's handlers on the real NATS server: live snapshots, then exactly one summary."""

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
from nats.js.api import ConsumerConfig, DeliverPolicy

from mv_contracts.lifecycle import (
    K6Counts,
    RequestCounts,
    ResponseTimes,
    RunStatus,
    TestFinished,
    TestFinishedEvent,
    TestStarted,
    TestStartedEvent,
)
from mv_contracts.metrics import LiveSnapshot, LiveSnapshotEvent, PercentileSource, TestSummaryEvent
from mv_contracts.runs import MetricsMode
from mv_contracts.subjects import (
    LIVE_METRICS,
    STREAM_NAME,
    TEST_FINISHED,
    TEST_STARTED,
    TEST_SUMMARY,
)
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.aggregate import NO_SAMPLES
from mv_metrics_aggregator.aggregator import Aggregator, make_aggregator, summary_id
from mv_metrics_aggregator.handlers import register
from mv_metrics_aggregator.lineprotocol import SyntheticCompactRun, SyntheticRun
from mv_metrics_aggregator.settings import Settings
from mv_runtime.bus import make_broker

from .databases import fresh_database

DATABASE = "mv_aggregator_handlers_test"


@pytest.fixture
async def aggregator(stack: StackConfig) -> AsyncIterator[Aggregator]:
    settings = Settings(
        nats_url=stack.nats_url,
        influxdb_host=stack.host,
        influxdb_port=stack.influxdb_port,
        influxdb_database=DATABASE,
        live_interval=1,
        live_lag=0,
        scheduler_metrics_delay=0,
        local_metrics_delay=0,
        summary_count_wait=5,
        summary_count_settle=1,
        summary_count_poll=0.2,
    )
    broker = make_broker(stack.nats_url)
    aggregator = make_aggregator(settings, broker)
    register(broker, aggregator)
    async with fresh_database(stack, DATABASE):
        await broker.start()
        yield aggregator
        await aggregator.close()
        await broker.stop()


@pytest.fixture
async def nc(stack: StackConfig) -> AsyncIterator[Client]:
    client = await nats.connect(stack.nats_url)
    yield client
    await client.close()


async def stored_summaries(nc: Client, test_id: str, since: datetime) -> list[TestSummaryEvent]:
    """The summaries of ``test_id`` the JetStream stream holds (published since ``since``)."""
    js = nc.jetstream()
    config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_TIME, opt_start_time=since)
    sub = await js.pull_subscribe(TEST_SUMMARY.name, stream=STREAM_NAME, config=config)
    found: list[TestSummaryEvent] = []
    try:
        while True:
            try:
                messages = await sub.fetch(100, timeout=1)
            except (nats.errors.TimeoutError, TimeoutError):
                break
            for message in messages:
                event = TestSummaryEvent.model_validate_json(message.data)
                if event.correlation_id == test_id:
                    found.append(event)
                await message.ack()
    finally:
        await sub.unsubscribe()
    return found


async def test_live_snapshots_then_exactly_one_summary(aggregator: Aggregator, nc: Client) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    now = datetime.now(UTC)
    start_ns = int((now - timedelta(seconds=2)).timestamp() * 1e9)
    runs = [
        SyntheticRun(str(uuid.uuid4()), start_ns, requests=800, seconds=8, scenarios=("s01_a",)),
        SyntheticRun(str(uuid.uuid4()), start_ns, requests=400, seconds=8, scenarios=("s01_b",)),
    ]
    for run in runs:  # samples "arriving" over the next seconds, as k6 would push them
        await aggregator.client.write("\n".join(run.lines()))
    live: dict[str, list[LiveSnapshotEvent]] = {run.test_id: [] for run in runs}
    two_each = asyncio.Event()

    async def on_live(message: Msg) -> None:
        event = LiveSnapshotEvent.model_validate(json.loads(message.data))
        live[event.payload.test_id].append(event)
        if all(len(events) >= 2 for events in live.values()):
            two_each.set()

    subs = [await nc.subscribe(LIVE_METRICS.for_test(run.test_id), cb=on_live) for run in runs]
    for run in runs:
        started = TestStarted(
            test_id=run.test_id,
            executor="local",
            job_name=f"k6-{run.test_id}",
            script_name="script.js",
            started_at=now - timedelta(seconds=2),
        )
        await aggregator.bus.publish(
            TEST_STARTED, TestStartedEvent(correlation_id=run.test_id, payload=started)
        )
    await asyncio.wait_for(two_each.wait(), timeout=30)
    for run in runs:
        snapshot = live[run.test_id][-1].payload
        assert 0 < snapshot.overall.requests_total <= run.requests
        assert snapshot.overall.tps > 0
        assert snapshot.window_seconds == 1
        assert [s.name for s in snapshot.scenarios] == list(run.scenarios)

    # The finished event twice (a redelivery / a second publisher): one summary per test.
    finished = [
        TestFinished(
            test_id=run.test_id,
            status=RunStatus.SUCCEEDED,
            started_at=now - timedelta(seconds=2),
            finished_at=now,
        )
        for run in runs
    ]
    for event in finished * 2:
        await aggregator.bus.publish(
            TEST_FINISHED, TestFinishedEvent(correlation_id=event.test_id, payload=event)
        )
    for run in runs:
        for _ in range(100):
            if aggregator.live.running(run.test_id) is None:
                break
            await asyncio.sleep(0.1)
        assert aggregator.live.running(run.test_id) is None
    await aggregator.finished(finished[0])  # and once more, straight, after the bus ones
    for sub in subs:
        await sub.unsubscribe()

    for run in runs:
        summaries: list[TestSummaryEvent] = []
        for _ in range(30):
            summaries = await stored_summaries(nc, run.test_id, since)
            if summaries:
                break
        assert len(summaries) == 1, run.test_id
        assert summaries[0].id == summary_id(run.test_id)
        summary = summaries[0].payload
        assert summary.overall.total_requests == run.requests  # within finished + margin
        assert [s.name for s in summary.scenarios] == list(run.scenarios)


async def test_a_test_without_samples_gets_one_empty_summary(
    aggregator: Aggregator, nc: Client
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    test_id = str(uuid.uuid4())
    finished = TestFinished(
        test_id=test_id,
        status=RunStatus.FAILED,
        reason="k6 could not start",
        finished_at=datetime.now(UTC),
    )
    await aggregator.bus.publish(
        TEST_FINISHED, TestFinishedEvent(correlation_id=test_id, payload=finished)
    )
    summaries: list[TestSummaryEvent] = []
    for _ in range(30):
        summaries = await stored_summaries(nc, test_id, since)
        if summaries:
            break
    assert len(summaries) == 1
    assert summaries[0].payload.empty_reason == NO_SAMPLES
    assert summaries[0].payload.overall.total_requests == 0


def _k6_counts(run: SyntheticCompactRun, extra: int = 0) -> K6Counts:
    per_scenario = run.requests // len(run.scenarios)
    failed = per_scenario // run.seconds // run.failure_every * run.seconds
    times = ResponseTimes(
        count=run.requests, min=1.5, max=400.0, avg=25.0, p50=20.0, p90=41.0, p95=52.0, p99=80.0
    )
    return K6Counts(
        overall=RequestCounts(
            requests=run.requests + extra, failed=failed * len(run.scenarios), response_time=times
        ),
        scenarios={
            s: RequestCounts(requests=per_scenario, failed=failed, response_time=times)
            for s in run.scenarios
        },
    )


async def test_a_fast_mode_test_is_summarised_from_its_compact_points(
    aggregator: Aggregator, nc: Client
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    now = datetime.now(UTC)
    # Points "arriving" over the next seconds, one a second as k6 pushes.
    start_ns = int((now - timedelta(seconds=2)).timestamp() * 1e9)
    whole = SyntheticCompactRun(str(uuid.uuid4()), start_ns, seconds=5, rate=400)
    short = SyntheticCompactRun(str(uuid.uuid4()), start_ns, seconds=5, rate=400)
    for run in (whole, short):
        await aggregator.client.write("\n".join(run.lines()))
        started = TestStarted(
            test_id=run.test_id,
            executor="local",
            job_name=f"k6-{run.test_id}",
            script_name="script.js",
            started_at=now - timedelta(seconds=6),
            metrics_mode=MetricsMode.FAST,
        )
        await aggregator.started(started)
    snapshot = await next_live(nc, whole.test_id)
    assert 0 < snapshot.overall.requests_total <= whole.requests  # from the compact points
    assert snapshot.overall.response_time_p95 is not None  # from their histograms
    for run, extra in ((whole, 0), (short, 100)):  # k6 made 100 requests no point holds
        event = TestFinished(
            test_id=run.test_id,
            status=RunStatus.SUCCEEDED,
            started_at=now - timedelta(seconds=6),
            finished_at=now,
            k6_counts=_k6_counts(run, extra),
            metrics_mode=MetricsMode.FAST,
        )
        await aggregator.finished(event)
    (whole_summary,) = [e.payload for e in await stored_summaries(nc, whole.test_id, since)]
    assert whole_summary.complete
    assert whole_summary.overall.total_requests == whole.requests
    assert whole_summary.percentile_source is PercentileSource.K6_SUMMARY
    assert whole_summary.overall.p95_response_time == 52.0
    assert whole_summary.overall.min_response_time == 1.5
    assert [(f.status, f.error_code) for f in whole_summary.failures] == [("500", "1500")]
    (short_summary,) = [e.payload for e in await stored_summaries(nc, short.test_id, since)]
    assert not short_summary.complete
    assert short_summary.incomplete_reason == (
        f"InfluxDB has {short.requests:,} of {short.requests + 100:,} requests k6 made"
    )


async def next_live(nc: Client, test_id: str) -> LiveSnapshot:
    """The next live snapshot of ``test_id``."""
    sub = await nc.subscribe(LIVE_METRICS.for_test(test_id))
    try:
        message = await sub.next_msg(timeout=10)
    finally:
        await sub.unsubscribe()
    return LiveSnapshotEvent.model_validate(json.loads(message.data)).payload
