"""Setting, pausing, resuming and removing a plan's schedule: one function per route; every
change is audited. Whoever sets a schedule lends it their role: its runs start with that role's
limits, as if they had pressed "Run"."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.auth import AuditLog, Principal
from mv_gateway.core.database import utcnow
from mv_gateway.core.errors import NotFoundError
from mv_gateway.plans import plan_of

from .schemas import SchedulePreview, ScheduleRead, ScheduleWrite
from .store import Schedules
from .tables import PlanSchedule
from .timing import Timing, timing

SHOWN_RUNS = 5


def timing_of(row: PlanSchedule) -> Timing:
    return Timing(row.cron, row.timezone, row.every_hours, row.anchor)


def read(row: PlanSchedule, plan_name: str, now: datetime | None = None) -> ScheduleRead:
    now = now or utcnow()
    when = timing_of(row)
    return ScheduleRead(
        plan_id=row.plan_id,
        plan_name=plan_name,
        cron=row.cron,
        timezone=row.timezone,
        every_hours=row.every_hours,
        paused=row.paused,
        skip_while_running=row.skip_while_running,
        catch_up=row.catch_up,  # checked when written
        description=when.describe(),
        next_runs=[] if row.paused or row.next_run_at is None
        else [row.next_run_at, *when.upcoming(row.next_run_at, SHOWN_RUNS - 1)],
        set_by=row.set_by,
        last_due_at=row.last_due_at,
        last_outcome=row.last_outcome,
        last_detail=row.last_detail,
        last_test_id=row.last_test_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )  # fmt: skip


def preview(
    cron: str | None, timezone: str, every_hours: int | None, count: int
) -> SchedulePreview:
    now = utcnow()
    when = timing(cron, timezone, every_hours, now)
    return SchedulePreview(description=when.describe(), next_runs=when.upcoming(now, count))


async def schedule_of(session: AsyncSession, plan_id: int) -> tuple[PlanSchedule, str]:
    plan = await plan_of(session, plan_id)
    row = await Schedules(session).of_plan(plan_id)
    if row is None:
        raise NotFoundError("schedule of plan", plan_id)
    return row, plan.name


async def set_schedule(
    session: AsyncSession, plan_id: int, body: ScheduleWrite, actor: Principal
) -> ScheduleRead:
    plan = await plan_of(session, plan_id)
    now = utcnow()
    when = timing(body.cron, body.timezone, body.every_hours, now)
    schedules = Schedules(session)
    row = await schedules.of_plan(plan_id) or await schedules.add(
        PlanSchedule(plan_id=plan_id, anchor=now, role=actor.role.value, set_by=actor.actor)
    )
    row.cron, row.timezone, row.every_hours, row.anchor = (
        body.cron, body.timezone, body.every_hours, now,
    )  # fmt: skip
    row.paused, row.skip_while_running, row.catch_up = (
        body.paused, body.skip_while_running, body.catch_up,
    )  # fmt: skip
    row.role, row.set_by, row.updated_at = actor.role.value, actor.actor, now
    row.next_run_at = None if body.paused else when.next_after(now)
    await session.flush()
    await AuditLog(session).record(
        actor, "set_schedule", str(plan_id), body.model_dump(exclude_defaults=False)
    )
    return read(row, plan.name, now)


async def pause(
    session: AsyncSession, plan_id: int, paused: bool, actor: Principal
) -> ScheduleRead:
    row, name = await schedule_of(session, plan_id)
    now = utcnow()
    row.paused, row.updated_at = paused, now
    # Resumed: from now on; the runs that fell in the pause are not "missed".
    row.next_run_at = None if paused else timing_of(row).next_after(now)
    await session.flush()
    await AuditLog(session).record(
        actor, "pause_schedule" if paused else "resume_schedule", str(plan_id)
    )
    return read(row, name, now)


async def remove(session: AsyncSession, plan_id: int, actor: Principal) -> None:
    row, _ = await schedule_of(session, plan_id)
    await AuditLog(session).record(actor, "delete_schedule", str(plan_id))
    await Schedules(session).delete(row)


async def of_project(session: AsyncSession, project_id: int) -> list[ScheduleRead]:
    now = utcnow()
    return [read(row, name, now) for row, name in await Schedules(session).of_project(project_id)]
