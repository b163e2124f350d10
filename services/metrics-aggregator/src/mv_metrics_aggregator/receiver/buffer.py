"""A bounded in-memory buffer of line-protocol points in front of InfluxDB.

Points are written in batches by one task; while InfluxDB is away the batch stays at the head
of the buffer and is retried with a capped back-off, so an outage shorter than
``max_points / points per second`` loses nothing. Past the bound the *oldest* points are dropped
and counted (``dropped``). The buffer lives in the receiver's memory: a receiver that stops loses
what it holds. It is ``RECEIVER_BUFFER=memory``; the default is the durable path of
:mod:`.journal` and :mod:`.writer` (see the README, "Metrics path").
"""

from __future__ import annotations

import asyncio
from collections import deque
from dataclasses import dataclass

import structlog

from mv_metrics_aggregator.influx import InfluxClient, InfluxError, InfluxQueryError

log = structlog.get_logger()


@dataclass(slots=True)
class BufferStats:
    buffered: int = 0
    written: int = 0
    dropped: int = 0
    failed_writes: int = 0


class PointBuffer:
    def __init__(
        self,
        client: InfluxClient,
        *,
        max_points: int = 1_000_000,
        batch_points: int = 5_000,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
    ) -> None:
        self.client = client
        self.max_points = max_points
        self.batch_points = batch_points
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.stats = BufferStats()
        self._points: deque[str] = deque()
        self._ready = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._task: asyncio.Task[None] | None = None

    def add(self, lines: list[str]) -> None:
        if not lines:
            return
        self._points.extend(lines)
        self._trim()
        self._idle.clear()
        self._ready.set()

    def _trim(self) -> None:
        excess = len(self._points) - self.max_points
        if excess > 0:
            for _ in range(excess):
                self._points.popleft()
            self.stats.dropped += excess
            log.warning("receiver buffer full, oldest points dropped", dropped=excess)
        self.stats.buffered = len(self._points)

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="receiver-writer")

    async def flush(self, within: float) -> bool:
        """Wait until every buffered point is written; False if that took past ``within`` s."""
        try:
            await asyncio.wait_for(self._idle.wait(), within)
        except TimeoutError:
            return False
        return True

    async def stop(self, within: float = 10.0) -> None:
        await self.flush(within)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        delay = self.backoff
        while True:
            if not self._points:
                self._idle.set()
                self._ready.clear()
                await self._ready.wait()
                continue
            size = min(self.batch_points, len(self._points))
            batch = [self._points.popleft() for _ in range(size)]
            try:
                await self.client.write("\n".join(batch), precision="ms")
            except InfluxQueryError as error:
                # Points InfluxDB refuses (4xx) would be refused forever: drop them, go on.
                self.stats.dropped += len(batch)
                log.error("influxdb refused points, dropped", error=str(error))
            except InfluxError as error:
                self._points.extendleft(reversed(batch))
                self._trim()
                self.stats.failed_writes += 1
                log.warning("influxdb unavailable, points kept", error=str(error), retry_in=delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.max_backoff)
            else:
                delay = self.backoff
                self.stats.written += len(batch)
                self.stats.buffered = len(self._points)
