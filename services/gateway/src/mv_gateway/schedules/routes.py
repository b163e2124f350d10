"""HTTP routes of schedules: a plan's schedule read, set, paused, resumed and removed; a
project's schedules; and a preview of a cron expression's next runs. Testers set schedules,
viewers read them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from mv_gateway.auth import READ, Tester
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SessionDep

from . import service
from .schemas import SchedulePreview, ScheduleRead, ScheduleWrite
from .timing import MAX_HOURS

router = APIRouter(tags=["Schedules"], route_class=ParsedBodyRoute)

PlanId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Plan id")]


@router.get(
    "/plans/{plan_id}/schedule",
    response_model=ScheduleRead,
    responses={404: {}},
    dependencies=[READ],
)
async def read_schedule(plan_id: PlanId, session: SessionDep) -> ScheduleRead:
    """The plan's schedule with its next runs and what its last due run did."""
    row, name = await service.schedule_of(session, plan_id)
    return service.read(row, name)


@router.put("/plans/{plan_id}/schedule", response_model=ScheduleRead, responses={404: {}, 422: {}})
async def set_schedule(
    plan_id: PlanId, body: ScheduleWrite, session: SessionDep, tester: Tester
) -> ScheduleRead:
    """Set (or replace) when the plan runs by itself: a cron expression in a time zone, or every
    N hours. Its runs start with the role of whoever sets it, and say so in ``started_by``
    (``schedule:<plan name>``)."""
    return await service.set_schedule(session, plan_id, body, tester)


@router.post("/plans/{plan_id}/schedule/pause", response_model=ScheduleRead, responses={404: {}})
async def pause_schedule(plan_id: PlanId, session: SessionDep, tester: Tester) -> ScheduleRead:
    return await service.pause(session, plan_id, True, tester)


@router.post("/plans/{plan_id}/schedule/resume", response_model=ScheduleRead, responses={404: {}})
async def resume_schedule(plan_id: PlanId, session: SessionDep, tester: Tester) -> ScheduleRead:
    """Runs again from the next due time after now; those that fell in the pause are dropped."""
    return await service.pause(session, plan_id, False, tester)


@router.delete(
    "/plans/{plan_id}/schedule", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}}
)
async def delete_schedule(plan_id: PlanId, session: SessionDep, tester: Tester) -> Response:
    await service.remove(session, plan_id, tester)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/schedules", response_model=list[ScheduleRead], dependencies=[READ])
async def project_schedules(
    session: SessionDep, project_id: Annotated[int, Query(ge=1, le=2**63 - 1)]
) -> list[ScheduleRead]:
    """The schedules of a project's plans."""
    return await service.of_project(session, project_id)


@router.get(
    "/schedules/preview", response_model=SchedulePreview, responses={422: {}}, dependencies=[READ]
)
async def preview_schedule(
    cron: Annotated[str | None, Query(min_length=9, max_length=120)] = None,
    timezone: Annotated[str, Query(min_length=1, max_length=64)] = "UTC",
    every_hours: Annotated[int | None, Query(ge=1, le=MAX_HOURS)] = None,
    count: Annotated[int, Query(ge=1, le=20)] = 5,
) -> SchedulePreview:
    """When a schedule would run, from now: for an editor, before anything is saved."""
    return service.preview(cron, timezone, every_hours, count)
