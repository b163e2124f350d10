"""What the metrics-aggregator publishes, kept by the gateway.

- ``TEST_SUMMARY``: the figures go into ``test_history`` and, per scenario, into the
  ``scenario_history`` row whose ``scenario_tag`` is the summary scenario's name; the test is then
  completed (``is_completed``; ``completed_at`` becomes the summary's time).
  Applied once per envelope id; the aggregator derives that id from the test id, so a test's
  summary is stored once.
- ``LIVE_METRICS``: the last snapshot of each running test stays in memory (:class:`LiveSnapshots`)
  for subscribers that join late; :func:`live_snapshots` gives the store of a broker.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import UTC, datetime, timedelta
from typing import Any
from weakref import WeakKeyDictionary

import structlog
from faststream.nats import NatsBroker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.metrics import (
    LiveSnapshot,
    LiveSnapshotEvent,
    MetricFigures,
    TestSummary,
    TestSummaryEvent,
)
from mv_contracts.subjects import LIVE_METRICS, TEST_SUMMARY
from mv_gateway.db.models import ScenarioHistory, TestHistory
from mv_runtime.bus import subscribe

from . import SERVICE
from .idempotent import apply_once

log = structlog.get_logger()

# MetricFigures' names are the columns of test_history and scenario_history.
FIGURE_COLUMNS: tuple[str, ...] = tuple(MetricFigures.model_fields)


class LiveSnapshots:
    """The last live snapshot per test; stale ones (no update for ``max_age``) are dropped."""

    def __init__(self, max_age: timedelta = timedelta(minutes=10), max_tests: int = 1000) -> None:
        self.max_age = max_age
        self.max_tests = max_tests
        self._last: OrderedDict[str, tuple[datetime, LiveSnapshot]] = OrderedDict()
        self._ended: OrderedDict[str, None] = OrderedDict()

    def put(self, snapshot: LiveSnapshot, now: datetime | None = None) -> None:
        if snapshot.test_id in self._ended:
            return  # a late snapshot of a test whose summary is stored
        now = now or datetime.now(UTC)
        self._last[snapshot.test_id] = (now, snapshot)
        self._last.move_to_end(snapshot.test_id)
        self._expire(now)

    def get(self, test_id: str, now: datetime | None = None) -> LiveSnapshot | None:
        self._expire(now or datetime.now(UTC))
        entry = self._last.get(test_id)
        return entry[1] if entry else None

    def end(self, test_id: str) -> None:
        """The test has its summary: forget its snapshot, ignore later ones."""
        self._last.pop(test_id, None)
        self._ended[test_id] = None
        while len(self._ended) > self.max_tests:
            self._ended.popitem(last=False)

    def _expire(self, now: datetime) -> None:
        while self._last:
            test_id, (seen, _) = next(iter(self._last.items()))
            if now - seen <= self.max_age and len(self._last) <= self.max_tests:
                break
            del self._last[test_id]


_stores: WeakKeyDictionary[NatsBroker, LiveSnapshots] = WeakKeyDictionary()


def live_snapshots(broker: NatsBroker) -> LiveSnapshots:
    """The live-snapshot store fed by ``broker``'s subscription (one per app)."""
    store = _stores.get(broker)
    if store is None:
        store = _stores[broker] = LiveSnapshots()
    return store


def _figures(figures: MetricFigures) -> dict[str, Any]:
    return {column: getattr(figures, column) for column in FIGURE_COLUMNS}


async def store_summary(
    session: AsyncSession, summary: TestSummary, completed_at: datetime
) -> bool:
    """Write the summary into the test's rows; False when the test is unknown here."""
    test = await session.scalar(select(TestHistory).where(TestHistory.test_id == summary.test_id))
    if test is None:
        log.warning("summary of an unknown test ignored", test_id=summary.test_id)
        return False
    for column, value in _figures(summary.overall).items():
        setattr(test, column, value)
    test.is_completed = True
    # The finished event (bus/runs.py) sets it when the test ends; complete means summarised.
    test.completed_at = completed_at
    rows = await session.scalars(
        select(ScenarioHistory).where(ScenarioHistory.test_history_id == test.id)
    )
    by_tag = {row.scenario_tag: row for row in rows}
    for scenario in summary.scenarios:
        row = by_tag.get(scenario.name)
        if row is None:
            log.warning("summary of an unknown scenario", test_id=test.test_id, tag=scenario.name)
            continue
        for column, value in _figures(scenario.figures).items():
            setattr(row, column, value)
    return True


def register(
    broker: NatsBroker, sessions: async_sessionmaker[AsyncSession], service: str = SERVICE
) -> None:
    """``service`` names the durable consumer; tests pass their own so parallel runs don't share."""
    store = live_snapshots(broker)

    @subscribe(broker, service, TEST_SUMMARY)
    async def on_test_summary(event: TestSummaryEvent) -> None:
        async def apply(session: AsyncSession) -> None:
            await store_summary(session, event.payload, event.time)

        await apply_once(sessions, event, apply)
        store.end(event.payload.test_id)

    @subscribe(broker, service, LIVE_METRICS)
    async def on_live_metrics(event: LiveSnapshotEvent) -> None:
        store.put(event.payload)
