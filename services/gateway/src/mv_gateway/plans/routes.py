"""HTTP routes of plans: save a test under a name, list, read, change, delete and run it.

Secret values (headers, query parameters and body fields marked secret or named like one) are
stored sealed and answered as the mask ``"••••••"``; sending the mask back keeps the stored
value. Saving, changing and deleting a plan is written to the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from mv_gateway.auth import READ, Tester
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import OutboxDep, SessionDep, SettingsDep
from mv_gateway.health import MetricsPathDep
from mv_gateway.history import PlanTrend, plan_trend
from mv_gateway.runs import LoadTestCreated

from .repository import PlanRepository
from .schemas import PlanRead, PlanWrite
from .service import change_plan, delete_plan, plan_of, read, run_plan, save_plan

router = APIRouter(prefix="/plans", tags=["Plans"], route_class=ParsedBodyRoute)

PlanId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Plan id")]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=PlanRead,
    responses={404: {}, 409: {}, 422: {}},
)
async def create_plan(
    body: PlanWrite, session: SessionDep, tester: Tester, settings: SettingsDep
) -> PlanRead:
    """Save a test (the body of POST /load-testing) under a name unique in its project; its
    secret values are sealed (a 422 names a secret when the gateway has no SECRETS_KEY)."""
    return read(await save_plan(session, body, tester, settings))


@router.get("", response_model=list[PlanRead], dependencies=[READ])
async def list_plans(
    session: SessionDep, project_id: Annotated[int, Query(ge=1, le=2**63 - 1)]
) -> list[PlanRead]:
    return [read(p) for p in await PlanRepository(session).of_project(project_id)]


@router.get("/{plan_id}", response_model=PlanRead, responses={404: {}}, dependencies=[READ])
async def read_plan(plan_id: PlanId, session: SessionDep) -> PlanRead:
    return read(await plan_of(session, plan_id))


@router.put("/{plan_id}", response_model=PlanRead, responses={404: {}, 409: {}, 422: {}})
async def replace_plan(
    plan_id: PlanId, body: PlanWrite, session: SessionDep, tester: Tester, settings: SettingsDep
) -> PlanRead:
    """Change the plan; a secret sent as the mask ``"••••••"`` keeps its stored value."""
    return read(await change_plan(session, plan_id, body, tester, settings))


@router.delete("/{plan_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}})
async def remove_plan(plan_id: PlanId, session: SessionDep, tester: Tester) -> Response:
    await delete_plan(session, plan_id, tester)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{plan_id}/run",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=LoadTestCreated,
    responses={404: {}, 422: {}, 429: {}, 503: {}},
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


@router.get("/{plan_id}/trend", response_model=PlanTrend, responses={404: {}}, dependencies=[READ])
async def trend_of_plan(
    plan_id: PlanId,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=200, description="The plan's latest runs")] = 20,
) -> PlanTrend:
    """The plan's key figures (TPS, p95, error rate) over its last completed runs, oldest
    first, each marked when its analysis judged it worse than its baseline; and the baseline's
    figures, to draw beside them."""
    plan = await plan_of(session, plan_id)
    return await plan_trend(session, plan.id, plan.project_id, limit)
