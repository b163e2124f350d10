"""HTTP routes of plans: save a test under a name, list, read, change, delete and run it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from mv_gateway.auth import READ, TEST, Tester
from mv_gateway.core.deps import OutboxDep, SessionDep, SettingsDep
from mv_gateway.health import MetricsPathDep
from mv_gateway.runs import LoadTestCreated

from .repository import PlanRepository
from .schemas import PlanRead, PlanWrite
from .service import change_plan, delete_plan, plan_of, run_plan, save_plan

router = APIRouter(prefix="/plans", tags=["Plans"])

PlanId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Plan id")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanRead,
    responses={404: {}, 409: {}},
    dependencies=[TEST],
)
async def create_plan(body: PlanWrite, session: SessionDep) -> PlanRead:
    """Save a test (the body of POST /load-testing) under a name unique in its project."""
    return PlanRead.model_validate(await save_plan(session, body))


@router.get("", response_model=list[PlanRead], dependencies=[READ])
async def list_plans(
    session: SessionDep, project_id: Annotated[int, Query(ge=1, le=2**63 - 1)]
) -> list[PlanRead]:
    return [
        PlanRead.model_validate(p) for p in await PlanRepository(session).of_project(project_id)
    ]


@router.get("/{plan_id}", response_model=PlanRead, responses={404: {}}, dependencies=[READ])
async def read_plan(plan_id: PlanId, session: SessionDep) -> PlanRead:
    return PlanRead.model_validate(await plan_of(session, plan_id))


@router.put(
    "/{plan_id}", response_model=PlanRead, responses={404: {}, 409: {}}, dependencies=[TEST]
)
async def replace_plan(plan_id: PlanId, body: PlanWrite, session: SessionDep) -> PlanRead:
    return PlanRead.model_validate(await change_plan(session, plan_id, body))


@router.delete(
    "/{plan_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}}, dependencies=[TEST]
)
async def remove_plan(plan_id: PlanId, session: SessionDep) -> Response:
    await delete_plan(session, plan_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{plan_id}/run",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=LoadTestCreated,
    responses={404: {}, 422: {}, 503: {}},
)
async def run_saved_plan(
    plan_id: PlanId,
    session: SessionDep,
    outbox: OutboxDep,
    tester: Tester,
    settings: SettingsDep,
    metrics_path: MetricsPathDep,
) -> LoadTestCreated:
    """Start the plan's test again; the same checks as POST /load-testing apply."""
    return await run_plan(session, outbox, plan_id, tester, settings, metrics_path)
