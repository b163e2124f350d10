"""The only code that queries plan_schedule.

:meth:`Schedules.claim` is how a due run is taken: ``UPDATE … SET next_run_at = :next WHERE id =
:id AND next_run_at = :due AND NOT paused``. It is the first statement of the transaction that
goes on to store the run, so on PostgreSQL a second gateway's UPDATE waits on the row's lock and
then, re-reading the row, matches nothing; on SQLite the database's one writer does the same. One
UPDATE that changed a row = one run, committed with it or not at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.plans import TestPlan

from .tables import PlanSchedule


class Schedules:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def of_plan(self, plan_id: int) -> PlanSchedule | None:
        found: PlanSchedule | None = await self.session.scalar(
            select(PlanSchedule).where(PlanSchedule.plan_id == plan_id)
        )
        return found

    async def of_project(self, project_id: int) -> Sequence[tuple[PlanSchedule, str]]:
        rows = await self.session.execute(
            select(PlanSchedule, TestPlan.name)
            .join(TestPlan, TestPlan.id == PlanSchedule.plan_id)
            .where(TestPlan.project_id == project_id)
            .order_by(TestPlan.name)
        )
        return [(schedule, name) for schedule, name in rows.all()]

    async def due(self, now: datetime, limit: int) -> Sequence[PlanSchedule]:
        rows = await self.session.scalars(
            select(PlanSchedule)
            .where(PlanSchedule.paused.is_(False), PlanSchedule.next_run_at <= now)
            .order_by(PlanSchedule.next_run_at, PlanSchedule.id)
            .limit(limit)
        )
        return rows.all()

    async def claim(self, schedule_id: int, due: datetime, next_run_at: datetime) -> bool:
        """Move the run due at ``due`` to ``next_run_at``; False when another gateway (or a
        change of the schedule) moved it first."""
        result: CursorResult[Any] = await self.session.execute(  # type: ignore[assignment]
            update(PlanSchedule)
            .where(
                PlanSchedule.id == schedule_id,
                PlanSchedule.next_run_at == due,
                PlanSchedule.paused.is_(False),
            )
            .values(next_run_at=next_run_at, last_due_at=due)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def add(self, row: PlanSchedule) -> PlanSchedule:
        self.session.add(row)
        await self.session.flush()
        return row

    async def delete(self, row: PlanSchedule) -> None:
        await self.session.delete(row)
        await self.session.flush()
