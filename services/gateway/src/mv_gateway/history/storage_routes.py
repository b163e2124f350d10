"""Deleting one test (with its points), and the points each project holds in InfluxDB, for
admins: counted by the metrics-aggregator when asked, within the retention in force."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status
from nats.errors import NoRespondersError
from pydantic import BaseModel, Field
from sqlalchemy import delete, select

from mv_contracts.metrics import PointsCount, PointsCountRequested
from mv_contracts.subjects import COUNT_POINTS
from mv_gateway.auth import ADMIN, Admin, AuditLog
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.database import utcnow
from mv_gateway.core.deps import BusDep, OutboxDep, SessionDep
from mv_gateway.core.errors import ConflictError, NotFoundError, ServiceUnavailable
from mv_gateway.projects import ProjectRepository

from .purging import purge_points
from .tables import ACTIVE, TestHistory

router = APIRouter(tags=["Storage"], route_class=ParsedBodyRoute)
COUNT_SECONDS = 60.0


@router.delete(
    "/test-history/{history_id}", status_code=status.HTTP_204_NO_CONTENT,
    responses={404: {}, 409: {}},
)  # fmt: skip
async def delete_test(
    history_id: Annotated[int, Path(ge=1, le=2**63 - 1)], admin: Admin, session: SessionDep,
    outbox: OutboxDep,
) -> Response:  # fmt: skip
    """Delete a finished test: its figures, series, findings, and its points in InfluxDB."""
    test = await session.get(TestHistory, history_id)
    if test is None:
        raise NotFoundError("test", history_id)
    if test.status in ACTIVE:
        raise ConflictError("the test is still pending or running: cancel it first")
    await purge_points(session, [test.test_id], test.test_id)
    await session.execute(delete(TestHistory).where(TestHistory.id == history_id))
    await AuditLog(session).record(admin, "delete_test", test.test_id)
    await session.commit()
    outbox.wake()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


class ProjectStorage(BaseModel):
    project_id: int
    title: str
    tests: int = Field(description="Tests of the project with points in InfluxDB")
    points: int = Field(description="Field values stored, counted")


class Storage(BaseModel):
    counted_at: datetime
    retention_days: int = Field(description="Days InfluxDB keeps points; 0: for ever")
    projects: list[ProjectStorage]
    other_points: int = Field(description="Points of tests no project holds (other tools)")
    note: str


@router.get("/storage", response_model=Storage, dependencies=[ADMIN], responses={503: {}})
async def storage(
    session: SessionDep, bus: BusDep,
    project_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> Storage:  # fmt: skip
    """Points in InfluxDB per project, counted now by the metrics-aggregator (a full count:
    slow on a large database). Summaries, series and findings in the gateway's database are
    kept whatever the retention."""
    try:
        answer: PointsCount = await bus.request(
            COUNT_POINTS, PointsCountRequested(correlation_id="storage"), seconds=COUNT_SECONDS
        )
    except NoRespondersError as error:
        raise ServiceUnavailable("no metrics-aggregator is answering; is it running?") from error
    except Exception as error:
        raise ServiceUnavailable(f"the points were not counted: {error}") from error
    if answer.error is not None:
        raise ServiceUnavailable(f"InfluxDB: {answer.error}")
    rows = (
        await session.execute(
            select(TestHistory.test_id, TestHistory.project_id).where(
                TestHistory.test_id.in_(list(answer.by_test))
            )
        )
    ).all()
    owner: dict[str, int] = {test_id: project for test_id, project in rows}  # noqa: C416
    by_project: dict[int, ProjectStorage] = {}
    projects = ProjectRepository(session)
    for test_id, points in answer.by_test.items():
        if (project := owner.get(test_id)) is None:
            continue
        if project not in by_project:
            found = await projects.get(project)
            by_project[project] = ProjectStorage(
                project_id=project, title=found.title if found else "", tests=0, points=0
            )
        by_project[project].tests += 1
        by_project[project].points += points
    other = sum(p for t, p in answer.by_test.items() if t not in owner)
    shown = [p for p in by_project.values() if project_id is None or p.project_id == project_id]
    return Storage(
        counted_at=utcnow(), retention_days=answer.retention_days,
        projects=sorted(shown, key=lambda p: -p.points), other_points=other,
        note="Points counted in InfluxDB (every field value of every measurement), within the "
        "retention; InfluxDB compresses them to a few bytes each on disk.",
    )  # fmt: skip
