"""The only code that queries data_file."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from .reading import DataFormat, DataTable
from .tables import DataFile


class DataFileRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(
        self, project_id: int, name: str, data_format: DataFormat, size: int, table: DataTable
    ) -> DataFile:
        row = DataFile(
            project_id=project_id,
            name=name,
            format=data_format.value,
            size_bytes=size,
            row_count=len(table.rows),
            content={"columns": table.columns, "rows": table.rows},
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def get(self, file_id: int) -> DataFile | None:
        return await self.session.get(DataFile, file_id)

    async def of_project(self, project_id: int) -> Sequence[DataFile]:
        rows = await self.session.scalars(
            select(DataFile).where(DataFile.project_id == project_id).order_by(DataFile.id)
        )
        return rows.all()

    async def many(self, file_ids: Iterable[int]) -> dict[int, DataFile]:
        ids = set(file_ids)
        if not ids:
            return {}
        rows = await self.session.scalars(select(DataFile).where(DataFile.id.in_(ids)))
        return {row.id: row for row in rows}

    async def delete(self, row: DataFile) -> None:
        await self.session.delete(row)
        await self.session.flush()
