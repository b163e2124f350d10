"""OpenAPI specs: analyse a document (by URL or upload), list, read with tags and endpoints,
delete. The analysis itself happens in the spec-analyzer; this edge publishes the command and,
with ``?wait=true``, waits for the stored outcome.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import datetime
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from faststream.nats import NatsBroker
from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.common import DbId
from mv_contracts.spec import (
    INLINE_SPEC_BYTES,
    SPEC_DOCUMENT_BUCKET,
    SPEC_OBJECT_TTL_SECONDS,
    SpecAnalysisRequest,
    SpecAnalysisRequested,
    SpecSource,
)
from mv_contracts.subjects import ANALYSE_SPEC
from mv_gateway.bus.specs import WAITERS
from mv_gateway.db.models import Project, utcnow
from mv_gateway.db.specs import FAILED, PENDING, SpecAnalysis, SpecRepository

from .deps import BusDep, SessionDep
from .endpoints import EndpointRead, endpoint_read
from .errors import NotFoundError

router = APIRouter(prefix="/openapi", tags=["OpenAPI"])
log = structlog.get_logger()

SpecId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Spec id")]
MAX_DOCUMENT_CHARS = 20 * 1024 * 1024
POLL_SECONDS = 1.0


class AnalyseRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"project_id": 1, "openapi_url": "http://my-service:8000/docs"}]
        },
    )

    project_id: DbId
    openapi_url: HttpUrl | None = Field(
        default=None, description="The document, a Swagger UI or ReDoc page, or a base URL"
    )
    document: str | dict[str, Any] | None = Field(
        default=None, description="The document itself: JSON or YAML text, or a JSON object"
    )
    spec_id: DbId | None = Field(default=None, description="Re-analyse this stored spec")

    @model_validator(mode="after")
    def _one_source(self) -> AnalyseRequest:
        if (self.openapi_url is None) == (self.document is None):
            raise ValueError("give exactly one of openapi_url or document")
        if isinstance(self.document, str) and len(self.document) > MAX_DOCUMENT_CHARS:
            raise ValueError(f"document is longer than {MAX_DOCUMENT_CHARS} characters")
        return self

    def source(self) -> SpecSource:
        if self.document is None:
            return SpecSource(url=self.openapi_url)
        text = self.document if isinstance(self.document, str) else json.dumps(self.document)
        if "\x00" in text:
            raise ValueError("document must not contain NUL characters")
        return SpecSource(document=text)


class AnalysisRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    analysis_id: str
    project_id: int
    status: str = Field(description="pending, succeeded or failed")
    spec_id: int | None
    source_url: str | None
    failure_kind: str | None
    reason: str | None
    changes: dict[str, Any] | None
    requested_at: datetime
    finished_at: datetime | None


class TagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None


class SpecRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    title: str
    version: str
    description: str | None
    openapi_version: str | None
    base_url: str | None
    source_url: str | None
    analysed_at: datetime


class SpecDetail(SpecRead):
    tags: list[TagRead]
    endpoints: list[EndpointRead]


def _sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    return factory


async def _read_analysis(
    sessions: async_sessionmaker[AsyncSession], analysis_id: str
) -> SpecAnalysis | None:
    async with sessions() as session:
        return await SpecRepository(session).analysis(analysis_id)


async def _wait(
    sessions: async_sessionmaker[AsyncSession],
    analysis_id: str,
    future: asyncio.Future[None],
    seconds: float,
) -> None:
    """Until the outcome is stored (told by the handler, or seen by polling) or ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while (remaining := deadline - loop.time()) > 0:
        try:
            await asyncio.wait_for(asyncio.shield(future), min(remaining, POLL_SECONDS))
            return
        except TimeoutError:
            analysis = await _read_analysis(sessions, analysis_id)
            if analysis is not None and analysis.status != PENDING:
                return


async def _offload(request: Request, command: SpecAnalysisRequested) -> SpecAnalysisRequested:
    """A large upload goes into the object store; the command names it (NATS messages are small)."""
    document = command.payload.source.document
    if document is None:
        return command
    data = document.encode("utf-8")
    if len(data) <= INLINE_SPEC_BYTES:
        return command
    broker: NatsBroker = request.app.state.broker
    store = await broker.object_storage(SPEC_DOCUMENT_BUCKET, ttl=SPEC_OBJECT_TTL_SECONDS)
    name = command.payload.analysis_id
    await store.put(name, data)
    payload = command.payload.model_copy(update={"source": SpecSource(document_object=name)})
    return command.model_copy(update={"payload": payload})


@router.post(
    "/analyze",
    response_model=AnalysisRead,
    status_code=status.HTTP_202_ACCEPTED,
    responses={200: {"model": AnalysisRead}, 404: {}, 422: {}, 503: {}},
)
async def analyze(
    body: AnalyseRequest,
    request: Request,
    response: Response,
    bus: BusDep,
    wait: Annotated[bool, Query(description="Wait for the outcome")] = False,
    timeout: Annotated[  # noqa: ASYNC109 - a query parameter, not a cancellation timeout
        float, Query(gt=0, le=300, description="Seconds to wait")
    ] = 60.0,
) -> AnalysisRead:
    """Analyse a document: 202 with the analysis id at once, or with ``wait=true`` 200 with the
    outcome (422 when the analysis failed, 202 if it is still running at the time-out)."""
    try:
        source = body.source()
    except ValueError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error
    sessions = _sessions(request)
    analysis_id = uuid.uuid4().hex
    async with sessions() as session, session.begin():
        if await session.get(Project, body.project_id) is None:
            raise NotFoundError("project", body.project_id)
        repository = SpecRepository(session)
        known: dict[str, str] = {}
        if body.spec_id is not None:
            spec = await repository.get(body.spec_id)
            if spec is None or spec.project_id != body.project_id:
                raise NotFoundError("spec", body.spec_id)
            known = await repository.known_endpoints(spec.id)
        url = str(source.url) if source.url else None
        await repository.add_analysis(analysis_id, body.project_id, body.spec_id, url)
    command = SpecAnalysisRequested(
        correlation_id=analysis_id,
        payload=SpecAnalysisRequest(
            analysis_id=analysis_id,
            project_id=body.project_id,
            spec_id=body.spec_id,
            source=source,
            known_endpoints=known,
        ),
    )
    future = WAITERS.expect(analysis_id)
    try:
        try:
            if source.document is not None and len(source.document) > INLINE_SPEC_BYTES // 4:
                command = await _offload(request, command)
            await bus.publish(ANALYSE_SPEC, command)
        except Exception as error:
            log.warning("analyse command not published", error=str(error))
            async with sessions() as session, session.begin():
                failed = await SpecRepository(session).analysis(analysis_id)
                if failed is not None:
                    failed.status, failed.failure_kind = FAILED, "internal"
                    failed.reason, failed.finished_at = "the message bus is unreachable", utcnow()
            raise HTTPException(
                status.HTTP_503_SERVICE_UNAVAILABLE, "the message bus is unreachable; try again"
            ) from error
        if wait:
            await _wait(sessions, analysis_id, future, timeout)
    finally:
        WAITERS.forget(analysis_id)
    analysis = await _read_analysis(sessions, analysis_id)
    assert analysis is not None
    result = AnalysisRead.model_validate(analysis)
    if result.status == FAILED:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            {"analysis_id": analysis_id, "kind": result.failure_kind, "reason": result.reason},
        )
    if result.status != PENDING:
        response.status_code = status.HTTP_200_OK
    return result


@router.get("/analyses/{analysis_id}", response_model=AnalysisRead, responses={404: {}})
async def get_analysis(
    analysis_id: Annotated[str, Path(max_length=64)], session: SessionDep
) -> AnalysisRead:
    analysis = await SpecRepository(session).analysis(analysis_id)
    if analysis is None:
        raise NotFoundError("analysis", analysis_id)
    return AnalysisRead.model_validate(analysis)


@router.get("", response_model=list[SpecRead], responses={404: {}})
async def list_specs(
    session: SessionDep, project_id: Annotated[int, Query(ge=1, le=2**63 - 1)]
) -> list[SpecRead]:
    if await session.get(Project, project_id) is None:
        raise NotFoundError("project", project_id)
    return [
        SpecRead.model_validate(s) for s in await SpecRepository(session).for_project(project_id)
    ]


@router.get("/{spec_id}", response_model=SpecDetail, responses={404: {}})
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


@router.delete("/{spec_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}})
async def delete_spec(spec_id: SpecId, session: SessionDep) -> Response:
    """Delete a spec with its tags and endpoints."""
    if not await SpecRepository(session).delete(spec_id):
        raise NotFoundError("spec", spec_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
