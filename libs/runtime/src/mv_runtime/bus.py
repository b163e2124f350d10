"""Wiring between the contracts' subjects and FastStream's NATS broker.

A service calls :func:`subscribe` with a subject from ``mv_contracts.subjects`` and publishes
through :class:`Bus`, so every subject name, stream and durable comes from one place.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from typing import Any

import nats.errors
import structlog
from faststream import AckPolicy
from faststream.nats import ConsumerConfig, JStream, NatsBroker, PullSub
from nats.js.api import RetentionPolicy, StorageType
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_attempt,
    wait_exponential_jitter,
)

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

# What a JetStream publish raises when the server is briefly away or too busy to acknowledge
# (nats-py reads an empty status reply as JSON). Re-publishing is safe: the envelope id is the
# Nats-Msg-Id, so a message that was stored after all is de-duplicated.
TRANSIENT_PUBLISH_ERRORS = (nats.errors.Error, asyncio.TimeoutError, json.JSONDecodeError)
PUBLISH_ATTEMPTS = 5

log = structlog.get_logger()


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
    """A broker that reconnects for ever: a service outlives a NATS restart.

    Each message's "Received"/"Processed" lines are debug: at info they were most of a busy
    service's log (two lines per live figure) and hid what went wrong; a handler's error is
    logged at error whatever this level.
    """
    options.setdefault("logger", app_logger())
    options.setdefault("log_level", logging.DEBUG)
    return NatsBroker(url, max_reconnect_attempts=-1, reconnect_time_wait=1, **options)


def subscribe(
    broker: NatsBroker,
    service: str,
    subject: Subject,
    *,
    ack_wait: float = ACK_WAIT_SECONDS,
    max_deliver: int = MAX_DELIVER,
    max_workers: int = 1,
) -> Callable[[Callable[..., Any]], Any]:
    """Decorator registering a handler on ``subject`` for ``service``.

    JetStream subjects get a durable pull consumer (shared by the service's replicas) with
    explicit acks: the message is acked when the handler returns and nacked for redelivery
    when it raises. Core subjects get a plain subscription. ``max_workers`` > 1 handles that
    many messages at once (for handlers that wait, so one message holds up no other).
    """
    if subject.transport == "core":
        return broker.subscriber(
            subject.name,
            # A request is answered by one replica of the service, not by each.
            queue=service if subject.reply is not None else "",
            title=f"{service}:{subject.name}",
            description=subject.description,
        )
    return broker.subscriber(
        subject.name,
        stream=stream(),
        durable=durable_name(service, subject),
        # batch_size=1: nats-py's multi-message fetch can time out with asyncio.TimeoutError, which
        # FastStream's pull loop does not suppress (it expects nats.errors.TimeoutError) and logs
        # as a crashed task. Our volumes are commands and events, one fetch each is plenty.
        pull_sub=PullSub(batch_size=1, timeout=5.0),
        max_workers=max_workers,
        config=ConsumerConfig(ack_wait=ack_wait, max_deliver=max_deliver),
        ack_policy=AckPolicy.NACK_ON_ERROR,
        title=f"{service}:{subject.name}",
        description=subject.description,
    )


class Bus:
    """Publishes envelopes on their subjects, checking the pair matches the contract."""

    def __init__(self, broker: NatsBroker, *, attempts: int = PUBLISH_ATTEMPTS) -> None:
        self._broker = broker
        self._attempts = attempts

    async def publish(self, subject: Subject, message: Envelope, *, test_id: str = "") -> None:
        if not isinstance(message, subject.message):
            raise TypeError(f"{subject.name} carries {subject.message.__name__}, not {message!r}")
        name = subject.for_test(test_id) if test_id else subject.name
        payload = message.model_dump(mode="json")
        if subject.transport == "core":
            await self._broker.publish(payload, name, correlation_id=message.correlation_id)
            return
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(TRANSIENT_PUBLISH_ERRORS),
            stop=stop_after_attempt(self._attempts),
            wait=wait_exponential_jitter(multiplier=0.2, max=2.0),
            before_sleep=_log_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                # Nats-Msg-Id makes a re-published envelope a no-op inside the duplicate window.
                await self._broker.publish(
                    payload,
                    name,
                    headers={"Nats-Msg-Id": str(message.id)},
                    correlation_id=message.correlation_id,
                    stream=STREAM_NAME,
                )

    async def request(self, subject: Subject, message: Envelope, *, seconds: float = 10.0) -> Any:
        """Ask over core NATS and return the consumer's answer as ``subject.reply``."""
        if subject.transport != "core" or subject.reply is None:
            raise TypeError(f"{subject.name} is not a request/reply subject")
        if not isinstance(message, subject.message):
            raise TypeError(f"{subject.name} carries {subject.message.__name__}, not {message!r}")
        response = await self._broker.request(
            message.model_dump(mode="json"),
            subject.name,
            timeout=seconds,
            correlation_id=message.correlation_id,
        )
        return subject.reply.model_validate_json(response.body)


def _log_retry(state: RetryCallState) -> None:
    error = state.outcome.exception() if state.outcome else None
    log.warning(
        "publish not acknowledged, retrying", attempt=state.attempt_number, error=repr(error)
    )
