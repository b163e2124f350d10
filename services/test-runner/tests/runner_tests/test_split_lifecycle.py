"""A split test through the lifecycle: the preflight, the runners on TestStarted, cancel of all."""

from __future__ import annotations

import uuid

from mv_contracts.lifecycle import RunStatus, TestStartedEvent
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.settings import Settings

from .echo import EchoServer
from .requests import make_request, scenario
from .test_lifecycle import Recorder, lifecycle, wait_for_requests


async def test_an_impossible_split_fails_before_anything_starts(
    settings: Settings, echo: EchoServer
) -> None:
    recorder = Recorder()
    runs = lifecycle(settings, recorder)
    test_id = str(uuid.uuid4())
    request = make_request(echo.url, scenario("a"), test_id=test_id, parallelism=2)  # 1 VU
    await runs.run(request)
    assert recorder.of(TestStartedEvent) == []
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.FAILED
    assert finished.payload.reason == (
        "parallelism 2 is above the test's 1 VUs at most: every runner needs at least one VU "
        "(use parallelism 1 or fewer)"
    )
    assert not LocalExecutor(settings).run_dir(test_id).exists()
    assert echo.requests == []


async def test_cancel_stops_every_runner_and_the_counts_cover_all(
    settings: Settings, echo: EchoServer
) -> None:
    recorder = Recorder()
    runs = lifecycle(settings, recorder)
    test_id = str(uuid.uuid4())
    long = scenario("long", "constant-vus", vus=3, duration="60s", think_time=0.05)
    await runs.run(make_request(echo.url, long, test_id=test_id, parallelism=3))
    started = recorder.of(TestStartedEvent)
    assert len(started) == 1
    assert isinstance(started[0], TestStartedEvent)
    runners = started[0].payload.runners
    assert [(r.index, r.execution_segment) for r in runners] == [
        (1, "0:1/3"),
        (2, "1/3:2/3"),
        (3, "2/3:1"),
    ]
    assert all(r.name.startswith(started[0].payload.job_name + "-") for r in runners)
    await wait_for_requests(echo)
    assert await runs.cancel(test_id, "stop all three")
    await runs.wait_finished(test_id)
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.CANCELLED
    assert finished.payload.reason == "stop all three"
    assert [(r.index, r.name, r.status, r.reason) for r in finished.payload.runners] == [
        (r.index, r.name, RunStatus.CANCELLED, "stop all three") for r in runners
    ]  # each runner's own ending, for the gateway's /scheduler/jobs and details
    assert not await LocalExecutor(settings).is_running(test_id)
    # k6 still writes its summary when stopped by SIGTERM: the sum of the three is every request.
    assert finished.payload.k6_counts is not None
    # Summed over the three runners. A request in flight when k6 was stopped reached the target
    # but never ended in k6, so k6 may count up to one fewer per VU (3 VUs).
    counted = finished.payload.k6_counts.overall.requests
    assert len(echo.requests) - 3 <= counted <= len(echo.requests)
