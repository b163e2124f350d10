"""The runner's handlers through the real NATS server: RUN_TEST in, TEST_STARTED and exactly one
TEST_FINISHED out; CANCEL_TEST stops a run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path

import nats
import pytest
from faststream.nats import NatsBroker
from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import ConsumerConfig, DeliverPolicy

from mv_contracts.lifecycle import RunStatus
from mv_contracts.runs import TestCancel, TestCancelRequested, TestRunRequest, TestRunRequested
from mv_contracts.subjects import CANCEL_TEST, RUN_TEST, STREAM_NAME, durable_name
from mv_devstack.config import StackConfig
from mv_runtime.bus import Bus
from mv_test_runner.executors.local import LocalExecutor
from mv_test_runner.handlers import register
from mv_test_runner.lifecycle import Lifecycle
from mv_test_runner.preview import preview
from mv_test_runner.settings import Settings
from mv_test_runner.state import RunStore

from .echo import EchoServer
from .requests import make_request, scenario


class OwnTestsOnly(Lifecycle):
    """The stream may hold other tests' RUN_TEST commands: this runner runs only its own.

    (A test-runner service of a running local stack may run them too: the events it publishes
    carry the same envelope ids, so JetStream stores each event once, which is what is asserted.)
    """

    prefix = ""

    async def run(self, request: TestRunRequest, requested_at: datetime | None = None) -> None:
        if request.test_id.startswith(self.prefix):
            await super().run(request, requested_at)


@pytest.fixture
async def runner(
    settings: Settings, stack: StackConfig
) -> AsyncIterator[tuple[Bus, OwnTestsOnly, str]]:
    service = f"test-runner-test-{uuid.uuid4().hex[:8]}"
    broker = NatsBroker(stack.nats_url)
    lifecycle = OwnTestsOnly(
        LocalExecutor(settings),
        RunStore(Path(settings.k6_script_file_folder)),
        Bus(broker).publish,
        warning_after=timedelta(hours=1),
        timeout_after=timedelta(hours=2),
    )
    lifecycle.prefix = service
    register(broker, lifecycle, service)
    await broker.start()
    try:
        yield Bus(broker), lifecycle, service
    finally:
        await lifecycle.close()
        await broker.stop()
        connection = await nats.connect(stack.nats_url)
        for subject in (RUN_TEST, CANCEL_TEST):
            with contextlib.suppress(Exception):
                await connection.jetstream().delete_consumer(
                    STREAM_NAME, durable_name(service, subject)
                )
        await connection.close()


async def events_of(stack: StackConfig, test_id: str) -> tuple[list[dict[str, object]], Client]:
    """Lifecycle events of ``test_id`` as JetStream stored them (duplicates already dropped)."""
    connection = await nats.connect(stack.nats_url)
    received: list[dict[str, object]] = []

    async def on_message(message: Msg) -> None:
        event = json.loads(message.data)
        if event["correlation_id"] == test_id:
            received.append(event)

    await connection.jetstream().subscribe(
        "mv.evt.test.*",
        cb=on_message,
        ordered_consumer=True,
        config=ConsumerConfig(deliver_policy=DeliverPolicy.NEW),
    )
    return received, connection


async def until(predicate: object, seconds: float = 60) -> None:
    assert callable(predicate)
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting")


async def test_run_and_cancel_through_real_nats(
    runner: tuple[Bus, OwnTestsOnly, str], echo: EchoServer, stack: StackConfig
) -> None:
    bus, lifecycle, prefix = runner
    quick, slow = f"{prefix}-quick", f"{prefix}-slow"
    received, connection = await events_of(stack, quick)
    slow_events, slow_connection = await events_of(stack, slow)
    try:
        request = make_request(echo.url, scenario("빠른"), test_id=quick)
        envelope = TestRunRequested(correlation_id=quick, payload=request)
        await bus.publish(RUN_TEST, envelope)
        await bus.publish(RUN_TEST, envelope)  # a duplicate is dropped by JetStream
        await until(lambda: any(e["type"] == "test.finished" for e in received))
        await asyncio.sleep(0.5)  # room for a (wrong) second finished event to arrive
        assert [e["type"] for e in received] == ["test.started", "test.finished"]
        assert received[1]["payload"]["status"] == RunStatus.SUCCEEDED.value  # type: ignore[index]

        long = scenario("느린", "constant-vus", duration="60s", think_time=0.05)
        await bus.publish(
            RUN_TEST,
            TestRunRequested(
                correlation_id=slow, payload=make_request(echo.url, long, test_id=slow)
            ),
        )
        await until(lambda: any(e["type"] == "test.started" for e in slow_events))
        cancel = TestCancel(test_id=slow, reason="enough")
        await bus.publish(CANCEL_TEST, TestCancelRequested(correlation_id=slow, payload=cancel))
        await until(lambda: any(e["type"] == "test.finished" for e in slow_events))
        finished = [e for e in slow_events if e["type"] == "test.finished"]
        assert finished[0]["payload"]["status"] == RunStatus.CANCELLED.value  # type: ignore[index]
        assert lifecycle.running() == []
    finally:
        await connection.close()
        await slow_connection.close()


def test_a_preview_gives_the_script_or_says_why_there_is_none() -> None:
    good = preview(make_request("http://127.0.0.1:9", scenario("목록")))
    assert good.error is None
    assert good.script is not None
    assert "목록" in good.script
    # 1e400 is infinity: the contract lets it through, JSON cannot carry it.
    answer = preview(make_request("http://127.0.0.1:9", scenario("a"), target_tps=1e400))
    assert answer.script is None
    assert answer.error is not None
    assert answer.error.startswith("the script cannot be generated")
