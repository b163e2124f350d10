"""The lifecycle when things go wrong, with the real local executor and real k6: k6's own count
rides on the finished event, a script that cannot be generated fails the test, and a cancel
stops k6 whatever state the run is in."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

from mv_contracts.lifecycle import RequestCounts, RunStatus, TestStartedEvent
from mv_contracts.runs import TestRunRequest
from mv_test_runner.executors.base import Started
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.lifecycle import Lifecycle
from mv_test_runner.script import GeneratedScript, generate_script
from mv_test_runner.settings import Settings
from mv_test_runner.state import RunStore

from .echo import EchoServer
from .requests import make_request, scenario
from .test_lifecycle import Recorder, lifecycle, long_run


async def test_k6_counts_and_scenario_names_ride_on_the_events(
    settings: Settings, echo: EchoServer
) -> None:
    echo.status = 500  # failed requests are counted apart
    recorder = Recorder()
    runs = lifecycle(settings, recorder)
    test_id = str(uuid.uuid4())
    request = make_request(
        echo.url,
        scenario("로그인 test", vus=1, iterations=3),
        scenario("b", vus=1, iterations=2),
        test_id=test_id,
    )
    await runs.run(request)
    await asyncio.wait_for(runs.wait_finished(test_id), 60)

    (started,) = recorder.of(TestStartedEvent)
    assert isinstance(started, TestStartedEvent)
    assert started.payload.scenario_names == {"s01_test": "로그인 test", "s02_b": "b"}
    finished = recorder.finished().payload
    assert len(echo.requests) == 5
    counts = finished.k6_counts
    assert counts is not None
    # k6's response times ride along (their values: test_metrics_modes against its summary).
    assert counts.overall.response_time is not None
    assert counts.overall.response_time.count == 5
    assert counts.scenarios["s02_b"].response_time is not None
    assert counts.scenarios["s02_b"].response_time.count == 2
    without_times = {
        k: v.model_copy(update={"response_time": None}) for k, v in counts.scenarios.items()
    }
    assert counts.overall.model_copy(update={"response_time": None}) == RequestCounts(
        requests=5, failed=5
    )
    assert without_times == {
        "s01_test": RequestCounts(requests=3, failed=3),
        "s02_b": RequestCounts(requests=2, failed=2),
    }


async def test_a_script_that_cannot_be_generated_fails_the_test(
    settings: Settings, echo: EchoServer
) -> None:
    recorder = Recorder()
    runs = lifecycle(settings, recorder)
    test_id = str(uuid.uuid4())
    # 1e400 is infinity: valid for the contract (> 0), but no JSON literal can hold it.
    request = make_request(echo.url, scenario("a"), test_id=test_id, target_tps=1e400)
    await runs.run(request)
    assert recorder.of(TestStartedEvent) == []
    finished = recorder.finished().payload
    assert finished.status is RunStatus.FAILED
    assert finished.reason is not None
    assert finished.reason.startswith("the k6 script could not be generated: ValueError: ")
    assert finished.k6_counts is None
    assert echo.requests == []
    await runs.run(request)  # a redelivery changes nothing
    assert len(recorder.events) == 1


class SlowStart(LocalExecutor):
    """The real local executor, whose start waits for ``go``: a cancel can arrive meanwhile."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self.starting = asyncio.Event()
        self.go = asyncio.Event()

    async def start(self, request: TestRunRequest, script: GeneratedScript) -> Started:
        self.starting.set()
        await self.go.wait()
        return await super().start(request, script)


async def test_a_cancel_while_k6_starts_stops_it(settings: Settings, echo: EchoServer) -> None:
    recorder = Recorder()
    executor = SlowStart(settings)
    runs = Lifecycle(
        executor,
        RunStore(Path(settings.k6_script_file_folder)),
        recorder,
        warning_after=lifecycle(settings, recorder)._warning_after,
        timeout_after=lifecycle(settings, recorder)._timeout_after,
    )
    test_id = str(uuid.uuid4())
    running = asyncio.create_task(runs.run(long_run(echo.url, test_id)))  # type: ignore[arg-type]
    await executor.starting.wait()
    assert await runs.cancel(test_id, "취소")  # k6 not started yet: nothing to stop so far
    executor.go.set()
    await running
    loop = asyncio.get_running_loop()
    began = loop.time()
    await asyncio.wait_for(runs.wait_finished(test_id), 30)  # k6 would run 60 s
    assert loop.time() - began < 15
    finished = recorder.finished().payload
    assert finished.status is RunStatus.CANCELLED
    assert finished.reason == "취소"
    assert not await executor.is_running(test_id)


async def test_a_k6_started_by_a_runner_that_died_is_stopped(
    settings: Settings, echo: EchoServer
) -> None:
    """The runner died after starting k6 but before recording it: a restart stops that k6."""
    test_id = str(uuid.uuid4())
    store = RunStore(Path(settings.k6_script_file_folder))
    store.record(test_id, None)  # what run() writes before starting k6
    request = long_run(echo.url, test_id)
    assert isinstance(request, TestRunRequest)
    orphan = LocalExecutor(settings)
    await orphan.start(request, generate_script(request))
    assert await orphan.is_running(test_id)

    recorder = Recorder()
    restarted = lifecycle(settings, recorder)
    await asyncio.wait_for(restarted.reconcile(), 30)
    finished = recorder.finished().payload
    assert finished.status is RunStatus.FAILED
    assert finished.reason == "the runner stopped while k6 was starting; k6 was stopped"
    await asyncio.wait_for(orphan.wait(test_id), 10)  # reaps it: here k6 is our child
    assert not await LocalExecutor(settings).is_running(test_id)
