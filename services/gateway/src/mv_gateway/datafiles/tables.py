"""The data_file table: a project's uploaded test data, parsed once at upload and kept as its
columns and rows (JSON), so a run takes them without parsing the file again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mv_gateway.core.database import AUTOINCREMENT, Base, utcnow


class DataFile(Base):
    __tablename__ = "data_file"
    __table_args__ = AUTOINCREMENT  # an id names one content for good (runs copy data-<id>)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    format: Mapped[str] = mapped_column(String(10))
    size_bytes: Mapped[int]
    row_count: Mapped[int]
    content: Mapped[dict[str, Any]] = mapped_column(doc='{"columns": [...], "rows": [[...]]}')
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
