"""HTTP routes of projects: create, list, read, delete."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from mv_gateway.auth import READ, TEST, Admin, AuditLog
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import OutboxDep, SessionDep
from mv_gateway.core.errors import NotFoundError

from .deletion import BeforeDelete, get_before_delete
from .repository import ProjectRepository
from .schemas import ProjectCreate, ProjectRead

router = APIRouter(prefix="/project", tags=["Project"], route_class=ParsedBodyRoute)

ProjectId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Project id")]


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ProjectRead, dependencies=[TEST]
)
async def create_project(body: ProjectCreate, session: SessionDep) -> ProjectRead:
    project = await ProjectRepository(session).add(body.title, body.summary, body.description)
    return ProjectRead.model_validate(project)


@router.get("", response_model=list[ProjectRead], dependencies=[READ])
async def list_projects(
    session: SessionDep,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[ProjectRead]:
    projects = await ProjectRepository(session).list(offset, limit)
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
