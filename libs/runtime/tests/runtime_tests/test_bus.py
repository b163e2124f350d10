"""The bus against a real NATS server with JetStream: round trip, de-duplication, redelivery."""

from __future__ import annotations

import asyncio
import sys
import textwrap
import uuid
from datetime import UTC, datetime
from typing import Any, cast
from uuid import uuid4

import nats.errors
import pytest
from faststream.nats import NatsBroker, TestNatsBroker

from mv_contracts.metrics import LiveFigures, LiveSnapshot, LiveSnapshotEvent
from mv_contracts.runs import TestCancel, TestCancelRequested
from mv_contracts.subjects import CANCEL_TEST, LIVE_METRICS, RUN_TEST
from mv_devstack.config import StackConfig
from mv_runtime.bus import Bus, make_broker, subscribe


def _cancel(correlation: str) -> TestCancelRequested:
    return TestCancelRequested(
        correlation_id=correlation, payload=TestCancel(test_id=correlation, reason="취소")
    )


async def test_round_trip_keeps_the_envelope(stack: StackConfig) -> None:
    correlation = uuid4().hex
    sent = _cancel(correlation)
    received: asyncio.Future[TestCancelRequested] = asyncio.get_running_loop().create_future()
    broker = make_broker(stack.nats_url)

    @subscribe(broker, f"test-{correlation[:8]}", CANCEL_TEST)
    async def handle(message: TestCancelRequested) -> None:
        if message.correlation_id == correlation and not received.done():
            received.set_result(message)

    async with broker:
        await broker.start()
        await Bus(broker).publish(CANCEL_TEST, sent)
        got = await asyncio.wait_for(received, 15)
    assert got == sent
    assert got.payload.reason == "취소"


def _collecting(url: str, correlation: str) -> tuple[NatsBroker, list[TestCancelRequested]]:
    """A broker whose durable consumer keeps every cancel of this correlation, in order."""
    seen: list[TestCancelRequested] = []
    broker = make_broker(url)

    @subscribe(broker, f"test-{correlation[:8]}", CANCEL_TEST)
    async def handle(message: TestCancelRequested) -> None:
        if message.correlation_id == correlation:
            seen.append(message)

    return broker, seen


async def _delivered_before_a_marker(
    seen: list[TestCancelRequested], bus: Bus, correlation: str
) -> list[uuid.UUID]:
    """Publish a distinct marker and wait for it: what was delivered before it is all there is."""
    marker = _cancel(correlation)
    await bus.publish(CANCEL_TEST, marker)
    for _ in range(150):
        if any(m.id == marker.id for m in seen):
            break
        await asyncio.sleep(0.1)
    return [m.id for m in seen if m.id != marker.id]


async def test_the_same_envelope_published_twice_is_delivered_once(stack: StackConfig) -> None:
    correlation = uuid4().hex
    sent = _cancel(correlation)
    broker, seen = _collecting(stack.nats_url, correlation)
    async with broker:
        await broker.start()
        bus = Bus(broker)
        await bus.publish(CANCEL_TEST, sent)
        await bus.publish(CANCEL_TEST, sent)  # a publisher retrying after a lost ack
        assert await _delivered_before_a_marker(seen, bus, correlation) == [sent.id]


class _AckLost:
    """The real broker, except that its first ``failures`` JetStream publishes lose their
    acknowledgement after the server has the message. A real server cannot be made to drop one
    ack on demand, so that part is injected; the storing and de-duplication are NATS's own."""

    def __init__(self, broker: NatsBroker, failures: int) -> None:
        self._broker = broker
        self.failures = failures
        self.calls = 0

    async def publish(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        result = await self._broker.publish(*args, **kwargs)
        if self.calls <= self.failures:
            raise nats.errors.TimeoutError
        return result


async def test_a_lost_acknowledgement_is_retried_and_delivered_once(stack: StackConfig) -> None:
    correlation = uuid4().hex
    sent = _cancel(correlation)
    broker, seen = _collecting(stack.nats_url, correlation)
    async with broker:
        await broker.start()
        flaky = _AckLost(broker, failures=2)
        await Bus(cast(NatsBroker, flaky)).publish(CANCEL_TEST, sent)
        assert flaky.calls == 3
        assert await _delivered_before_a_marker(seen, Bus(broker), correlation) == [sent.id]

        always = _AckLost(broker, failures=100)
        with pytest.raises(nats.errors.TimeoutError):
            await Bus(cast(NatsBroker, always), attempts=3).publish(
                CANCEL_TEST, _cancel(correlation)
            )
        assert always.calls == 3


_DYING_CONSUMER = textwrap.dedent(
    """
    import asyncio, sys
    from mv_contracts.runs import TestCancelRequested
    from mv_contracts.subjects import CANCEL_TEST
    from mv_runtime.bus import make_broker, subscribe

    url, service, correlation = sys.argv[1:4]

    async def main() -> None:
        broker = make_broker(url)

        @subscribe(broker, service, CANCEL_TEST, ack_wait=2)
        async def handle(message: TestCancelRequested) -> None:
            if message.correlation_id == correlation:
                print("received", message.id, flush=True)
                await asyncio.sleep(3600)  # killed here, before any ack

        await broker.start()
        print("ready", flush=True)
        await asyncio.sleep(3600)

    asyncio.run(main())
    """
)


async def test_a_message_is_redelivered_after_its_consumer_dies_without_ack(
    stack: StackConfig,
) -> None:
    correlation = uuid4().hex
    service = f"test-{correlation[:8]}"
    sent = _cancel(correlation)
    dying = await asyncio.create_subprocess_exec(
        sys.executable, "-c", _DYING_CONSUMER, stack.nats_url, service, correlation,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert dying.stdout is not None
    stdout = dying.stdout

    async def next_line(prefix: str) -> list[str]:
        while True:  # FastStream's own log lines share stdout
            line = (await asyncio.wait_for(stdout.readline(), 30)).decode()
            if not line or line.startswith(prefix):
                return line.split()

    try:
        assert await next_line("ready") == ["ready"]
        publisher = NatsBroker(stack.nats_url)
        async with publisher:
            await publisher.connect()
            await Bus(publisher).publish(CANCEL_TEST, sent)
        assert await next_line("received") == ["received", str(sent.id)]
    finally:
        dying.kill()  # SIGKILL: the consumer dies and JetStream never sees an ack
        await dying.wait()

    redelivered: asyncio.Future[TestCancelRequested] = asyncio.get_running_loop().create_future()
    broker = make_broker(stack.nats_url)

    @subscribe(broker, service, CANCEL_TEST, ack_wait=2)
    async def handle(message: TestCancelRequested) -> None:
        if message.correlation_id == correlation and not redelivered.done():
            redelivered.set_result(message)

    async with broker:
        await broker.start()
        got = await asyncio.wait_for(redelivered, 30)
    assert got == sent


async def test_bus_refuses_a_message_on_the_wrong_subject() -> None:
    broker = NatsBroker()
    async with TestNatsBroker(broker):
        with pytest.raises(TypeError, match=r"mv\.cmd\.test\.run carries TestRunRequested"):
            await Bus(broker).publish(RUN_TEST, _cancel("x"))


async def test_core_subjects_go_to_the_per_test_subject() -> None:
    broker = NatsBroker()
    seen: list[dict[str, object]] = []
    snapshot = LiveSnapshotEvent(
        correlation_id="t-1",
        payload=LiveSnapshot(
            test_id="t-1",
            at=datetime.now(UTC),
            window_seconds=5,
            overall=LiveFigures(tps=1, requests_total=5, failed_total=0, error_rate=0),
        ),
    )

    @broker.subscriber("mv.live.metrics.t-1")
    async def handle(message: dict[str, object]) -> None:
        seen.append(message)

    async with TestNatsBroker(broker):
        await Bus(broker).publish(LIVE_METRICS, snapshot, test_id="t-1")
    assert [LiveSnapshotEvent.model_validate(m) for m in seen] == [snapshot]


async def test_max_workers_handles_messages_side_by_side(stack: StackConfig) -> None:
    """A handler that waits holds up no other message when the subscriber has workers."""
    correlation = uuid4().hex
    broker = make_broker(stack.nats_url)
    running, most = 0, 0
    done: list[str] = []
    all_done = asyncio.Event()

    @subscribe(broker, f"test-{correlation[:8]}", CANCEL_TEST, max_workers=3)
    async def handle(message: TestCancelRequested) -> None:
        nonlocal running, most
        if message.correlation_id != correlation:
            return
        running += 1
        most = max(most, running)
        await asyncio.sleep(1)
        running -= 1
        done.append(str(message.id))
        if len(done) == 3:
            all_done.set()

    async with broker:
        await broker.start()
        bus = Bus(broker)
        for _ in range(3):
            await bus.publish(CANCEL_TEST, _cancel(correlation))
        await asyncio.wait_for(all_done.wait(), 15)
    assert len(done) == 3
    assert most == 3
