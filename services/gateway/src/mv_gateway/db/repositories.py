"""Repositories: the only code that writes SQL for the gateway's routes and handlers."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from .models import ProcessedMessage, Project


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


class ProcessedMessages:
    """Claims envelope ids inside the caller's transaction: the claim commits with the effects."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, message_id: str, message_type: str) -> bool:
        """True the first time an id is seen; False for a redelivery."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(ProcessedMessage)
            .values(message_id=message_id, message_type=message_type)
            .on_conflict_do_nothing(index_elements=["message_id"])
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]
