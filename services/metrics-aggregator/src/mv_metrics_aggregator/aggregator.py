"""The aggregator: a test's live loop from its start, its one summary after its finish.

Plain methods, no FastStream in sight; :mod:`.handlers` calls them from the bus.

Exactly one summary per test: the summary envelope's id -- which ``Bus.publish`` sends as
JetStream's ``Nats-Msg-Id`` -- is a uuid5 of the test id, the same on every attempt. A redelivered
finished event (or a second replica) therefore publishes an envelope that JetStream drops
inside its duplicate window, and that the gateway's ``apply_once`` ignores after it.

A summary is never abandoned. When the finished event carries k6's own count, the aggregator
waits (SUMMARY_COUNT_WAIT) for InfluxDB to hold that many requests and marks a shortfall left
then (``complete=False``, see :mod:`.completeness`). While InfluxDB cannot be read, attempts back
off exponentially for SUMMARY_RETRY_SECONDS after the finish; then a failed summary says why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import structlog
from faststream.nats import NatsBroker
from nats.js.kv import KeyValue
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    wait_exponential_jitter,
)

from mv_contracts.envelope import derived_id
from mv_contracts.lifecycle import TestFinished, TestStarted
from mv_contracts.metrics import (
    LiveSnapshot,
    LiveSnapshotEvent,
    TestSummary,
    TestSummaryEvent,
)
from mv_contracts.subjects import LIVE_METRICS, TEST_SUMMARY
from mv_runtime.bus import Bus

from . import completeness
from . import definitions as q
from .aggregate import OVERALL, empty_summary
from .influx import InfluxClient, InfluxError
from .live import LiveTracker, RunningTest
from .modes import MetricsPath, path_of
from .running import BUCKET, RunningTestsBucket
from .settings import Settings

# What "InfluxDB cannot be read just now" looks like; anything else is a bug and is raised.
UNREADABLE = (InfluxError, ConnectionError, TimeoutError)
# Seconds before the second count of a finished test's requests (doubling after each).
FIRST_COUNT_POLL = 0.05

log = structlog.get_logger()


def summary_id(test_id: str, redo: UUID | None = None) -> UUID:
    """The one envelope id of a test's summary, or of the one a summarise command ``redo``
    asked for (new, so that JetStream and the gateway take it as the newer summary)."""
    return derived_id("metrics.summary", test_id, *([str(redo)] if redo else []))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class Aggregator:
    """What the handlers call: plain methods, no FastStream in sight."""

    def __init__(
        self,
        settings: Settings,
        client: InfluxClient,
        bus: Bus,
        running_tests: RunningTestsBucket | None = None,
    ) -> None:
        self.settings = settings
        self.client = client
        self.bus = bus
        self.running_tests = running_tests
        self.live = LiveTracker(
            client,
            self.publish_live,
            interval=settings.live_interval,
            lag=settings.live_lag,
            fast_interval=settings.live_interval_fast,
            fast_lag=settings.live_lag_fast,
            max_seconds=settings.live_max_hours * 3600,
            settle=timedelta(seconds=settings.live_settle),
        )

    async def close(self) -> None:
        await self.live.stop_all()
        await self.client.aclose()

    async def started(self, event: TestStarted) -> None:
        if self.running_tests is not None and not await self.running_tests.remember(event):
            return  # redelivered, or late after its finished event
        self._start_live(event)

    def _start_live(self, event: TestStarted) -> None:
        margin = timedelta(seconds=self.settings.window_margin)
        started_at = event.started_at - margin
        if self.live.start(
            event.test_id,
            started_at,
            event.executor,
            event.scenario_names,
            path=path_of(event.metrics_mode),
        ):
            log.info("live metrics started", test_id=event.test_id)

    async def resume(self) -> None:
        """After a restart: the live loops of the tests still running."""
        if self.running_tests is None:
            return
        for event in await self.running_tests.running():
            log.info("resuming live metrics", test_id=event.test_id)
            self._start_live(event)

    def delay(self, event: TestFinished, running: RunningTest | None, now: datetime) -> float:
        """Seconds still to wait: counted from the finish, so a redelivery waits less."""
        # The live loop knows the executor; a replica that never saw TEST_STARTED reads the event.
        executor = running.executor if running else event.executor
        wait = self.settings.scheduler_metrics_delay
        if executor == "local":
            wait = min(wait, self.settings.local_metrics_delay)
        elapsed = (now - event.finished_at).total_seconds()
        return max(0.0, wait - elapsed)

    async def finished(self, event: TestFinished, redo: UUID | None = None) -> None:
        """Summarise the test of ``event`` and publish it; ``redo`` is the id of a summarise
        command asking for it again."""
        running = await self.live.stop(event.test_id)
        if self.running_tests is not None and redo is None:
            await self.running_tests.forget(event.test_id)
        live_start = running.started_at if running else None
        path = path_of(event.metrics_mode)
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(UNREADABLE),
            wait=wait_exponential_jitter(initial=1, max=self.settings.summary_retry_max_delay),
            stop=self._out_of_time(event),
            before_sleep=_log_retry(event.test_id),
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    summary = await self.checked_summary(path, event, running, live_start)
        except UNREADABLE as error:
            summary = self.failed_summary(event, error)
        envelope = TestSummaryEvent(
            id=summary_id(event.test_id, redo), correlation_id=event.test_id, payload=summary
        )
        await self.bus.publish(TEST_SUMMARY, envelope)
        log.info(
            "summary published",
            test_id=event.test_id,
            requests=summary.overall.total_requests,
            empty_reason=summary.empty_reason,
            complete=summary.complete,
            incomplete_reason=summary.incomplete_reason,
        )

    def _out_of_time(self, event: TestFinished) -> Callable[[RetryCallState], bool]:
        budget = timedelta(seconds=self.settings.summary_retry_seconds)

        def stop(_state: RetryCallState) -> bool:
            return datetime.now(UTC) - event.finished_at >= budget

        return stop

    async def checked_summary(
        self,
        path: MetricsPath,
        event: TestFinished,
        running: RunningTest | None,
        live_start: datetime | None,
    ) -> TestSummary:
        """The summary, once InfluxDB holds k6's count or the wait for it is over."""
        k6 = event.k6_counts
        if k6 is None:  # nothing to wait for: a fixed delay lets k6's last samples in
            await asyncio.sleep(self.delay(event, running, datetime.now(UTC)))
        else:
            await self.wait_for_count(path, event, live_start, k6.overall.requests)
        window = self.window(event, live_start)
        summary = await path.summarise(self.client, event.test_id, window, k6)
        return completeness.mark(summary, k6)

    async def wait_for_count(
        self, path: MetricsPath, event: TestFinished, live_start: datetime | None, expected: int
    ) -> None:
        """Poll InfluxDB's request count until it reaches ``expected``, stays the same for
        SUMMARY_COUNT_SETTLE (k6 has ended: nothing more is on its way), or SUMMARY_COUNT_WAIT
        after the finish (counted from the finish: a retry or redelivery waits no longer)."""
        start, end = self.window(event, live_start)
        bounds = q.Bounds(event.test_id, q.ns(start), q.ns(end))
        deadline = event.finished_at + timedelta(seconds=self.settings.summary_count_wait)
        settle = timedelta(seconds=self.settings.summary_count_settle)
        last, since = -1, datetime.now(UTC)
        # The last pushes are usually a moment away (a split test's runners end together): the
        # first counts come quickly, then further apart, up to SUMMARY_COUNT_POLL.
        pause = FIRST_COUNT_POLL
        while True:
            stored = (await path.stored_requests(self.client, bounds)).get(OVERALL, 0)
            now = datetime.now(UTC)
            if stored != last:
                last, since = stored, now
            if stored >= expected or now >= deadline or now - since >= settle:
                return
            await asyncio.sleep(min(pause, self.settings.summary_count_poll))
            pause *= 2

    def failed_summary(self, event: TestFinished, error: BaseException) -> TestSummary:
        minutes = self.settings.summary_retry_seconds / 60
        reason = (
            f"no summary: InfluxDB could not be read for {minutes:g} min after the test "
            f"(SUMMARY_RETRY_SECONDS): {error}"
        )
        log.error("summary failed", test_id=event.test_id, reason=reason)
        start, end = self.window(event, None)
        return empty_summary(event.test_id, start, end, reason).model_copy(
            update={"complete": False, "incomplete_reason": reason, "k6_counts": event.k6_counts}
        )

    def window(self, event: TestFinished, live_start: datetime | None) -> tuple[datetime, datetime]:
        margin = timedelta(seconds=self.settings.window_margin)
        end = event.finished_at + margin
        if event.started_at is not None:
            start = _aware(event.started_at) - margin
        elif live_start is not None:
            start = live_start  # already includes the margin
        else:
            start = event.finished_at - timedelta(hours=self.settings.summary_lookback_hours)
        return start, end

    async def publish_live(self, snapshot: LiveSnapshot) -> None:
        envelope = LiveSnapshotEvent(correlation_id=snapshot.test_id, payload=snapshot)
        await self.bus.publish(LIVE_METRICS, envelope, test_id=snapshot.test_id)


def make_aggregator(settings: Settings, broker: NatsBroker) -> Aggregator:
    client = InfluxClient(
        settings.influxdb_url, settings.influxdb_database, max_retry=settings.scheduler_max_retry
    )

    async def bucket() -> KeyValue:
        return await broker.key_value(BUCKET, ttl=settings.live_max_hours * 3600)

    return Aggregator(settings, client, Bus(broker), RunningTestsBucket(bucket))


def _log_retry(test_id: str) -> Callable[[RetryCallState], None]:
    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        wait = state.next_action.sleep if state.next_action else None
        log.warning(
            "summary not possible yet, retrying",
            test_id=test_id,
            attempt=state.attempt_number,
            retry_in=wait,
            error=str(error),
        )

    return log_retry
