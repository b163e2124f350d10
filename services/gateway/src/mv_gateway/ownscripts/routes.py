"""HTTP routes of own scripts: upload (or paste) a version, list them, read one, run one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, status
from fastapi.responses import PlainTextResponse

from mv_gateway.auth import READ, Tester
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import BusDep, OutboxDep, SessionDep, SettingsDep
from mv_gateway.health import MetricsPathDep
from mv_gateway.runs import LoadTestCreated

from . import service
from .schemas import OwnScriptRunCreate, ScriptVersionRead
from .uploads import MAX_UPLOAD_BYTES, UploadTooLarge

router = APIRouter(tags=["Own k6 scripts"], route_class=ParsedBodyRoute)

ProjectId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Project id")]
ScriptName = Annotated[
    str, Path(min_length=1, max_length=255, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
]
UPLOAD_TYPES = {
    "text/javascript": {"schema": {"type": "string"}},
    "application/gzip": {"schema": {"type": "string", "format": "binary"}},
    "application/zip": {"schema": {"type": "string", "format": "binary"}},
}


@router.post(
    "/project/{project_id}/scripts/{name}",
    status_code=status.HTTP_201_CREATED,
    response_model=ScriptVersionRead,
    responses={404: {}, 413: {}, 422: {}, 503: {}},
    openapi_extra={"requestBody": {"required": True, "content": UPLOAD_TYPES}},
)
async def upload_script(
    project_id: ProjectId,
    name: ScriptName,
    request: Request,
    session: SessionDep,
    bus: BusDep,
    tester: Tester,
    entry: Annotated[
        str | None,
        Query(max_length=1024, description="The file k6 runs; default: the archive's one .js"),
    ] = None,
) -> ScriptVersionRead:
    """Store the next version of the script ``name``: the body is one k6 script (pasted or a
    ``.js`` file) or a ``.tar.gz``/``.zip`` of it with its modules and data files. Hostile
    archives (paths out of it, links, bombs, huge files) are a 422 naming why; a body over the
    limit a 413. A test-runner's real ``k6 inspect`` reads it first: a script k6 refuses is a
    422 with k6's words, the file and the line; an accepted one answers k6's scenarios,
    executors and thresholds."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_UPLOAD_BYTES:
        raise UploadTooLarge(int(declared))
    body = await request.body()
    row = await service.upload(session, bus, project_id, name, body, entry, tester)
    return ScriptVersionRead.model_validate(row)


@router.get(
    "/project/{project_id}/scripts",
    response_model=list[ScriptVersionRead],
    dependencies=[READ],
)
async def list_scripts(project_id: ProjectId, session: SessionDep) -> list[ScriptVersionRead]:
    """Every version of every own script of the project, by name then version."""
    return [
        ScriptVersionRead.model_validate(r) for r in await service.versions(session, project_id)
    ]


@router.get(
    "/scripts/{script_id}",
    response_model=ScriptVersionRead,
    responses={404: {}},
    dependencies=[READ],
)
async def get_script(
    script_id: Annotated[int, Path(ge=1, le=2**63 - 1)], session: SessionDep
) -> ScriptVersionRead:
    return ScriptVersionRead.model_validate(await service.version(session, script_id))


@router.get(
    "/scripts/{script_id}/files/{path:path}",
    response_class=PlainTextResponse,
    responses={404: {}, 200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
    dependencies=[READ],
)
async def get_script_file(
    script_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    path: Annotated[str, Path(min_length=1, max_length=1024, description="As in ``files``")],
    session: SessionDep,
) -> PlainTextResponse:
    """One file of a stored version, as text to read (never run or rendered by the browser)."""
    text = await service.file_text(session, script_id, path)
    return PlainTextResponse(text, headers={"Content-Disposition": "inline"})


@router.post(
    "/load-testing/own-script",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=LoadTestCreated,
    responses={404: {}, 413: {}, 422: {}, 429: {}, 503: {}},
)
async def start_own_script(
    body: OwnScriptRunCreate,
    session: SessionDep,
    outbox: OutboxDep,
    tester: Tester,
    settings: SettingsDep,
    metrics_path: MetricsPathDep,
) -> LoadTestCreated:
    """Run a stored version of an own script as it is, like any test (live figures, summary per
    k6 scenario, analysis, baselines, reports, gates); ``env`` becomes the script's ``__ENV``."""
    return await service.start(session, outbox, body, tester, settings, metrics_path)
