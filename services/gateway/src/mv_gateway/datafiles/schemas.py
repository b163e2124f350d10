"""What the data-file routes answer: the file's facts and a preview, never all its rows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from mv_contracts.data import PREVIEW_ROWS

from .tables import DataFile


class DataFileRead(BaseModel):
    id: int
    project_id: int
    name: str
    format: str = Field(description="csv or json")
    size_bytes: int
    row_count: int
    columns: list[str] = Field(description="Each a variable of the scenarios: {{column}}")
    preview: list[list[Any]] = Field(description=f"The first {PREVIEW_ROWS} rows")
    created_at: datetime

    @classmethod
    def of(cls, row: DataFile) -> DataFileRead:
        return cls(
            id=row.id,
            project_id=row.project_id,
            name=row.name,
            format=row.format,
            size_bytes=row.size_bytes,
            row_count=row.row_count,
            columns=row.content["columns"],
            preview=row.content["rows"][:PREVIEW_ROWS],
            created_at=row.created_at,
        )
