"""What the test-runner publishes about a run, kept in test_history.

- ``TEST_STARTED``: status running (unless the test already finished: events of different
  subjects may arrive out of order), executor, job name, script file name, the k6 runners
  (:mod:`.runners`), the metrics mode the runner chose (the request's; stored from the
  request already, this keeps what ran); the script itself goes into ``test_script``.
- ``TEST_WARNING``: the warning becomes the status reason of a still running test.
- ``TEST_FINISHED``: the final status and the reason as the test-runner gave it (the runner
  alone decides what a run's end means), each runner's own ending if it gave them,
  ``completed_at`` and ``is_completed``. The
  metrics-aggregator's summary adds the figures later (see :mod:`.summaries`).

Every handler goes through :func:`apply_once`; an event for an unknown test is logged and acked.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.lifecycle import TestFinishedEvent, TestStartedEvent, TestWarningEvent
from mv_contracts.subjects import TEST_FINISHED, TEST_STARTED, TEST_WARNING
from mv_gateway.core.once import SERVICE, apply_once
from mv_runtime.bus import subscribe

from . import runners
from .records import TestRuns
from .tables import ACTIVE, PENDING, RUNNING, TestHistory

log = structlog.get_logger()
# Told in the transaction that stores a test's end (notifications queue there).
AfterFinished = Callable[[AsyncSession, TestHistory], Awaitable[None]]


async def _test(session: AsyncSession, test_id: str) -> TestHistory | None:
    test = await TestRuns(session).get_to_change(test_id)
    if test is None:
        log.warning("lifecycle event for an unknown test", test_id=test_id)
    return test


async def store_started(session: AsyncSession, event: TestStartedEvent) -> None:
    started = event.payload
    test = await _test(session, started.test_id)
    if test is None:
        return
    if test.status == PENDING:
        test.status = RUNNING
    test.executor = started.executor
    test.job_name = started.job_name
    test.k6_script_file_name = started.script_name
    test.runners = runners.on_started(test.runners, started)
    if started.metrics_mode is not None:  # None from a runner older than metrics modes
        test.metrics_mode = started.metrics_mode.value
    if started.script is not None:
        await TestRuns(session).store_script(test.id, started.script)


async def store_warning(session: AsyncSession, event: TestWarningEvent) -> None:
    test = await _test(session, event.payload.test_id)
    if test is not None and test.status in ACTIVE:
        test.status_reason = event.payload.message


async def store_finished(
    session: AsyncSession, event: TestFinishedEvent, after: AfterFinished | None = None
) -> None:
    finished = event.payload
    test = await _test(session, finished.test_id)
    if test is None:
        return
    test.status = finished.status.value
    test.status_reason = finished.reason
    test.finished_event = finished.model_dump(mode="json")
    test.runners = runners.on_finished(test.runners, finished)
    test.completed_at = test.completed_at or finished.finished_at
    test.is_completed = True
    if after is not None:
        await after(session, test)


def register(
    broker: NatsBroker,
    sessions: async_sessionmaker[AsyncSession],
    after_finished: AfterFinished | None = None,
) -> None:
    @subscribe(broker, SERVICE, TEST_STARTED)
    async def on_started(message: TestStartedEvent) -> None:
        await apply_once(sessions, message, lambda s: store_started(s, message))

    @subscribe(broker, SERVICE, TEST_WARNING)
    async def on_warning(message: TestWarningEvent) -> None:
        await apply_once(sessions, message, lambda s: store_warning(s, message))

    @subscribe(broker, SERVICE, TEST_FINISHED)
    async def on_finished(message: TestFinishedEvent) -> None:
        await apply_once(sessions, message, lambda s: store_finished(s, message, after_finished))
