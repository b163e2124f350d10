"""The lifecycle with the real local executor: one finished event per test, whatever happens."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from mv_contracts import Envelope
from mv_contracts.lifecycle import RunStatus, TestFinishedEvent, TestStartedEvent, TestWarningEvent
from mv_contracts.runs import MetricsMode
from mv_contracts.subjects import Subject
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.lifecycle import Lifecycle
from mv_test_runner.settings import Settings
from mv_test_runner.state import RunStore

from .echo import EchoServer
from .requests import make_request, scenario


class Recorder:
    def __init__(self) -> None:
        self.events: list[Envelope] = []

    async def __call__(self, subject: Subject, message: Envelope) -> None:
        assert isinstance(message, subject.message)
        self.events.append(message)

    def of(self, kind: type[Envelope]) -> list[Envelope]:
        return [e for e in self.events if isinstance(e, kind)]

    def finished(self) -> TestFinishedEvent:
        found = self.of(TestFinishedEvent)
        assert len(found) == 1, self.events
        event = found[0]
        assert isinstance(event, TestFinishedEvent)
        return event


def lifecycle(
    settings: Settings, recorder: Recorder, warning: float = 3600, timeout: float = 7200
) -> Lifecycle:
    return Lifecycle(
        LocalExecutor(settings),
        RunStore(Path(settings.k6_script_file_folder)),
        recorder,
        warning_after=timedelta(seconds=warning),
        timeout_after=timedelta(seconds=timeout),
    )


def long_run(url: str, test_id: str) -> object:
    return make_request(
        url, scenario("long", "constant-vus", duration="60s", think_time=0.05), test_id=test_id
    )


async def wait_for_requests(echo: EchoServer) -> None:
    for _ in range(200):
        if echo.requests:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("k6 sent nothing")


async def test_success_publishes_started_then_one_finished(
    settings: Settings, echo: EchoServer
) -> None:
    recorder = Recorder()
    runs = lifecycle(settings, recorder)
    test_id = str(uuid.uuid4())
    request = make_request(echo.url, scenario("a"), test_id=test_id)
    await runs.run(request)
    await runs.run(request)  # a redelivery changes nothing
    await runs.wait_finished(test_id)

    started = recorder.of(TestStartedEvent)
    assert len(started) == 1
    assert isinstance(started[0], TestStartedEvent)
    assert started[0].payload.executor == "local"
    assert started[0].payload.script is not None
    assert "export const options" in started[0].payload.script
    assert started[0].payload.metrics_mode is MetricsMode.FAST  # the request's default
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.SUCCEEDED
    assert finished.payload.metrics_mode is MetricsMode.FAST
    assert finished.correlation_id == test_id
    assert len(echo.requests) == 1


async def test_cancel_mid_run(settings: Settings, echo: EchoServer) -> None:
    recorder = Recorder()
    runs = lifecycle(settings, recorder)
    test_id = str(uuid.uuid4())
    await runs.run(long_run(echo.url, test_id))  # type: ignore[arg-type]
    await wait_for_requests(echo)
    assert await runs.cancel(test_id, "사용자가 취소함")
    await runs.wait_finished(test_id)
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.CANCELLED
    assert finished.payload.reason == "사용자가 취소함"
    assert not await LocalExecutor(settings).is_running(test_id)
    assert not await runs.cancel(test_id, "again")  # already finished


async def test_k6_missing_fails_with_reason(settings: Settings, echo: EchoServer) -> None:
    recorder = Recorder()
    broken = settings.model_copy(update={"k6_binary": "/nonexistent/k6"})
    runs = lifecycle(broken, recorder)
    test_id = str(uuid.uuid4())
    await runs.run(make_request(echo.url, scenario("a"), test_id=test_id))
    assert recorder.of(TestStartedEvent) == []
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.FAILED
    assert finished.payload.reason is not None
    assert "/nonexistent/k6" in finished.payload.reason


async def test_warning_then_timeout(settings: Settings, echo: EchoServer) -> None:
    recorder = Recorder()
    runs = lifecycle(settings, recorder, warning=0.5, timeout=1.5)
    test_id = str(uuid.uuid4())
    await runs.run(long_run(echo.url, test_id))  # type: ignore[arg-type]
    await runs.wait_finished(test_id)
    warnings = recorder.of(TestWarningEvent)
    assert len(warnings) == 1
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.TIMED_OUT
    assert recorder.events.index(warnings[0]) < recorder.events.index(finished)


async def test_restart_follows_running_and_finishes_ended_runs(
    settings: Settings, echo: EchoServer
) -> None:
    first = Recorder()
    runs = lifecycle(settings, first)
    still_running, ends_while_down = str(uuid.uuid4()), str(uuid.uuid4())
    await runs.run(long_run(echo.url, still_running))  # type: ignore[arg-type]
    short = scenario("short", "constant-vus", duration="1s")
    await runs.run(make_request(echo.url, short, test_id=ends_while_down, metrics_mode="precise"))
    await runs.close()  # the runner goes away; k6 processes do not
    executor = LocalExecutor(settings)
    while await executor.is_running(ends_while_down):  # noqa: ASYNC110 - another process
        await asyncio.sleep(0.05)
    assert await executor.is_running(still_running)
    assert first.of(TestFinishedEvent) == []

    second = Recorder()
    restarted = lifecycle(settings, second)
    await restarted.reconcile()
    await restarted.wait_finished(ends_while_down)
    assert restarted.running() == [still_running]
    await restarted.cancel(still_running, "stop")
    await restarted.wait_finished(still_running)
    statuses = {
        e.payload.test_id: e.payload.status
        for e in second.of(TestFinishedEvent)
        if isinstance(e, TestFinishedEvent)
    }
    assert statuses == {ends_while_down: RunStatus.SUCCEEDED, still_running: RunStatus.CANCELLED}
    # The restarted runner tells each test's metrics mode from what it recorded at the start.
    modes = {
        e.payload.test_id: e.payload.metrics_mode
        for e in second.of(TestFinishedEvent)
        if isinstance(e, TestFinishedEvent)
    }
    assert modes == {ends_while_down: MetricsMode.PRECISE, still_running: MetricsMode.FAST}
    await restarted.reconcile()  # nothing left to do: no second finished event
    assert len(second.of(TestFinishedEvent)) == 2


async def test_cancel_before_the_run_request_ends_it_cancelled(
    settings: Settings, echo: EchoServer
) -> None:
    recorder = Recorder()
    runs = lifecycle(settings, recorder)
    test_id = str(uuid.uuid4())
    assert not await runs.cancel(test_id, "changed my mind")
    await runs.run(make_request(echo.url, scenario("a"), test_id=test_id))
    assert recorder.of(TestStartedEvent) == []
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.CANCELLED
    assert finished.payload.reason == "changed my mind"
    assert echo.requests == []


async def test_unwritable_state_folder_fails_the_test_with_reason(
    settings: Settings, echo: EchoServer, tmp_path: Path
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    recorder = Recorder()
    runs = lifecycle(settings.model_copy(update={"k6_script_file_folder": blocker}), recorder)
    test_id = str(uuid.uuid4())
    await runs.run(make_request(echo.url, scenario("a"), test_id=test_id))
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.FAILED
    assert finished.payload.reason is not None
    assert "state folder" in finished.payload.reason


async def test_an_expired_run_request_is_not_started(settings: Settings, echo: EchoServer) -> None:
    recorder = Recorder()
    runs = lifecycle(settings, recorder, timeout=60)
    test_id = str(uuid.uuid4())
    old = datetime.now(UTC) - timedelta(minutes=5)
    await runs.run(make_request(echo.url, scenario("a"), test_id=test_id), requested_at=old)
    assert recorder.of(TestStartedEvent) == []
    finished = recorder.finished()
    assert finished.payload.status is RunStatus.FAILED
    assert finished.payload.reason is not None
    assert "expired" in finished.payload.reason
    assert echo.requests == []


async def test_a_finished_event_the_bus_refused_is_published_again(
    settings: Settings, echo: EchoServer
) -> None:
    """NATS away when k6 ends: the follow task retries instead of dying with the event."""
    recorder = Recorder()
    refusals = 2

    async def publish(subject: Subject, message: Envelope) -> None:
        nonlocal refusals
        if isinstance(message, TestFinishedEvent) and refusals:
            refusals -= 1
            raise ConnectionError("nats: no servers available")
        await recorder(subject, message)

    store = RunStore(Path(settings.k6_script_file_folder))
    runs = Lifecycle(
        LocalExecutor(settings),
        store,
        publish,
        warning_after=timedelta(hours=1),
        timeout_after=timedelta(hours=2),
        publish_retry_max=0.2,
    )
    test_id = str(uuid.uuid4())
    await runs.run(make_request(echo.url, scenario("a"), test_id=test_id))
    await asyncio.wait_for(runs.wait_finished(test_id), 60)

    assert refusals == 0
    assert recorder.finished().payload.status is RunStatus.SUCCEEDED
    assert store.finished(test_id)
