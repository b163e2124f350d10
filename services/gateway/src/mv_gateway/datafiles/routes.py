"""HTTP routes of data files: upload a CSV or JSON file to a project (its bytes as the body),
list a project's, read one (its columns and first rows), delete one. Uploading and deleting take
a tester, as saving a plan does, and are written to the audit log."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response, status

from mv_contracts.common import Name
from mv_contracts.data import MAX_DATA_BYTES
from mv_gateway.auth import READ, Tester
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SessionDep

from .reading import DataFormat
from .repository import DataFileRepository
from .schemas import DataFileRead
from .service import data_file, data_format, delete_data_file, upload

router = APIRouter(prefix="/data-files", tags=["Data files"], route_class=ParsedBodyRoute)

FileId = Annotated[int, Path(ge=1, le=2**63 - 1, description="Data file id")]
ProjectQuery = Annotated[int, Query(ge=1, le=2**63 - 1)]
_FILE = {"schema": {"type": "string", "format": "binary"}}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=DataFileRead,
    responses={404: {}, 413: {}, 415: {}, 422: {}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": f"The file's bytes, UTF-8, at most {MAX_DATA_BYTES} bytes",
            "content": {"text/csv": _FILE, "application/octet-stream": _FILE},
        }
    },
)
async def upload_data_file(
    request: Request,
    session: SessionDep,
    tester: Tester,
    project_id: ProjectQuery,
    name: Annotated[Name, Query(description="The file's name, shown in lists")],
    format: Annotated[
        DataFormat | None, Query(description="Default: from the name (.csv, .json)")
    ] = None,
) -> DataFileRead:
    """A CSV (the first row names the columns) or a JSON array of objects; each column becomes
    a variable ``{{column}}`` of the scenarios that use the file. Refused with the part and the
    reason: empty, not UTF-8, ragged rows, a column name twice or not a variable name, too many
    rows or columns (422), too big (413)."""
    kind = data_format(name, format, request.headers.get("content-type", ""))
    body = await request.body()
    return DataFileRead.of(await upload(session, project_id, name, kind, body, tester))


@router.get("", response_model=list[DataFileRead], dependencies=[READ])
async def list_data_files(session: SessionDep, project_id: ProjectQuery) -> list[DataFileRead]:
    return [DataFileRead.of(r) for r in await DataFileRepository(session).of_project(project_id)]


@router.get("/{file_id}", response_model=DataFileRead, responses={404: {}}, dependencies=[READ])
async def read_data_file(file_id: FileId, session: SessionDep) -> DataFileRead:
    return DataFileRead.of(await data_file(session, file_id))


@router.delete("/{file_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}})
async def remove_data_file(file_id: FileId, session: SessionDep, tester: Tester) -> Response:
    await delete_data_file(session, file_id, tester)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
