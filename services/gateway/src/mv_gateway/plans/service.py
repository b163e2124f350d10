"""Saving, changing and running plans: one function per route. A plan's secret values are
sealed when it is stored and shown masked (:mod:`.sealing`); every change is audited."""

from __future__ import annotations

import uuid

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_gateway.auth import AuditLog, Principal
from mv_gateway.core.errors import ConflictError, GatewayError, NotFoundError
from mv_gateway.core.outbox import Outbox
from mv_gateway.core.settings import Settings
from mv_gateway.health import MetricsPath
from mv_gateway.projects import ProjectRepository
from mv_gateway.runs import LoadTestCreated, start_run
from mv_runtime.sealing import Sealer

from .repository import PlanRepository
from .schemas import PlanRead, PlanWrite
from .sealing import normal, opened, seal, seal_in_place, shown
from .tables import TestPlan

log = structlog.get_logger()


class PlanNameTaken(ConflictError):
    def __init__(self, name: str) -> None:
        super().__init__(f"the project has a plan named {name!r} already")


async def _project_exists(session: AsyncSession, project_id: int) -> None:
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)


def read(row: TestPlan) -> PlanRead:
    """The plan as an answer shows it: secret values masked."""
    return PlanRead(
        id=row.id,
        project_id=row.project_id,
        name=row.name,
        test=shown(row.test),
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


async def save_plan(
    session: AsyncSession, plan: PlanWrite, actor: Principal, settings: Settings
) -> TestPlan:
    await _project_exists(session, plan.project_id)
    plans = PlanRepository(session)
    if await plans.named(plan.project_id, plan.name) is not None:
        raise PlanNameTaken(plan.name)
    test = seal(normal(plan.test), settings.sealer(), None)
    row = await plans.add(plan.project_id, plan.name, test)
    await AuditLog(session).record(actor, "create_plan", str(row.id), _about(row))
    return row


async def plan_of(session: AsyncSession, plan_id: int) -> TestPlan:
    row = await PlanRepository(session).get(plan_id)
    if row is None:
        raise NotFoundError("plan", plan_id)
    return row


async def change_plan(
    session: AsyncSession, plan_id: int, plan: PlanWrite, actor: Principal, settings: Settings
) -> TestPlan:
    """A secret sent back as the mask keeps its stored value."""
    row = await plan_of(session, plan_id)
    if plan.project_id != row.project_id:
        raise ConflictError("a plan stays in its project; save a new one in the other")
    other = await PlanRepository(session).named(plan.project_id, plan.name)
    if other is not None and other.id != row.id:
        raise PlanNameTaken(plan.name)
    test = seal(normal(plan.test), settings.sealer(), row.test)
    before = row.name
    await PlanRepository(session).replace(row, plan.name, test)
    await AuditLog(session).record(actor, "change_plan", str(row.id), _about(row, before))
    return row


async def delete_plan(session: AsyncSession, plan_id: int, actor: Principal) -> None:
    row = await plan_of(session, plan_id)
    await AuditLog(session).record(actor, "delete_plan", str(row.id), _about(row))
    await PlanRepository(session).delete(row)


def _about(row: TestPlan, name_before: str | None = None) -> dict[str, object]:
    """What the audit log keeps of a plan: where and what it is called, never its test."""
    about: dict[str, object] = {"project_id": row.project_id, "name": row.name}
    if name_before is not None and name_before != row.name:
        about["name_before"] = name_before
    return about


async def seal_stored_plans(sessions: async_sessionmaker[AsyncSession], sealer: Sealer) -> int:
    """At start-up: seal the secret values of plans stored before they were sealed (or while
    the gateway had no SECRETS_KEY); how many plans changed."""
    changed = 0
    async with sessions() as session, session.begin():
        for row in await PlanRepository(session).every():
            try:
                sealed = seal_in_place(row.test, sealer)
            except GatewayError as error:  # a plan whose marks no longer fit: left for a person
                log.warning("plan not sealed", plan_id=row.id, error=str(error))
                continue
            if sealed != row.test:
                row.test = sealed
                changed += 1
    if changed:
        log.info("sealed the secret values of stored plans", plans=changed)
    return changed


async def run_plan(
    session: AsyncSession,
    outbox: Outbox,
    plan_id: int,
    actor: Principal,
    settings: Settings,
    metrics_path: MetricsPath,
    *,
    test_id: str | None = None,
    idempotency_key: str | None = None,
    key_scope: str = "load-testing",
    request_print: str | None = None,
) -> LoadTestCreated:
    """Start the plan's test as it is saved now, in the plan's project, with the checks and
    limits of POST /load-testing; the run remembers its plan (the plan's trend)."""
    row = await plan_of(session, plan_id)
    body = opened(row.test, settings.sealer()).model_copy(update={"project_id": row.project_id})
    return await start_run(
        session, outbox, body, test_id or str(uuid.uuid4()), actor, settings, metrics_path,
        idempotency_key=idempotency_key, key_scope=key_scope, request_print=request_print,
        plan_id=row.id,
    )  # fmt: skip
