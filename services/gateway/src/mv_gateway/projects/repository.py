"""Reading and writing projects: the only code that queries the project table."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, delete, func, select, true
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

    @staticmethod
    def _titled(q: str | None) -> ColumnElement[bool]:
        """Title contains ``q``, case-insensitively (lower() on both sides: PostgreSQL and
        SQLite alike; SQLite lowers ASCII only, and Hangul has no case)."""
        if not q:
            return true()
        return func.lower(Project.title).contains(q.lower(), autoescape=True)

    async def list(
        self, offset: int = 0, limit: int = 100, q: str | None = None, newest_first: bool = False
    ) -> Sequence[Project]:
        order = Project.id.desc() if newest_first else Project.id
        result = await self.session.scalars(
            select(Project).where(self._titled(q)).order_by(order).offset(offset).limit(limit)
        )
        return result.all()

    async def count(self, q: str | None = None) -> int:
        counted = select(func.count()).select_from(Project).where(self._titled(q))
        return int(await self.session.scalar(counted) or 0)

    async def delete(self, project_id: int) -> bool:
        """Delete a project and, by the database's cascades, everything under it."""
        result = await self.session.execute(delete(Project).where(Project.id == project_id))
        return bool(result.rowcount)  # type: ignore[attr-defined]
