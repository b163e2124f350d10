"""Saving, changing and running plans: one function per route."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.auth import Principal
from mv_gateway.core.errors import ConflictError, NotFoundError
from mv_gateway.core.outbox import Outbox
from mv_gateway.core.settings import Settings
from mv_gateway.health import MetricsPath
from mv_gateway.projects import ProjectRepository
from mv_gateway.runs import LoadTestCreate, LoadTestCreated, start_run

from .repository import PlanRepository
from .schemas import PlanWrite
from .tables import TestPlan


class PlanNameTaken(ConflictError):
    def __init__(self, name: str) -> None:
        super().__init__(f"the project has a plan named {name!r} already")


async def _project_exists(session: AsyncSession, project_id: int) -> None:
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)


async def save_plan(session: AsyncSession, plan: PlanWrite) -> TestPlan:
    await _project_exists(session, plan.project_id)
    plans = PlanRepository(session)
    if await plans.named(plan.project_id, plan.name) is not None:
        raise PlanNameTaken(plan.name)
    return await plans.add(plan)


async def plan_of(session: AsyncSession, plan_id: int) -> TestPlan:
    row = await PlanRepository(session).get(plan_id)
    if row is None:
        raise NotFoundError("plan", plan_id)
    return row


async def change_plan(session: AsyncSession, plan_id: int, plan: PlanWrite) -> TestPlan:
    row = await plan_of(session, plan_id)
    if plan.project_id != row.project_id:
        raise ConflictError("a plan stays in its project; save a new one in the other")
    other = await PlanRepository(session).named(plan.project_id, plan.name)
    if other is not None and other.id != row.id:
        raise PlanNameTaken(plan.name)
    return await PlanRepository(session).replace(row, plan)


async def delete_plan(session: AsyncSession, plan_id: int) -> None:
    await PlanRepository(session).delete(await plan_of(session, plan_id))


async def run_plan(
    session: AsyncSession,
    outbox: Outbox,
    plan_id: int,
    actor: Principal,
    settings: Settings,
    metrics_path: MetricsPath,
) -> LoadTestCreated:
    """Start the plan's test as it is saved now, in the plan's project, with the checks and
    limits of POST /load-testing."""
    row = await plan_of(session, plan_id)
    body = LoadTestCreate.model_validate(row.test).model_copy(update={"project_id": row.project_id})
    return await start_run(session, outbox, body, str(uuid.uuid4()), actor, settings, metrics_path)
