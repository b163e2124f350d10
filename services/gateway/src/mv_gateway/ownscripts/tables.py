"""The own_script table: each stored version of a team's own k6 script."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mv_gateway.core.database import AUTOINCREMENT, Base, utcnow


class OwnScript(Base):
    """One version: a re-upload under the same name is the next version, never an overwrite,
    so a test's ``own_script_id`` names exactly the files it ran."""

    __tablename__ = "own_script"
    __table_args__ = (
        UniqueConstraint("project_id", "name", "version", name="uq_own_script_version"),
        AUTOINCREMENT,  # a deleted version's id is never given to another
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    version: Mapped[int] = mapped_column()
    entry: Mapped[str] = mapped_column(String(1024), doc="The file k6 runs")
    archive: Mapped[bytes] = mapped_column(LargeBinary, doc="The normalised tar.gz of its files")
    digest: Mapped[str] = mapped_column(String(64), doc="sha256 of the archive")
    files: Mapped[dict[str, Any]] = mapped_column(doc="path → size in bytes")
    inspection: Mapped[dict[str, Any]] = mapped_column(doc="k6's reading (ScriptInspection)")
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
