"""HTTP routes of trigger URLs: testers make and revoke a plan's trigger tokens, viewers list
them; a pipeline POSTs to the plan's trigger URL with one (that route checks the token itself,
so it is open to the request that brings one)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Response, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from mv_gateway.auth import PUBLIC, READ, Tester
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import OutboxDep, SessionDep, SettingsDep
from mv_gateway.core.idempotency import KeyHeader
from mv_gateway.health import MetricsPathDep
from mv_gateway.runs import LoadTestCreated

from . import service
from .schemas import TriggerCreate, TriggerCreated, TriggerRead

router = APIRouter(prefix="/plans/{plan_id}", tags=["Trigger URLs"], route_class=ParsedBodyRoute)

PlanId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Plan id")]
TriggerId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Trigger id")]
trigger_bearer = HTTPBearer(
    auto_error=False, scheme_name="TriggerToken", description="A plan's trigger token: mvr_…"
)


@router.post(
    "/triggers",
    status_code=status.HTTP_201_CREATED,
    response_model=TriggerCreated,
    responses={404: {}, 422: {}},
)
async def create_trigger(
    plan_id: PlanId, body: TriggerCreate, session: SessionDep, tester: Tester
) -> TriggerCreated:
    """A new trigger token for the plan, shown in this answer only. Its runs start with the
    maker's role and say ``started_by: trigger:<name>``."""
    return await service.create(session, plan_id, body, tester)


@router.get("/triggers", response_model=list[TriggerRead], responses={404: {}}, dependencies=[READ])
async def list_triggers(plan_id: PlanId, session: SessionDep) -> list[TriggerRead]:
    return [TriggerRead.model_validate(t) for t in await service.of_plan(session, plan_id)]


@router.delete(
    "/triggers/{trigger_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}}
)
async def revoke_trigger(
    plan_id: PlanId, trigger_id: TriggerId, session: SessionDep, tester: Tester
) -> Response:
    """The token stops working at once (401); the row stays, to show when it was revoked."""
    await service.revoke(session, plan_id, trigger_id, tester)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/trigger",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=LoadTestCreated,
    responses={401: {}, 404: {}, 409: {}, 422: {}, 429: {}, 503: {}},
    dependencies=[PUBLIC],
)
async def trigger_plan(
    plan_id: PlanId,
    session: SessionDep,
    outbox: OutboxDep,
    settings: SettingsDep,
    metrics_path: MetricsPathDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(trigger_bearer)],
    idempotency_key: KeyHeader = None,
) -> LoadTestCreated:
    """Start the plan, authenticated by one of its trigger tokens (401 for any other, or a
    revoked one). Repeating the request with the same ``Idempotency-Key`` (a deploy id) answers
    the run the first one started."""
    token = credentials.credentials if credentials else None
    return await service.fire(
        session, outbox, plan_id, token, settings, metrics_path, idempotency_key
    )
