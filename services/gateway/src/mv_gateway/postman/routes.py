"""HTTP route of the Postman import: a preview of the test a collection makes, nothing stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request

from mv_gateway.auth import Tester
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SessionDep
from mv_gateway.core.errors import GatewayError

from . import service
from .collection import MAX_FILE_BYTES
from .schemas import PostmanImport, PostmanPreview

router = APIRouter(tags=["Postman import"], route_class=ParsedBodyRoute)

ProjectId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Project id")]
# Two files as JSON strings: escapes may double a file's bytes.
MAX_BODY_BYTES = 4 * MAX_FILE_BYTES + 64 * 1024


class ImportTooLarge(GatewayError):
    status_code = 413

    def __init__(self, size: int) -> None:
        super().__init__(f"the import is {size} bytes; the limit is {MAX_BODY_BYTES}")


def _bounded(request: Request) -> None:
    """A declared length over the limit is a 413 before the body's fields are read (a
    dependency runs before FastAPI validates the body)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise ImportTooLarge(int(declared))


@router.post(
    "/project/{project_id}/import/postman",
    dependencies=[Depends(_bounded)],
    response_model=PostmanPreview,
    # A journey whose scenario-level request fields are filled in (defaults) is refused.
    response_model_exclude_unset=True,
    responses={404: {}, 413: {}, 422: {}},
)
async def import_postman(
    project_id: ProjectId, body: PostmanImport, session: SessionDep, _: Tester
) -> PostmanPreview:
    """A preview of the test a Postman collection (v2.1) makes on the project, with an optional
    environment: each file's text as a JSON string (``{"collection": "...", "environment":
    "..."}``). Its folders become journeys on the project's endpoints (matched by method and
    path), its variables values or secrets (masked here, each named with the fields it fills),
    its auth the sign-in; scripts are never run: listed, a test script's status checks and
    ``pm.environment.set(..., pm.response.json().x)`` read when nothing else is in it. Nothing
    is stored: the builder loads the preview's ``test``. An unreadable file is a 422 naming
    the field and why."""
    return await service.preview(session, project_id, body)
