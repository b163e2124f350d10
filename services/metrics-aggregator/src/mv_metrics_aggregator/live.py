"""Live snapshots: one loop per running test, each on its own cadence, until its end: every
second in the fast metrics mode (one compact point a second per series), every
``LIVE_INTERVAL`` in the precise mode (a query over every raw sample of the window)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import structlog

from mv_contracts.metrics import LiveSnapshot
from mv_contracts.runs import MetricsMode

from .aggregate import SETTLE, LiveRead, LiveTotals
from .influx import InfluxClient, InfluxError
from .modes import MetricsPath
from .precise import PRECISE

log = structlog.get_logger()

Publish = Callable[[LiveSnapshot], Awaitable[None]]
FINISHED_KEPT = 10_000


@dataclass(slots=True)
class RunningTest:
    test_id: str
    started_at: datetime
    executor: str
    labels: dict[str, str] = field(default_factory=dict)
    """k6 scenario tag → the scenario's name as the user wrote it."""
    task: asyncio.Task[None] | None = None
    totals: LiveTotals | None = None
    path: MetricsPath = PRECISE
    """Where the test's metrics are: every sample, or the receiver's compact points."""
    interval: float = 5.0
    lag: float = 1.0


class LiveTracker:
    """Starts a loop per test on its started event and stops it on its finished event."""

    def __init__(
        self,
        client: InfluxClient,
        publish: Publish,
        *,
        interval: float,
        lag: float = 1.0,
        fast_interval: float | None = None,
        fast_lag: float | None = None,
        max_seconds: float = 48 * 3600,
        settle: timedelta = SETTLE,
    ) -> None:
        self._client = client
        self._publish = publish
        # A test in the fast mode has its own cadence (k6 pushes every second); by default the same.
        self.cadence = {
            MetricsMode.PRECISE: (interval, lag),
            MetricsMode.FAST: (
                interval if fast_interval is None else fast_interval,
                lag if fast_lag is None else fast_lag,
            ),
        }
        self.max_seconds = max_seconds
        self.settle = settle
        self._running: dict[str, RunningTest] = {}
        # Tests already finished here, so a late or redelivered started event starts nothing.
        self._finished: dict[str, None] = {}

    def running(self, test_id: str) -> RunningTest | None:
        return self._running.get(test_id)

    def start(
        self,
        test_id: str,
        started_at: datetime,
        executor: str,
        labels: dict[str, str] | None = None,
        *,
        path: MetricsPath = PRECISE,
    ) -> bool:
        """Start the loop; False (a no-op) for a redelivered or late started event."""
        if test_id in self._running or test_id in self._finished:
            return False
        test = RunningTest(test_id, started_at, executor, dict(labels or {}), path=path)
        test.interval, test.lag = self.cadence[path.mode]
        test.task = asyncio.create_task(self._loop(test), name=f"live:{test_id}")
        self._running[test_id] = test
        return True

    async def stop(self, test_id: str) -> RunningTest | None:
        self._finished[test_id] = None
        while len(self._finished) > FINISHED_KEPT:
            del self._finished[next(iter(self._finished))]
        test = self._running.pop(test_id, None)
        if test and test.task:
            test.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await test.task
        return test

    async def stop_all(self) -> None:
        for test_id in list(self._running):
            await self.stop(test_id)

    async def _loop(self, test: RunningTest) -> None:
        loop = asyncio.get_running_loop()
        tick = loop.time()
        deadline = tick + self.max_seconds
        window = timedelta(seconds=test.interval)
        test.totals = LiveTotals(round(test.started_at.timestamp() * 1e6) * 1000)
        while True:
            tick += test.interval
            await asyncio.sleep(max(0.0, tick - loop.time()))
            if loop.time() > deadline:
                log.warning("live loop without a finished event, stopping", test_id=test.test_id)
                self._running.pop(test.test_id, None)
                return
            now = datetime.now(UTC) - timedelta(seconds=test.lag)
            try:
                read = LiveRead(
                    test.test_id,
                    test.started_at,
                    now,
                    window,
                    test.totals,
                    self.settle,
                    test.labels,
                )
                snapshot = await test.path.live_snapshot(self._client, read)
                await self._publish(snapshot)
            except (InfluxError, ConnectionError, TimeoutError) as error:
                log.warning("live snapshot skipped", test_id=test.test_id, error=str(error))
