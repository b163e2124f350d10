"""Reading and writing projects: the only code that queries the project table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from .tables import Project


class ProjectRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, title: str, summary: str | None, description: str | None) -> Project:
        project = Project(title=title, summary=summary, description=description)
        self.session.add(project)
        await self.session.flush()
        return project

    async def get(self, project_id: int) -> Project | None:
        return await self.session.get(Project, project_id)

    async def exists(self, project_id: int) -> bool:
        return await self.get(project_id) is not None

    async def first_titled(self, title: str) -> Project | None:
        """The oldest project of that title."""
        return await self.session.scalar(
            select(Project).where(Project.title == title).order_by(Project.id).limit(1)
        )

    async def titles(self, project_ids: Iterable[int]) -> dict[int, str]:
        ids = set(project_ids)
        if not ids:
            return {}
        rows = await self.session.execute(
            select(Project.id, Project.title).where(Project.id.in_(ids))
        )
        return dict(rows.all())

    async def list(self, offset: int = 0, limit: int = 100) -> Sequence[Project]:
        result = await self.session.scalars(
            select(Project).order_by(Project.id).offset(offset).limit(limit)
        )
        return result.all()

    async def count(self) -> int:
        return int(await self.session.scalar(select(func.count()).select_from(Project)) or 0)

    async def delete(self, project_id: int) -> bool:
        """Delete a project and, by the database's cascades, everything under it."""
        result = await self.session.execute(delete(Project).where(Project.id == project_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
