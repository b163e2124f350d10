"""Endpoints of the stored specs, filtered by spec, project, tag, method and text."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from mv_gateway.db.models import Endpoint
from mv_gateway.db.specs import SpecRepository

from .deps import SessionDep

router = APIRouter(prefix="/endpoint", tags=["Endpoint"])

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
BigId = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


class EndpointRead(BaseModel):
    id: int
    spec_id: int
    method: str
    path: str
    operation_id: str | None
    summary: str | None
    description: str | None
    deprecated: bool
    removed: bool
    tags: list[str]
    parameters: list[dict[str, Any]]
    request_body: dict[str, Any] | None
    security: list[dict[str, list[str]]]


def endpoint_read(endpoint: Endpoint, tags: list[str]) -> EndpointRead:
    details = endpoint.details or {}
    return EndpointRead(
        id=endpoint.id,
        spec_id=endpoint.openapi_spec_id,
        method=endpoint.method,
        path=endpoint.path,
        operation_id=endpoint.operation_id,
        summary=endpoint.summary,
        description=endpoint.description,
        deprecated=endpoint.deprecated,
        removed=endpoint.removed,
        tags=tags,
        parameters=details.get("parameters") or [],
        request_body=details.get("request_body"),
        security=details.get("security") or [],
    )


@router.get("", response_model=list[EndpointRead])
async def list_endpoints(
    session: SessionDep,
    spec_id: BigId = None,
    project_id: BigId = None,
    tag: Annotated[str | None, Query(min_length=1, max_length=255)] = None,
    method: Annotated[Method | None, Query()] = None,
    text: Annotated[
        str | None, Query(min_length=1, max_length=200, description="In path, summary, ...")
    ] = None,
    include_removed: bool = False,
    offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[EndpointRead]:
    rows = await SpecRepository(session).endpoints(
        spec_id=spec_id,
        project_id=project_id,
        tag=tag,
        method=method,
        text=text,
        include_removed=include_removed,
        offset=offset,
        limit=limit,
    )
    return [endpoint_read(e, tags) for e, tags in rows]
