"""Trigger tokens made, listed, revoked and used. A token is 256 random bits shown once and
kept as its SHA-256 (as API tokens are); it starts runs of its one plan with the role of whoever
made it, named ``trigger:<name>`` in ``started_by`` and the audit log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.auth import AuditLog, Principal, Role
from mv_gateway.auth.tokens import digest, hint, new_secret
from mv_gateway.core.database import utcnow
from mv_gateway.core.errors import GatewayError, NotFoundError
from mv_gateway.core.idempotency import fingerprint
from mv_gateway.core.outbox import Outbox
from mv_gateway.core.settings import Settings
from mv_gateway.health import MetricsPath
from mv_gateway.plans import plan_of, run_plan
from mv_gateway.runs import LoadTestCreated

from .schemas import TriggerCreate, TriggerCreated, TriggerRead
from .tables import PlanTrigger

PREFIX = "mvr_"  # a run trigger; never accepted as an API token (those are mvt_)


class BadTriggerToken(GatewayError):
    status_code = 401

    def __init__(self) -> None:
        super().__init__("send this plan's trigger token, not revoked: Authorization: Bearer mvr_…")


def url_of(plan_id: int) -> str:
    return f"/plans/{plan_id}/trigger"


async def create(
    session: AsyncSession, plan_id: int, body: TriggerCreate, actor: Principal
) -> TriggerCreated:
    await plan_of(session, plan_id)
    secret = new_secret(PREFIX)
    row = PlanTrigger(
        plan_id=plan_id, name=body.name, token_hash=digest(secret), hint=hint(secret),
        role=actor.role.value, created_by=actor.actor, created_at=utcnow(),
    )  # fmt: skip
    session.add(row)
    await session.flush()
    await AuditLog(session).record(
        actor, "create_trigger", str(row.id), {"plan_id": plan_id, "name": body.name}
    )
    return TriggerCreated(
        **TriggerRead.model_validate(row).model_dump(), token=secret, url=url_of(plan_id)
    )


async def of_plan(session: AsyncSession, plan_id: int) -> Sequence[PlanTrigger]:
    await plan_of(session, plan_id)
    rows = await session.scalars(
        select(PlanTrigger).where(PlanTrigger.plan_id == plan_id).order_by(PlanTrigger.id)
    )
    return rows.all()


async def revoke(session: AsyncSession, plan_id: int, trigger_id: int, actor: Principal) -> None:
    row = await session.get(PlanTrigger, trigger_id)
    if row is None or row.plan_id != plan_id:
        raise NotFoundError("trigger", trigger_id)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        await AuditLog(session).record(actor, "revoke_trigger", str(row.id), {"plan_id": plan_id})
    await session.flush()


async def holder(session: AsyncSession, plan_id: int, token: str | None) -> PlanTrigger:
    """Who a trigger request acts as; :class:`BadTriggerToken` for anything but a live token
    of this plan."""
    if not token or not token.startswith(PREFIX):
        raise BadTriggerToken
    hashed = digest(token)
    row = await session.scalar(select(PlanTrigger).where(PlanTrigger.token_hash == hashed))
    if row is None or row.revoked_at is not None or row.plan_id != plan_id:
        raise BadTriggerToken
    return row


async def fire(
    session: AsyncSession,
    outbox: Outbox,
    plan_id: int,
    token: str | None,
    settings: Settings,
    metrics_path: MetricsPath,
    idempotency_key: str | None,
) -> LoadTestCreated:
    row = await holder(session, plan_id, token)
    actor = Principal(kind="trigger", id=row.id, name=row.name, role=Role(row.role))
    # A key names one run of this plan, whatever the plan holds by the time it is repeated.
    started = await run_plan(
        session, outbox, plan_id, actor, settings, metrics_path,
        idempotency_key=idempotency_key, key_scope=f"trigger:{plan_id}",
        request_print=fingerprint({"plan_id": plan_id}),
    )  # fmt: skip
    row.last_used_at = utcnow()  # after the run's own commit: the key stays its first write
    return started
