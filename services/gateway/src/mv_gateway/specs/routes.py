"""HTTP routes of specs: analyse a document (by URL or upload), list, read with tags and
endpoints, delete; and the endpoints of the stored specs, filtered. The analysis itself happens
in the spec-analyzer; :mod:`.analysis` sends the command and waits for the stored outcome.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response, status

from mv_gateway.auth import READ, Admin, AuditLog, Tester
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SessionDep
from mv_gateway.core.errors import InvalidRequest, NotFoundError
from mv_gateway.core.idempotency import KeyHeader, fingerprint
from mv_gateway.projects import ProjectRepository

from .analysis import Analyses
from .repository import SpecRepository
from .schemas import (
    AnalyseRequest,
    AnalysisRead,
    DiscoveredServerRead,
    EndpointRead,
    SpecDetail,
    SpecRead,
    TagRead,
    endpoint_read,
    server_read,
)
from .servers import ServerRepository
from .suggestions import StepSuggestion, suggestions
from .tables import PENDING

router = APIRouter(route_class=ParsedBodyRoute)
specs = APIRouter(prefix="/openapi", tags=["OpenAPI"], route_class=ParsedBodyRoute)
endpoints = APIRouter(prefix="/endpoint", tags=["Endpoint"], route_class=ParsedBodyRoute)
servers = APIRouter(prefix="/project", tags=["Project"], route_class=ParsedBodyRoute)

SpecId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Spec id")]
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
BigId = Annotated[int | None, Query(ge=1, le=2**63 - 1)]
MAX_SUGGESTED_OVER = 2000  # endpoints read for suggestions


def get_analyses(request: Request) -> Analyses:
    state = request.app.state
    return Analyses(state.session_factory, state.outbox, state.analysis_waiters, state.settings)


AnalysesDep = Annotated[Analyses, Depends(get_analyses)]


@specs.post(
    "/analyze",
    response_model=AnalysisRead,
    status_code=status.HTTP_202_ACCEPTED,
    responses={200: {"model": AnalysisRead}, 404: {}, 409: {}, 422: {}},
)
async def analyze(
    body: AnalyseRequest,
    response: Response,
    analyses: AnalysesDep,
    tester: Tester,
    session: SessionDep,
    idempotency_key: KeyHeader = None,
    wait: Annotated[bool, Query(description="Wait for the outcome")] = False,
    timeout: Annotated[  # noqa: ASYNC109 - a query parameter, not a cancellation timeout
        float, Query(gt=0, le=300, description="Seconds to wait")
    ] = 60.0,
) -> AnalysisRead:
    """Analyse a document: 202 with the analysis id at once, or with ``wait=true`` 200 with the
    outcome (422 when the analysis failed, 202 if it is still running at the time-out). The
    command waits in the outbox while NATS is away; a repeated ``Idempotency-Key`` answers the
    analysis the first request made."""
    analysis = AnalysisRead.model_validate(
        await analyses.request(
            body.project_id,
            body.spec_id,
            body.source(),
            wait=wait,
            timeout=timeout,
            idempotency_key=idempotency_key,
            fingerprint=fingerprint(body.model_dump(mode="json")),
        )
    )
    if analysis.status != PENDING:
        response.status_code = status.HTTP_200_OK
    # Written after the analysis is stored (its own transactions): on SQLite a write here first
    # would hold the lock those need.
    await AuditLog(session).record(
        tester, "analyse", analysis.analysis_id, {"project_id": body.project_id}
    )
    return analysis


@specs.get(
    "/analyses/{analysis_id}",
    response_model=AnalysisRead,
    responses={404: {}},
    dependencies=[READ],
)
async def get_analysis(
    analysis_id: Annotated[str, Path(max_length=64)], session: SessionDep
) -> AnalysisRead:
    analysis = await SpecRepository(session).analysis(analysis_id)
    if analysis is None:
        raise NotFoundError("analysis", analysis_id)
    return AnalysisRead.model_validate(analysis)


@specs.get("", response_model=list[SpecRead], responses={404: {}}, dependencies=[READ])
async def list_specs(
    session: SessionDep, project_id: Annotated[int, Query(ge=1, le=2**63 - 1)]
) -> list[SpecRead]:
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)
    return [
        SpecRead.model_validate(s) for s in await SpecRepository(session).for_project(project_id)
    ]


@specs.get("/{spec_id}", response_model=SpecDetail, responses={404: {}}, dependencies=[READ])
async def get_spec(
    spec_id: SpecId,
    session: SessionDep,
    include_removed: Annotated[
        bool, Query(description="Also endpoints gone from the spec")
    ] = False,
) -> SpecDetail:
    view = await SpecRepository(session).view(spec_id, include_removed=include_removed)
    if view is None:
        raise NotFoundError("spec", spec_id)
    return SpecDetail(
        **SpecRead.model_validate(view.spec).model_dump(),
        tags=[TagRead.model_validate(t) for t in view.tags],
        endpoints=[endpoint_read(e, tags) for e, tags in view.endpoints],
    )


@specs.delete("/{spec_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}})
async def delete_spec(spec_id: SpecId, admin: Admin, session: SessionDep) -> Response:
    """Delete a spec with its tags and endpoints."""
    if not await SpecRepository(session).delete(spec_id):
        raise NotFoundError("spec", spec_id)
    await AuditLog(session).record(admin, "delete_spec", str(spec_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@endpoints.get("", response_model=list[EndpointRead], dependencies=[READ])
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


@endpoints.get(
    "/suggestions", response_model=list[StepSuggestion], responses={422: {}}, dependencies=[READ]
)
async def list_suggestions(
    session: SessionDep, project_id: BigId = None, spec_id: BigId = None
) -> list[StepSuggestion]:
    """Next steps a journey builder offers: the document's ``links`` of an endpoint's success
    answer, and a POST whose answer has ``id`` followed by the GET/PUT/PATCH/DELETE of
    ``/{id}`` under its path, each with the extraction that carries the value over."""
    if project_id is None and spec_id is None:
        missing = {"loc": ["query", "project_id"], "msg": "give project_id or spec_id"}
        raise InvalidRequest([{**missing, "type": "missing"}])
    rows = await SpecRepository(session).endpoints(
        spec_id=spec_id, project_id=project_id, limit=MAX_SUGGESTED_OVER
    )
    return suggestions([endpoint_read(e, tags) for e, tags in rows])


@servers.get(
    "/{project_id}/servers",
    response_model=list[DiscoveredServerRead],
    responses={404: {}},
    dependencies=[READ],
)
async def list_discovered_servers(
    project_id: Annotated[int, Path(ge=1, le=2**63 - 1, description="Project id")],
    session: SessionDep,
) -> list[DiscoveredServerRead]:
    """The servers the pod-watcher found in the test namespace that this project is named
    after, by name, each with the analysis of its latest report (its ``spec_id`` once it
    succeeded). A server that went away stays listed; ``reported_at`` says when it was seen."""
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)
    rows = await ServerRepository(session).for_project(project_id)
    return [server_read(server, analysis) for server, analysis in rows]


router.include_router(specs)
router.include_router(endpoints)
router.include_router(servers)
