"""The aggregator killed (SIGKILL) during a real k6 run and started again: live snapshots of the
test come again, and its summary is whole (checked against k6's own count)."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import pytest
from nats.aio.client import Client
from nats.aio.msg import Msg

from mv_contracts.lifecycle import TestFinished, TestFinishedEvent, TestStartedEvent
from mv_contracts.metrics import LiveSnapshotEvent, TestSummary, TestSummaryEvent
from mv_contracts.runs import TestRunRequested
from mv_contracts.subjects import LIVE_METRICS, RUN_TEST, TEST_FINISHED, TEST_STARTED, TEST_SUMMARY
from mv_devstack.config import StackConfig
from mv_devstack.processes import ManagedProcess

from .bus_events import (
    measured,
    publish,
    run_request,
    wait_for,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


async def test_a_killed_aggregator_resumes_live_snapshots(
    services_config: StackConfig, workers: list[ManagedProcess], nc: Client
) -> None:
    aggregator = workers[1]
    # Long enough that a restarted aggregator (a Python process starting on a busy machine takes
    # seconds) still finds the test running; the test waits on events, not on this length.
    request = run_request(services_config, seconds=40)
    test_id = request.test_id
    arrivals: list[float] = []
    labels: set[tuple[str, str | None]] = set()

    async def on_live(message: Msg) -> None:
        event = LiveSnapshotEvent.model_validate(json.loads(message.data))
        labels.update((s.name, s.label) for s in event.payload.scenarios)
        arrivals.append(time.monotonic())

    sub = await nc.subscribe(LIVE_METRICS.for_test(test_id), cb=on_live)
    await publish(nc, RUN_TEST.name, TestRunRequested(correlation_id=test_id, payload=request))
    await wait_for(nc, TEST_STARTED.name, TestStartedEvent, test_id, 60)
    while not arrivals:  # noqa: ASYNC110 - filled by the subscription's callback
        await asyncio.sleep(0.2)
    pid = aggregator.pid()
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    killed = time.monotonic()
    await asyncio.sleep(2)
    before = len(arrivals)
    await asyncio.to_thread(aggregator.start, services_config.host)

    finished: TestFinished = await wait_for(nc, TEST_FINISHED.name, TestFinishedEvent, test_id, 60)
    summary: TestSummary = await wait_for(nc, TEST_SUMMARY.name, TestSummaryEvent, test_id, 60)
    await sub.unsubscribe()
    after = [t for t in arrivals[before:] if t > killed]
    assert after, "no live snapshot after the restart"
    assert finished.k6_counts is not None
    measured(
        "aggregator killed mid-run",
        seconds_from_kill_to_next_snapshot=round(after[0] - killed, 1),
        snapshots_after_restart=len(after), complete=summary.complete,
        stored=summary.overall.total_requests, k6_made=finished.k6_counts.overall.requests,
    )  # fmt: skip
    assert labels == {("s01", "헬스 체크")}  # the tag beside the name the request gave
    assert summary.complete, summary.incomplete_reason
    assert summary.overall.total_requests == finished.k6_counts.overall.requests
