"""A deleted test's points leave InfluxDB too: the gateway asks the metrics-aggregator (the
service that owns InfluxDB) with a command stored in the deleting transaction (outbox), so the
points go exactly when the test is gone, even if NATS was away at that moment."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.metrics import PointsPurge, PointsPurgeRequested
from mv_contracts.subjects import PURGE_POINTS
from mv_gateway.core.outbox import Outbox

from .tables import TestHistory


async def purge_points(session: AsyncSession, test_ids: list[str], about: str) -> None:
    if test_ids:
        command = PointsPurgeRequested(correlation_id=about, payload=PointsPurge(test_ids=test_ids))
        await Outbox.add(session, PURGE_POINTS, command)


async def purge_project_points(session: AsyncSession, project_id: int) -> None:
    """Before a project is deleted (a hook the app wires): its tests' points go with it."""
    ids = await session.scalars(
        select(TestHistory.test_id).where(TestHistory.project_id == project_id)
    )
    await purge_points(session, list(ids), f"project-{project_id}")
