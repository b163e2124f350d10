"""HTTP routes of projects: create, list, read, delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status

from mv_gateway.auth import READ, TEST, Admin, AuditLog
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import OutboxDep, SessionDep
from mv_gateway.core.errors import InvalidRequest, NotFoundError

from .deletion import BeforeDelete, get_before_delete
from .repository import ProjectRepository
from .schemas import ProjectCreate, ProjectRead

router = APIRouter(prefix="/project", tags=["Project"], route_class=ParsedBodyRoute)
TOTAL_HEADER = "X-Total-Count"

ProjectId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Project id")]


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ProjectRead, dependencies=[TEST]
)
async def create_project(body: ProjectCreate, session: SessionDep) -> ProjectRead:
    project = await ProjectRepository(session).add(body.title, body.summary, body.description)
    return ProjectRead.model_validate(project)


@router.get(
    "",
    response_model=list[ProjectRead],
    dependencies=[READ],
    responses={
        200: {
            "headers": {
                TOTAL_HEADER: {
                    "description": "How many projects match q (all pages)",
                    "schema": {"type": "integer"},
                }
            }
        }
    },
)
async def list_projects(
    session: SessionDep,
    response: Response,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    q: Annotated[
        str | None,
        Query(max_length=255, description="Only projects whose title contains this, any case"),
    ] = None,
    order: Annotated[
        Literal["oldest", "newest"], Query(description="By id: oldest first, or newest first")
    ] = "oldest",
) -> list[ProjectRead]:
    """A page of projects (``offset``, ``limit``), the total that match in the
    ``X-Total-Count`` header."""
    repository = ProjectRepository(session)
    q = q.strip() if q else None
    if q and "\x00" in q:
        # PostgreSQL text cannot hold NUL: a clear 422, not a database error
        raise InvalidRequest(
            [
                {
                    "loc": ["query", "q"],
                    "msg": "must not contain NUL characters",
                    "type": "value_error",
                }
            ]
        )
    projects = await repository.list(offset, limit, q, newest_first=order == "newest")
    response.headers[TOTAL_HEADER] = str(await repository.count(q))
    return [ProjectRead.model_validate(p) for p in projects]


@router.get("/{project_id}", response_model=ProjectRead, responses={404: {}}, dependencies=[READ])
async def get_project(project_id: ProjectId, session: SessionDep) -> ProjectRead:
    project = await ProjectRepository(session).get(project_id)
    if project is None:
        raise NotFoundError("project", project_id)
    return ProjectRead.model_validate(project)


@router.delete("/{project_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}})
async def delete_project(
    project_id: ProjectId,
    admin: Admin,
    session: SessionDep,
    outbox: OutboxDep,
    before_delete: Annotated[Sequence[BeforeDelete], Depends(get_before_delete)],
) -> Response:
    """Delete a project with its specs, endpoints and test history. Its tests still pending or
    running are cancelled first (k6 is stopped); the cancellations are sent once it is gone."""
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)
    for hook in before_delete:
        await hook(session, project_id)
    await ProjectRepository(session).delete(project_id)
    await AuditLog(session).record(admin, "delete_project", str(project_id))
    await session.commit()
    outbox.wake()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
