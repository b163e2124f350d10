"""The one consumer of the points stream: batches of pushes into InfluxDB, acked once written.

A durable pull consumer with explicit acks. A batch is written in one request and its messages
acked only after InfluxDB took it; while InfluxDB is away the batch is retried with a capped
back-off (the messages kept ours with ``in_progress``) and everything after it waits on the
stream, so an outage costs time, not points (up to the stream's limits). Writing a point twice
is harmless: InfluxDB keeps one point per series and timestamp, so redelivery after a crash
between the write and the ack changes nothing. Points InfluxDB refuses (4xx) would be refused
for ever: they are acked, counted and logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from dataclasses import dataclass

import nats.errors
import structlog
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception_type, wait_exponential

from mv_contracts.subjects import POINTS_STREAM_NAME, POINTS_SUBJECT
from mv_metrics_aggregator.influx import InfluxClient, InfluxQueryError, InfluxUnavailable

log = structlog.get_logger()

DURABLE = "metrics-receiver--points"
# What a fetch or an ack raises while NATS is away (nats-py's multi-message fetch can raise
# asyncio.TimeoutError rather than its own).
NATS_AWAY = (nats.errors.Error, asyncio.TimeoutError)


@dataclass(slots=True)
class WriterStats:
    written: int = 0  # points InfluxDB took
    written_pushes: int = 0  # messages done with (written, or refused by InfluxDB) and acked
    dropped: int = 0  # points InfluxDB refused
    failed_writes: int = 0


class StreamWriter:
    def __init__(
        self,
        client: InfluxClient,
        *,
        batch_pushes: int = 500,
        ack_wait: float = 30.0,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
    ) -> None:
        self.client = client
        self.batch_pushes = batch_pushes
        self.ack_wait = ack_wait
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stats = WriterStats()
        self._subscription: JetStreamContext.PullSubscription | None = None
        self._in_hand: list[Msg] = []

    async def subscribe(self, js: JetStreamContext) -> None:
        self._subscription = await js.pull_subscribe(
            POINTS_SUBJECT,
            durable=DURABLE,
            stream=POINTS_STREAM_NAME,
            config=ConsumerConfig(
                ack_policy=AckPolicy.EXPLICIT,
                deliver_policy=DeliverPolicy.ALL,
                ack_wait=self.ack_wait,
                max_deliver=-1,  # never give a push up: InfluxDB comes back
                max_ack_pending=self.batch_pushes * 2,
            ),
        )

    async def pending(self) -> int:
        """Pushes on the stream not yet written (delivered or not)."""
        if self._subscription is None:
            return 0
        info = await self._subscription.consumer_info()
        return int(info.num_pending or 0) + int(info.num_ack_pending or 0)

    async def run(self) -> None:
        assert self._subscription is not None, "subscribe first"
        while True:
            try:
                messages = await self._subscription.fetch(self.batch_pushes, timeout=1.0)
            except TimeoutError:  # nats-py's own is one too
                continue  # nothing to write, or NATS away (nats-py reconnects)
            except nats.errors.Error as error:  # e.g. the consumer was deleted: say so, slowly
                log.warning("fetching pushes failed, retrying", error=repr(error))
                await asyncio.sleep(1)
                continue
            self._in_hand = messages
            await self._write(messages)
            self._in_hand = []

    async def release(self) -> None:
        """Give the batch in hand back (after ``run`` was cancelled): the next receiver gets it
        at once instead of after the ack wait."""
        for message in self._in_hand:
            with contextlib.suppress(*NATS_AWAY):
                await message.nak()
        self._in_hand = []

    async def _write(self, messages: list[Msg]) -> None:
        parts = [m.data.partition(b"\n")[2] for m in messages]
        body = b"\n".join(p for p in parts if p)
        points = body.count(b"\n") + 1 if body else 0
        if body:
            try:
                await self._write_retrying(body, messages)
            except InfluxQueryError as error:
                self.stats.dropped += points
                log.error("influxdb refused points, dropped", error=str(error), points=points)
            else:
                self.stats.written += points
        for message in messages:
            # An ack lost with NATS means a redelivery and an idempotent rewrite, no more.
            with contextlib.suppress(*NATS_AWAY):
                await message.ack()
        self.stats.written_pushes += len(messages)

    async def _write_retrying(self, body: bytes, messages: list[Msg]) -> None:
        lines = body.decode()
        try:
            await self.client.write(lines, precision="ms")
            return
        except InfluxUnavailable:
            # tenacity only once a write failed: building it costs ~50 µs a batch.
            self.stats.failed_writes += 1
            await asyncio.sleep(self.backoff)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(InfluxUnavailable),
            wait=wait_exponential(multiplier=self.backoff, max=self.max_backoff),
            before_sleep=functools.partial(self._failed, messages=messages),
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                await self.client.write(lines, precision="ms")

    async def _failed(self, state: RetryCallState, messages: list[Msg]) -> None:
        self.stats.failed_writes += 1
        error = state.outcome.exception() if state.outcome else None
        log.warning("influxdb unavailable, pushes kept on the stream", error=str(error))
        # Reset the messages' ack timers so JetStream does not hand them out again meanwhile.
        for message in messages:
            with contextlib.suppress(*NATS_AWAY):
                await message.in_progress()
