"""The only code that queries test_plan."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.core.database import utcnow

from .schemas import PlanWrite
from .tables import TestPlan


class PlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def named(self, project_id: int, name: str) -> TestPlan | None:
        found: TestPlan | None = await self.session.scalar(
            select(TestPlan).where(TestPlan.project_id == project_id, TestPlan.name == name)
        )
        return found

    async def add(self, plan: PlanWrite) -> TestPlan:
        row = TestPlan(
            project_id=plan.project_id, name=plan.name, test=plan.test.model_dump(mode="json")
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, plan_id: int) -> TestPlan | None:
        return await self.session.get(TestPlan, plan_id)

    async def of_project(self, project_id: int) -> Sequence[TestPlan]:
        rows = await self.session.scalars(
            select(TestPlan).where(TestPlan.project_id == project_id).order_by(TestPlan.name)
        )
        return rows.all()

    async def replace(self, row: TestPlan, plan: PlanWrite) -> TestPlan:
        row.name, row.test, row.updated_at = plan.name, plan.test.model_dump(mode="json"), utcnow()
        await self.session.flush()
        return row

    async def delete(self, row: TestPlan) -> None:
        await self.session.delete(row)
        await self.session.flush()
