"""The test_plan table: the body of ``POST /load-testing`` kept under a name in a project."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mv_gateway.core.database import AUTOINCREMENT, Base, utcnow


class TestPlan(Base):
    __tablename__ = "test_plan"
    __table_args__ = (
        UniqueConstraint("project_id", "name", name="uq_test_plan_project_name"),
        AUTOINCREMENT,  # a deleted plan's id is never given to another
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    test: Mapped[dict[str, Any]] = mapped_column(doc="A LoadTestCreate body as JSON")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
