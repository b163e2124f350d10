"""A Postman import on a project: its endpoints and base paths read, then the plain converter
run off the event loop (a 2 MiB collection is a few hundred milliseconds of parsing)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.core.errors import FieldError, NotFoundError
from mv_gateway.projects import ProjectRepository
from mv_gateway.specs import SpecRepository

from .collection import ImportRefused
from .convert import convert
from .requests import Known
from .schemas import PostmanImport, PostmanPreview


async def preview(session: AsyncSession, project_id: int, body: PostmanImport) -> PostmanPreview:
    if not await ProjectRepository(session).exists(project_id):
        raise NotFoundError("project", project_id)
    specs = SpecRepository(session)
    endpoints = [
        Known(e.id, e.method, e.path) for e, _ in await specs.endpoints(project_id=project_id)
    ]
    paths = {
        urlsplit(s.base_url).path.strip("/")
        for s in await specs.for_project(project_id)
        if s.base_url
    }
    try:
        return await asyncio.to_thread(
            convert, body.collection, body.environment, endpoints, sorted(p for p in paths if p)
        )
    except ImportRefused as refused:
        raise FieldError(*refused.loc, message=str(refused)) from None
