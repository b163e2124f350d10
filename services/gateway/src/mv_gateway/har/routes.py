"""HTTP route of the HAR import: a recording in, the preview of its journey out.

Sent as another type than JSON (a file as it is), the upload is refused on its declared length
before a byte is read; sent as JSON, the gateway's body bound (MAX_BODY_BYTES) and strict parser
come first, and the HAR's own bound before anything walks it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from mv_gateway.auth import TEST
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SessionDep, SettingsDep

from . import service
from .reading import MAX_ENTRIES, MAX_HAR_BYTES, HarTooLarge, parse_har
from .schemas import HarPreview

router = APIRouter(tags=["HAR import"], route_class=ParsedBodyRoute)

ProjectId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Project id")]
HostName = Annotated[str, Query(min_length=1, max_length=300)]
HAR_BODY = {
    "required": True,
    "content": {
        "application/json": {"schema": {"type": "object", "description": "A HAR 1.2 file"}},
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    },
}


@router.post(
    "/project/{project_id}/import/har",
    response_model=HarPreview,
    responses={404: {}, 413: {}, 422: {}},
    dependencies=[TEST],
    openapi_extra={"requestBody": HAR_BODY},
    description=f"The body is a HAR file (at most {MAX_HAR_BYTES} bytes and {MAX_ENTRIES} "
    "requests). The answer previews one journey of the project's endpoints: each step ready "
    "for POST /load-testing, the requests set aside and why, the values an answer gave and a "
    "later request sent back as extractions, and the secret values to give again. Nothing is "
    "stored.",
)
async def import_har(
    project_id: ProjectId,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    host: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=300,
            description="The API's host; default: the host of most requests (assets aside)",
        ),
    ] = None,
    keep_hosts: Annotated[
        list[HostName],
        Query(max_length=50, description="Other hosts whose requests count as the API's"),
    ] = [],  # noqa: B006 -- FastAPI copies a query list's default
    keep: Annotated[
        list[Annotated[int, Query(ge=0, lt=MAX_ENTRIES)]],
        Query(
            max_length=MAX_ENTRIES,
            description="Indexes (log.entries) of set-aside requests to keep as steps",
        ),
    ] = [],  # noqa: B006
) -> HarPreview:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_HAR_BYTES:
        raise HarTooLarge(int(declared))
    document = parse_har(await request.body(), settings.max_json_depth)
    return await service.import_har(
        session, project_id, document, host=host, keep_hosts=keep_hosts, keep=keep
    )
