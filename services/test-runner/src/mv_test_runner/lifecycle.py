"""A run from request to its one finished event: start, warn, time out, cancel, reconcile.

Exactly one finished event per test: the ``finished`` mark in :class:`RunStore` stops a second
one, and each event's envelope id is derived from the test id (uuid5), so even a publish repeated
after a crash is de-duplicated by JetStream and by the gateway's processed-message table.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from uuid import UUID

import structlog
from tenacity import AsyncRetrying, RetryCallState, wait_exponential_jitter

from mv_contracts import Envelope
from mv_contracts.envelope import derived_id
from mv_contracts.lifecycle import (
    K6Counts,
    TestFinished,
    TestFinishedEvent,
    TestStarted,
    TestStartedEvent,
    TestWarning,
    TestWarningEvent,
)
from mv_contracts.runs import MAX_PARALLELISM, MetricsMode, TestRunRequest, scenario_tag
from mv_contracts.subjects import TEST_FINISHED, TEST_STARTED, TEST_WARNING, Subject
from mv_runtime.sealing import Sealer, SealingError, open_request

from .executors import outcomes, segments
from .executors.base import RunExecutor, StartError
from .executors.outcomes import Outcome
from .ownscript import own_script
from .script import generate_script
from .state import RunStore

log = structlog.get_logger()
Publish = Callable[[Subject, Envelope], Awaitable[None]]


def event_id(test_id: str, kind: str) -> UUID:
    """The same envelope id whenever this event of this test is published again."""
    return derived_id("test-run", test_id, kind)


class Lifecycle:
    def __init__(
        self,
        executor: RunExecutor,
        store: RunStore,
        publish: Publish,
        *,
        warning_after: timedelta,
        timeout_after: timedelta,
        publish_retry_max: float = 30.0,
        max_parallelism: int = MAX_PARALLELISM,
        sealer: Sealer | None = None,
    ) -> None:
        self._executor = executor
        self._store = store
        self._publish = publish
        self._warning_after = warning_after
        self._timeout_after = timeout_after
        self._publish_retry_max = publish_retry_max
        self._max_parallelism = max_parallelism
        self._sealer = sealer
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._timed_out: set[str] = set()

    def running(self) -> list[str]:
        return sorted(self._tasks)

    async def run(self, request: TestRunRequest, requested_at: datetime | None = None) -> None:
        """Start the test; a redelivered request for a known test changes nothing.

        A request older than the job timeout (``requested_at``, the envelope's time) is not
        started: it ends as failed, so a long-stopped runner does not replay old load tests.
        """
        test_id = request.test_id
        if self._store.known(test_id):
            log.info("run request already handled", test_id=test_id)
            return
        if requested_at is not None and datetime.now(UTC) - requested_at > self._timeout_after:
            reason = f"run request of {requested_at.isoformat()} expired before a runner took it"
            await self._publish_finished(
                test_id, outcomes.not_started(reason), None, mode=request.metrics_mode
            )
            return
        mode = request.metrics_mode
        try:
            self._store.record(test_id, None, metrics_mode=mode)
        except OSError as error:  # K6_SCRIPT_FILE_FOLDER not writable: say so, once
            reason = f"the runner cannot write its state folder: {error}"
            await self._publish_finished(test_id, outcomes.not_started(reason), None, mode=mode)
            return
        cancelled = self._store.cancel_reason(test_id)
        if cancelled is not None:  # the cancel arrived before the run request
            await self._finish(test_id, outcomes.cancelled(cancelled), None)
            return
        try:
            # Secrets opened here, in memory only: k6 gets them through its environment.
            opened = open_request(request, self._sealer)
            script = own_script(opened) if opened.own_script else generate_script(opened)
        except SealingError as error:
            await self._finish(test_id, outcomes.not_started(str(error)), None)
            return
        except Exception as error:  # a request the generator cannot turn into k6 (1e400, ...)
            reason = f"the k6 script could not be generated: {type(error).__name__}: {error}"
            await self._finish(test_id, outcomes.not_started(reason), None)
            return
        refused = segments.refusal(request, self._max_parallelism)
        if refused is not None:  # before any runner exists: nothing to stop
            await self._finish(test_id, outcomes.not_started(refused), None)
            return
        try:
            started = await self._executor.start(request, script)
        except StartError as error:
            await self._finish(test_id, outcomes.not_started(str(error)), None)
            return
        self._store.record(test_id, started.started_at, started.job_name, mode)
        if self._store.cancel_reason(test_id) is not None:
            # The cancel came while k6 was starting and found nothing to stop: stop it now. The
            # follow below then reports the run as cancelled.
            await self._executor.stop(test_id)
        payload = TestStarted(
            test_id=test_id,
            executor=self._executor.kind,
            job_name=started.job_name,
            script_name=started.script_name,
            started_at=started.started_at,
            script=script.text,
            scenario_names=scenario_names(request),
            runners=started.runners,
            metrics_mode=mode,
        )
        await self._publish(
            TEST_STARTED,
            TestStartedEvent(
                id=event_id(test_id, "started"), correlation_id=test_id, payload=payload
            ),
        )
        self._follow(test_id, started.started_at)

    async def cancel(self, test_id: str, reason: str) -> bool:
        """Stop a running test; its finished event says cancelled. False if not running.

        A cancel for a test not seen yet is remembered: its run request then ends as cancelled.
        """
        if self._store.finished(test_id):
            return False
        self._store.mark_cancel(test_id, reason)
        if not self._store.known(test_id):
            return False
        await self._executor.stop(test_id)
        return True

    async def reconcile(self) -> None:
        """After a restart: follow runs still going, finish those that ended meanwhile."""
        for record in self._store.unfinished():
            if record.started_at is None:
                # The runner stopped while starting k6; a k6 it did start would run untracked.
                reason = "the runner stopped before k6 started"
                if await self._executor.is_running(record.test_id):
                    await self._executor.stop(record.test_id)
                    reason = "the runner stopped while k6 was starting; k6 was stopped"
                await self._finish(record.test_id, outcomes.not_started(reason), None)
            elif record.test_id not in self._tasks:
                log.info("following run again after restart", test_id=record.test_id)
                self._follow(record.test_id, record.started_at)

    async def close(self) -> None:
        """Stop following (runs keep going; reconcile picks them up again)."""
        for task in self._tasks.values():
            task.cancel()
        for task in list(self._tasks.values()):
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()

    async def wait_finished(self, test_id: str) -> None:
        task = self._tasks.get(test_id)
        if task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.shield(task)

    def _follow(self, test_id: str, started_at: datetime) -> None:
        task = asyncio.create_task(self._watch(test_id, started_at), name=f"follow {test_id}")
        self._tasks[test_id] = task
        task.add_done_callback(lambda _t: self._tasks.pop(test_id, None))

    async def _watch(self, test_id: str, started_at: datetime) -> None:
        ending = asyncio.create_task(self._executor.wait(test_id))
        try:
            outcome = await self._until_end(test_id, started_at, ending)
        finally:
            ending.cancel()
        hours = self._timeout_after.total_seconds() / 3600
        outcome = outcomes.settle(
            outcome,
            timeout_hours=hours if test_id in self._timed_out else None,
            cancel_reason=self._store.cancel_reason(test_id),
        )
        # No caller to hand a failed publish to: keep trying while NATS is away, or the test
        # would look running until the runner restarted and reconciled it.
        retrying = AsyncRetrying(
            wait=wait_exponential_jitter(max=self._publish_retry_max),
            before_sleep=_log_unpublished(test_id),
            reraise=True,
        )
        counts = await self._counts(test_id)
        async for attempt in retrying:
            with attempt:
                await self._finish(test_id, outcome, started_at, counts)

    async def _counts(self, test_id: str) -> K6Counts | None:
        try:
            return await self._executor.counts(test_id)
        except Exception as error:  # without k6's count the summary is only left unchecked
            log.warning("k6's counts unavailable", test_id=test_id, error=str(error))
            return None

    async def _until_end(
        self, test_id: str, started_at: datetime, ending: asyncio.Task[Outcome]
    ) -> Outcome:
        warn_at = started_at + self._warning_after
        stop_at = started_at + self._timeout_after
        while True:
            now = datetime.now(UTC)
            warned = self._store.warned(test_id)
            next_at = stop_at if warned else min(warn_at, stop_at)
            done, _ = await asyncio.wait({ending}, timeout=max(0, (next_at - now).total_seconds()))
            if done:
                return ending.result()
            now = datetime.now(UTC)
            if not warned and now >= warn_at:
                await self._warn(test_id, (now - started_at).total_seconds())
            if now >= stop_at:
                self._timed_out.add(test_id)
                await self._executor.stop(test_id)
                return await ending

    async def _warn(self, test_id: str, seconds: float) -> None:
        hours = self._warning_after.total_seconds() / 3600
        payload = TestWarning(
            test_id=test_id,
            message=f"still running after {hours:g} h (SCHEDULER_JOB_WARNING_HOURS)",
            running_for_seconds=seconds,
        )
        await self._publish(
            TEST_WARNING,
            TestWarningEvent(
                id=event_id(test_id, "warning"), correlation_id=test_id, payload=payload
            ),
        )
        self._store.mark_warned(test_id)

    async def _finish(
        self,
        test_id: str,
        outcome: Outcome,
        started_at: datetime | None,
        counts: K6Counts | None = None,
    ) -> None:
        if self._store.finished(test_id):
            return
        await self._publish_finished(test_id, outcome, started_at, counts)
        self._store.mark_finished(test_id, outcome.status.value)
        log.info("test finished", test_id=test_id, status=outcome.status.value)

    async def _publish_finished(
        self,
        test_id: str,
        outcome: Outcome,
        started_at: datetime | None,
        counts: K6Counts | None = None,
        *,
        mode: MetricsMode | None = None,
    ) -> None:
        """``mode``: the test's metrics mode when the store has none (a request never recorded);
        None from the record of an older runner's run, which wrote every sample."""
        record = self._store.get(test_id)
        payload = TestFinished(
            test_id=test_id,
            status=outcome.status,
            reason=outcome.reason,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            thresholds_crossed=outcome.thresholds_crossed,
            executor=self._executor.kind,
            k6_counts=counts,
            runners=list(outcome.runners),
            metrics_mode=record.metrics_mode if record is not None else mode,
        )
        await self._publish(
            TEST_FINISHED,
            TestFinishedEvent(
                id=event_id(test_id, "finished"), correlation_id=test_id, payload=payload
            ),
        )


def scenario_names(request: TestRunRequest) -> dict[str, str]:
    """k6 scenario tag → the scenario's name: an own script's keys are both."""
    if request.own_script is not None:
        return {key: key for key in request.own_script.scenarios}
    return {scenario_tag(i, s.name): s.name for i, s in enumerate(request.scenarios)}


def _log_unpublished(test_id: str) -> Callable[[RetryCallState], None]:
    def log_retry(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        log.error(
            "finished event not published, retrying",
            test_id=test_id,
            attempt=state.attempt_number,
            error=repr(error),
        )

    return log_retry
