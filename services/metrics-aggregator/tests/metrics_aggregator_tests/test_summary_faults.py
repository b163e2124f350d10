"""Summaries when InfluxDB is late, short or away, on the real NATS and InfluxDB: figures that
are not whole say so, and a summary is retried with back-off instead of being abandoned."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable
from datetime import UTC, datetime, timedelta

import nats
import pytest
from nats.aio.client import Client

from mv_contracts.lifecycle import (
    K6Counts,
    RequestCounts,
    RunStatus,
    TestFinished,
    TestFinishedEvent,
)
from mv_contracts.metrics import (
    SummariseRequest,
    TestSummariseRequested,
    TestSummary,
    TestSummaryEvent,
)
from mv_contracts.subjects import STREAM_NAME, SUMMARISE_TEST, TEST_FINISHED, durable_name
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.aggregator import summary_id
from mv_metrics_aggregator.handlers import SERVICE
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.lineprotocol import SyntheticRun

from .databases import fresh_database
from .faults import CuttableLink, eventually, running_aggregator, settings_for
from .test_handlers import stored_summaries

DATABASE = "mv_aggregator_faults_test"
pytestmark = pytest.mark.timeout(120)


@pytest.fixture
async def influx(stack: StackConfig) -> AsyncIterator[InfluxClient]:
    async with fresh_database(stack, DATABASE) as client:
        yield client


@pytest.fixture
async def link(stack: StackConfig) -> AsyncIterator[CuttableLink]:
    forwarder = CuttableLink(stack.host, stack.influxdb_port)
    await forwarder.start()
    yield forwarder
    await forwarder.stop()


@pytest.fixture
async def nc(stack: StackConfig) -> AsyncIterator[Client]:
    client = await nats.connect(stack.nats_url)
    yield client
    await client.close()


def a_run(requests: int = 100) -> tuple[SyntheticRun, list[str], K6Counts]:
    """A run's sample lines (3 per request, then the vus gauge) and k6's count of it."""
    start = int((datetime.now(UTC) - timedelta(seconds=12)).timestamp() * 1e9)
    run = SyntheticRun(str(uuid.uuid4()), start, requests=requests, seconds=10)
    made = list(run.request_list())
    by_scenario = {
        tag: RequestCounts(
            requests=sum(r.scenario == tag for r in made),
            failed=sum(r.scenario == tag and r.failed for r in made),
        )
        for tag in run.scenarios
    }
    counts = K6Counts(
        overall=RequestCounts(requests=len(made), failed=sum(r.failed for r in made)),
        scenarios=by_scenario,
    )
    return run, list(run.lines()), counts


def finished(run: SyntheticRun, counts: K6Counts | None) -> TestFinished:
    now = datetime.now(UTC)
    return TestFinished(
        test_id=run.test_id,
        status=RunStatus.SUCCEEDED,
        started_at=now - timedelta(seconds=13),
        finished_at=now,
        executor="local",
        k6_counts=counts,
    )


async def the_summary(nc: Client, test_id: str, since: datetime) -> TestSummary:
    (event,) = await eventually(lambda: stored_summaries(nc, test_id, since), 60)
    assert isinstance(event, TestSummaryEvent)
    return event.payload


async def _two(found: Awaitable[list[TestSummaryEvent]]) -> list[TestSummaryEvent] | None:
    summaries = await found
    return summaries if len(summaries) >= 2 else None


async def test_a_late_last_flush_is_waited_for(
    stack: StackConfig, influx: InfluxClient, nc: Client
) -> None:
    """k6's count says 100; the last 40 arrive 2 s after the finished event."""
    since = datetime.now(UTC)
    run, lines, counts = a_run()
    await influx.write("\n".join(lines[:180]))
    settings = settings_for(stack, DATABASE, stack.influxdb_port, summary_count_wait=20)
    async with running_aggregator(settings) as aggregator:
        event = finished(run, counts)
        await aggregator.bus.publish(
            TEST_FINISHED, TestFinishedEvent(correlation_id=run.test_id, payload=event)
        )
        await asyncio.sleep(2)
        await influx.write("\n".join(lines[180:]))
        summary = await the_summary(nc, run.test_id, since)
    assert summary.overall.total_requests == 100
    assert summary.complete
    assert summary.incomplete_reason is None
    assert summary.k6_counts == counts


async def test_samples_that_never_came_mark_the_summary_incomplete(
    stack: StackConfig, influx: InfluxClient, nc: Client
) -> None:
    since = datetime.now(UTC)
    run, lines, counts = a_run()
    await influx.write("\n".join(lines[:180]))  # 60 of 100: k6 could not write the rest
    settings = settings_for(
        stack, DATABASE, stack.influxdb_port, summary_count_wait=60, summary_count_settle=1.5
    )
    async with running_aggregator(settings) as aggregator:
        began = asyncio.get_running_loop().time()
        await aggregator.finished(finished(run, counts))
        took = asyncio.get_running_loop().time() - began
        summary = await the_summary(nc, run.test_id, since)
    assert 1.5 <= took < 10  # a count that stopped growing is final, long before the 60 s
    assert summary.overall.total_requests == 60
    assert not summary.complete
    assert summary.incomplete_reason == (
        "InfluxDB has 60 of 100 requests k6 made; InfluxDB has 3 of 5 failed requests k6 "
        "counted; by scenario, requests stored of made: s01_a 30 of 50, s02_b 30 of 50"
    )


async def test_influxdb_away_is_waited_out_without_redelivery(
    stack: StackConfig, influx: InfluxClient, link: CuttableLink, nc: Client
) -> None:
    """The finished event is kept in progress while attempts back off: no redelivery, then
    one whole summary once InfluxDB answers again."""
    since = datetime.now(UTC)
    run, lines, counts = a_run()
    await influx.write("\n".join(lines))
    link.down = True
    settings = settings_for(stack, DATABASE, link.port, summary_retry_max_delay=2)
    js = nc.jetstream()
    durable = durable_name(SERVICE, TEST_FINISHED)
    async with running_aggregator(settings) as aggregator:
        before = (await js.consumer_info(STREAM_NAME, durable)).num_redelivered
        event = finished(run, counts)
        await aggregator.bus.publish(
            TEST_FINISHED, TestFinishedEvent(correlation_id=run.test_id, payload=event)
        )
        await eventually(lambda: link.refused >= 3)
        consumer = await js.consumer_info(STREAM_NAME, durable)
        assert consumer.num_redelivered == before  # the count is the durable's, over all tests
        assert await stored_summaries(nc, run.test_id, since) == []
        link.down = False
        summary = await the_summary(nc, run.test_id, since)
    assert summary.complete
    assert summary.overall.total_requests == 100


async def test_influxdb_away_past_the_retry_time_gives_a_stated_failure(
    stack: StackConfig, influx: InfluxClient, link: CuttableLink, nc: Client
) -> None:
    since = datetime.now(UTC)
    run, lines, counts = a_run()
    await influx.write("\n".join(lines))
    link.down = True
    settings = settings_for(
        stack, DATABASE, link.port, summary_retry_seconds=3, summary_retry_max_delay=1
    )
    event = finished(run, counts)
    async with running_aggregator(settings) as aggregator:
        await aggregator.finished(event)
        summary = await the_summary(nc, run.test_id, since)
        # InfluxDB back: a summarise command makes it again, as a new envelope.
        link.down = False
        command = TestSummariseRequested(
            correlation_id=run.test_id, payload=SummariseRequest(finished=event)
        )
        await aggregator.bus.publish(SUMMARISE_TEST, command)
        both = await eventually(lambda: _two(stored_summaries(nc, run.test_id, since)), seconds=60)
    assert [e.id for e in both] == [summary_id(run.test_id), summary_id(run.test_id, command.id)]
    redone = both[1].payload
    assert redone.complete
    assert redone.overall.total_requests == 100
    assert link.refused >= 2
    assert not summary.complete
    assert summary.incomplete_reason is not None
    assert summary.incomplete_reason.startswith(
        "no summary: InfluxDB could not be read for 0.05 min after the test "
        "(SUMMARY_RETRY_SECONDS): InfluxDB at http://127.0.0.1:"
    )
    assert summary.empty_reason == summary.incomplete_reason
    assert summary.overall.total_requests == 0
    assert summary.k6_counts == counts
