"""InfluxDB stopped during and after real k6 runs, with the test-runner and the aggregator as
processes: a summary that lacks samples says so (against k6's own count), and one InfluxDB
could not give at first comes once InfluxDB is back. The gateway is left out: these figures
are decided on the bus, so the test reads the events there.

Figures are printed as "measured:" lines (run with -s).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from nats.aio.client import Client

from mv_contracts.lifecycle import TestFinished, TestFinishedEvent, TestStartedEvent
from mv_contracts.metrics import TestSummary, TestSummaryEvent
from mv_contracts.runs import TestRunRequested
from mv_contracts.subjects import RUN_TEST, TEST_FINISHED, TEST_STARTED, TEST_SUMMARY
from mv_devstack.config import StackConfig
from mv_devstack.processes import ManagedProcess
from mv_devstack.servers import InfluxDB
from mv_devstack.workers import free_ports

from .bus_events import (
    measured,
    publish,
    run_request,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


@pytest.fixture
def workers_config(services_config: StackConfig) -> Iterator[StackConfig]:
    """The services' stack with an InfluxDB of its own, which the tests stop and start."""
    http, rpc = free_ports(services_config.host, 29000, 30000, 2)
    own = services_config.model_copy(update={"influxdb_port": http, "influxdb_rpc_port": rpc})
    InfluxDB(own).start()
    yield own
    InfluxDB(own).process.stop()


async def test_influxdb_down_10s_in_a_20s_run_marks_the_summary_incomplete(
    workers_config: StackConfig, workers: list[ManagedProcess], nc: Client
) -> None:
    influxdb = InfluxDB(workers_config)
    request = run_request(workers_config, seconds=20)
    test_id = request.test_id
    await publish(nc, RUN_TEST.name, TestRunRequested(correlation_id=test_id, payload=request))
    await wait_for(nc, TEST_STARTED.name, TestStartedEvent, test_id, 60)
    await asyncio.sleep(5)
    await asyncio.to_thread(influxdb.process.stop)
    await asyncio.sleep(10)
    await asyncio.to_thread(influxdb.start)

    finished: TestFinished = await wait_for(nc, TEST_FINISHED.name, TestFinishedEvent, test_id, 60)
    ended = time.monotonic()
    summary: TestSummary = await wait_for(nc, TEST_SUMMARY.name, TestSummaryEvent, test_id, 90)
    waited = time.monotonic() - ended
    assert finished.k6_counts is not None
    made = finished.k6_counts.overall.requests
    stored = summary.overall.total_requests
    measured(
        "InfluxDB down 10 s of a 20 s run",
        k6_made=made, stored=stored, complete=summary.complete,
        reason=summary.incomplete_reason, seconds_from_finish_to_summary=round(waited, 1),
    )  # fmt: skip
    assert 0 < stored < made
    assert not summary.complete
    assert summary.incomplete_reason is not None
    assert summary.incomplete_reason.startswith(f"InfluxDB has {stored:,} of {made:,} requests k6")
    assert summary.k6_counts == finished.k6_counts


async def test_influxdb_down_35s_after_a_run_delays_the_summary_and_loses_nothing(
    workers_config: StackConfig, workers: list[ManagedProcess], nc: Client
) -> None:
    influxdb = InfluxDB(workers_config)
    request = run_request(workers_config, seconds=5)
    test_id = request.test_id
    await publish(nc, RUN_TEST.name, TestRunRequested(correlation_id=test_id, payload=request))
    await wait_for(nc, TEST_STARTED.name, TestStartedEvent, test_id, 60)
    finished: TestFinished = await wait_for(nc, TEST_FINISHED.name, TestFinishedEvent, test_id, 60)
    ended = time.monotonic()
    # The local k6 has flushed and exited; InfluxDB goes before the aggregator reads it.
    await asyncio.to_thread(influxdb.process.stop)
    await asyncio.sleep(35)
    await asyncio.to_thread(influxdb.start)
    back = time.monotonic()
    summary: TestSummary = await wait_for(nc, TEST_SUMMARY.name, TestSummaryEvent, test_id, 90)
    done = time.monotonic()
    assert finished.k6_counts is not None
    measured(
        "InfluxDB down 35 s after a run",
        k6_made=finished.k6_counts.overall.requests, stored=summary.overall.total_requests,
        complete=summary.complete, seconds_from_finish_to_summary=round(done - ended, 1),
        seconds_after_influxdb_back=round(done - back, 1),
    )  # fmt: skip
    assert summary.complete, summary.incomplete_reason
    assert summary.overall.total_requests == finished.k6_counts.overall.requests
