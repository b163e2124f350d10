"""What the metrics-aggregator publishes, kept by the gateway.

- ``TEST_SUMMARY``: the figures go into ``test_history`` and, per scenario, into the
  ``scenario_history`` row whose ``scenario_tag`` is the summary scenario's name; the test is then
  completed (``is_completed``; ``completed_at`` becomes the summary's time).
  Applied once per envelope id; the aggregator derives that id from the test id, so a test's
  summary is stored once.

Live snapshots are not stored: :mod:`mv_gateway.bus.live` hands them to the live hub, which keeps
each running test's last one for clients that join late.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from faststream.nats import NatsBroker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.metrics import MetricFigures, TestSummary, TestSummaryEvent
from mv_contracts.subjects import TEST_SUMMARY
from mv_gateway.db.models import ScenarioHistory, TestHistory
from mv_runtime.bus import subscribe

from . import SERVICE
from .idempotent import apply_once

log = structlog.get_logger()

# MetricFigures' names are the columns of test_history and scenario_history.
FIGURE_COLUMNS: tuple[str, ...] = tuple(MetricFigures.model_fields)


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

    @subscribe(broker, service, TEST_SUMMARY)
    async def on_test_summary(event: TestSummaryEvent) -> None:
        async def apply(session: AsyncSession) -> None:
            await store_summary(session, event.payload, event.time)

        await apply_once(sessions, event, apply)
