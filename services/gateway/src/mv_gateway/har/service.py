"""The import's one read of the store: the project's current endpoints, each with its spec's
base path, for the converter to match the recorded requests against."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.core.errors import NotFoundError
from mv_gateway.projects import ProjectRepository
from mv_gateway.specs import SpecRepository

from .converting import preview
from .drafting import EndpointOption
from .reading import read_entries
from .schemas import HarPreview


async def endpoint_options(session: AsyncSession, project_id: int) -> list[EndpointOption]:
    specs = SpecRepository(session)
    prefixes = {
        s.id: urlsplit(s.base_url or "").path.rstrip("/")
        for s in await specs.for_project(project_id)
    }
    return [
        EndpointOption(e.id, e.method, e.path, prefixes.get(e.openapi_spec_id, ""))
        for e, _tags in await specs.endpoints(project_id=project_id)
    ]


async def import_har(
    session: AsyncSession,
    project_id: int,
    document: Any,
    *,
    host: str | None,
    keep_hosts: Collection[str],
    keep: Collection[int],
) -> HarPreview:
    """The preview of the recording as a journey of the project; nothing is stored."""
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)
    entries = read_entries(document)
    options = await endpoint_options(session, project_id)
    return preview(entries, options, host=host, keep_hosts=keep_hosts, keep=keep)
