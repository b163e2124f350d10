"""What the metrics-aggregator publishes, kept by the gateway.

- ``TEST_SUMMARY``: the figures go into ``test_history`` and, per scenario, into the
  ``scenario_history`` row whose ``scenario_tag`` is the summary scenario's name; the message is
  kept as received (``test_summary``: its series, failures by status); the test is analysed
  (``test_analysis``) and completed (``is_completed``; ``completed_at`` becomes the summary's
  time).
  Applied once per envelope id; the aggregator derives that id from the test id, so a test's
  summary is stored once.

Live snapshots are not stored: :mod:`mv_gateway.live.handlers` hands them to the live hub, which
keeps each running test's last one for clients that join late.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import structlog
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.metrics import FIGURE_NAMES, MetricFigures, TestSummary, TestSummaryEvent
from mv_contracts.subjects import TEST_SUMMARY
from mv_gateway.analysis import Analysis, AnalysisThresholds
from mv_gateway.core.once import SERVICE, apply_once
from mv_runtime.bus import subscribe

from .analysing import analyse_test
from .records import TestRuns
from .results import TestResults
from .tables import FigureColumns, TestHistory

log = structlog.get_logger()
# Told in the transaction that stores a summary, with its analysis (notifications queue there).
AfterSummary = Callable[[AsyncSession, TestHistory, Analysis | None], Awaitable[None]]


def _copy(figures: MetricFigures, row: FigureColumns) -> None:
    # The contract's figure names are the columns' names (see .tables).
    for name in FIGURE_NAMES:
        setattr(row, name, getattr(figures, name))


async def store_summary(
    session: AsyncSession,
    summary: TestSummary,
    completed_at: datetime,
    thresholds: AnalysisThresholds | None = None,
    after: AfterSummary | None = None,
) -> bool:
    """Write the summary into the test's rows, keep it as received and analyse the test;
    False when the test is unknown here."""
    runs = TestRuns(session)
    test = await runs.get_to_change(summary.test_id)
    if test is None:
        log.warning("summary of an unknown test ignored", test_id=summary.test_id)
        return False
    _copy(summary.overall, test)
    test.figures_complete = summary.complete
    test.figures_incomplete_reason = summary.incomplete_reason
    test.percentile_source = summary.percentile_source
    # A bound says nothing without percentiles (an empty summary): null then, as before one.
    test.percentile_error_bound = (
        summary.percentile_error_bound if summary.percentile_source else None
    )
    test.is_completed = True
    # The finished event (.lifecycle) sets it when the test ends; complete means summarised.
    test.completed_at = completed_at
    by_tag = await runs.scenarios_by_tag(test.id)
    for scenario in summary.scenarios:
        row = by_tag.get(scenario.name)
        if row is None:
            log.warning("summary of an unknown scenario", test_id=test.test_id, tag=scenario.name)
            continue
        _copy(scenario.figures, row)
    await TestResults(session).store_summary(test.id, summary)
    analysis = await analyse_test(session, test, thresholds or AnalysisThresholds())
    if after is not None:
        await after(session, test, analysis)
    return True


def register(
    broker: NatsBroker,
    sessions: async_sessionmaker[AsyncSession],
    service: str = SERVICE,
    thresholds: AnalysisThresholds | None = None,
    after: AfterSummary | None = None,
) -> None:
    """``service`` names the durable consumer; tests pass their own so parallel runs don't share."""

    @subscribe(broker, service, TEST_SUMMARY)
    async def on_test_summary(event: TestSummaryEvent) -> None:
        async def apply(session: AsyncSession) -> None:
            await store_summary(session, event.payload, event.time, thresholds, after)

        await apply_once(sessions, event, apply)
