"""Wiring between the contracts' subjects and FastStream's NATS broker.

A service calls :func:`subscribe` with a subject from ``mv_contracts.subjects`` and publishes
through :class:`Bus`, so every subject name, stream and durable comes from one place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from nats.js.api import RetentionPolicy, StorageType

from mv_contracts import Envelope
from mv_contracts.subjects import (
    DUPLICATE_WINDOW,
    STREAM_MAX_AGE,
    STREAM_NAME,
    STREAM_SUBJECTS,
    Subject,
    durable_name,
)

from .logging import app_logger

# Redelivery: a message not acked within ACK_WAIT goes out again, at most MAX_DELIVER times,
# so a poison message cannot loop forever.
ACK_WAIT_SECONDS = 30.0
MAX_DELIVER = 10


def stream() -> JStream:
    return JStream(
        name=STREAM_NAME,
        subjects=list(STREAM_SUBJECTS),
        retention=RetentionPolicy.LIMITS,
        storage=StorageType.FILE,
        max_age=STREAM_MAX_AGE.total_seconds(),
        duplicate_window=DUPLICATE_WINDOW.total_seconds(),
        declare=True,
    )


def make_broker(url: str, **options: Any) -> NatsBroker:
    """A broker that reconnects for ever: a service outlives a NATS restart."""
    options.setdefault("logger", app_logger())
    return NatsBroker(url, max_reconnect_attempts=-1, reconnect_time_wait=1, **options)


def subscribe(
    broker: NatsBroker,
    service: str,
    subject: Subject,
    *,
    ack_wait: float = ACK_WAIT_SECONDS,
    max_deliver: int = MAX_DELIVER,
) -> Callable[[Callable[..., Any]], Any]:
    """Decorator registering a handler on ``subject`` for ``service``.

    JetStream subjects get a durable pull consumer (shared by the service's replicas) with
    explicit acks: the message is acked when the handler returns and nacked for redelivery
    when it raises. Core subjects get a plain subscription.
    """
    if subject.transport == "core":
        return broker.subscriber(
            subject.name, title=f"{service}:{subject.name}", description=subject.description
        )
    return broker.subscriber(
        subject.name,
        stream=stream(),
        durable=durable_name(service, subject),
        # batch_size=1: nats-py's multi-message fetch can time out with asyncio.TimeoutError, which
        # FastStream's pull loop does not suppress (it expects nats.errors.TimeoutError) and logs
        # as a crashed task. Our volumes are commands and events, one fetch each is plenty.
        pull_sub=PullSub(batch_size=1, timeout=5.0),
        config=ConsumerConfig(ack_wait=ack_wait, max_deliver=max_deliver),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{service}:{subject.name}",
        description=subject.description,
    )


class Bus:
    """Publishes envelopes on their subjects, checking the pair matches the contract."""

    def __init__(self, broker: NatsBroker) -> None:
        self._broker = broker

    async def publish(self, subject: Subject, message: Envelope, *, test_id: str = "") -> None:
        if not isinstance(message, subject.message):
            raise TypeError(f"{subject.name} carries {subject.message.__name__}, not {message!r}")
        name = subject.for_test(test_id) if test_id else subject.name
        payload = message.model_dump(mode="json")
        if subject.transport == "core":
            await self._broker.publish(payload, name, correlation_id=message.correlation_id)
            return
        # Nats-Msg-Id makes a re-published envelope a no-op inside the duplicate window.
        await self._broker.publish(
            payload,
            name,
            headers={"Nats-Msg-Id": str(message.id)},
            correlation_id=message.correlation_id,
            stream=STREAM_NAME,
        )
