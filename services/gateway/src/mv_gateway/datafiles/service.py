"""Data files: upload (read and bounded by :mod:`.reading`), list, read, delete; and the rows a
test takes, looked up when it starts, so a plan whose file was deleted is refused then, naming
the scenario, instead of running without its data."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from mv_contracts.data import DataSet
from mv_gateway.auth import AuditLog, Principal
from mv_gateway.core.errors import FieldError, GatewayError, NotFoundError
from mv_gateway.projects import ProjectRepository

from .reading import DataFormat, DataRefused, read_data
from .repository import DataFileRepository
from .tables import DataFile

# A body type the gateway parses as a JSON request before any route sees it: a file sent so
# would be parsed before its size is checked, so it must come as its bytes.
JSON_TYPES = ("application/json", "+json")


class NotDataFile(FieldError):
    """A file that cannot be test data: 422 naming the part and why."""

    def __init__(self, refused: DataRefused) -> None:
        super().__init__(*refused.part.split("."), message=refused.reason)


class DataFileTooLarge(GatewayError):
    status_code = 413


class UnsupportedType(GatewayError):
    status_code = 415


def data_format(name: str, given: DataFormat | None, content_type: str) -> DataFormat:
    kind = content_type.split(";", 1)[0].strip().lower()
    if kind.endswith(JSON_TYPES):
        raise UnsupportedType(
            "send the file's bytes as text/csv, text/plain or application/octet-stream (with "
            "format=json for JSON): a JSON body type is read as a request, not a file"
        )
    if given is not None:
        return given
    for known in DataFormat:
        if name.lower().endswith(f".{known.value}") or kind == f"text/{known.value}":
            return known
    raise FieldError("format", message="give format=csv or json (the name ends in neither)")


async def upload(
    session: AsyncSession,
    project_id: int,
    name: str,
    kind: DataFormat,
    body: bytes,
    actor: Principal,
) -> DataFile:
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)
    try:
        table = read_data(body, kind)
    except DataRefused as refused:
        if refused.too_big:
            raise DataFileTooLarge(f"{refused.part}: {refused.reason}") from None
        raise NotDataFile(refused) from None
    row = await DataFileRepository(session).add(project_id, name, kind, len(body), table)
    await AuditLog(session).record(actor, "upload_data_file", str(row.id), _about(row))
    return row


async def data_file(session: AsyncSession, file_id: int) -> DataFile:
    row = await DataFileRepository(session).get(file_id)
    if row is None:
        raise NotFoundError("data file", file_id)
    return row


async def delete_data_file(session: AsyncSession, file_id: int, actor: Principal) -> None:
    """Plans that name it stay; starting one is refused until it names another file."""
    row = await data_file(session, file_id)
    await AuditLog(session).record(actor, "delete_data_file", str(row.id), _about(row))
    await DataFileRepository(session).delete(row)


async def data_sets(
    session: AsyncSession, project_id: int, uses: Sequence[tuple[int, int]]
) -> list[DataSet]:
    """The rows of each file ``uses`` names as (scenario index, file id), all of the project."""
    found = await DataFileRepository(session).many(file_id for _, file_id in uses)
    sets: dict[int, DataSet] = {}
    for index, file_id in uses:
        row = found.get(file_id)
        if row is None or row.project_id != project_id:
            raise FieldError(
                "scenarios",
                index,
                "data",
                "file_id",
                message=f"data file {file_id} not found in project {project_id} (deleted?)",
            )
        sets[file_id] = DataSet(id=row.id, name=row.name, **row.content)
    return list(sets.values())


def _about(row: DataFile) -> dict[str, object]:
    return {"project_id": row.project_id, "name": row.name, "rows": row.row_count}
