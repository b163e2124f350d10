"""The only code that queries test_plan."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.core.database import utcnow

from .tables import TestPlan


class PlanRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def named(self, project_id: int, name: str) -> TestPlan | None:
        found: TestPlan | None = await self.session.scalar(
            select(TestPlan).where(TestPlan.project_id == project_id, TestPlan.name == name)
        )
        return found

    async def add(self, project_id: int, name: str, test: dict[str, Any]) -> TestPlan:
        """``test``: the plan's test as stored, its secret values sealed."""
        row = TestPlan(project_id=project_id, name=name, test=test)
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

    async def every(self) -> Sequence[TestPlan]:
        return (await self.session.scalars(select(TestPlan).order_by(TestPlan.id))).all()

    async def replace(self, row: TestPlan, name: str, test: dict[str, Any]) -> TestPlan:
        row.name, row.test, row.updated_at = name, test, utcnow()
        await self.session.flush()
        return row

    async def delete(self, row: TestPlan) -> None:
        await self.session.delete(row)
        await self.session.flush()
