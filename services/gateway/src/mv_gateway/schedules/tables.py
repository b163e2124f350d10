"""The plan_schedule table: when a plan runs by itself (revision 0010).

``next_run_at`` is the one fact the gateways agree on: a gateway starts a due run only by moving
it forward with a conditional UPDATE (:meth:`.store.Schedules.claim`), in the transaction that
stores the run.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from mv_gateway.core.database import AUTOINCREMENT, Base, utcnow


class PlanSchedule(Base):
    __tablename__ = "plan_schedule"
    __table_args__ = AUTOINCREMENT

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(
        ForeignKey("test_plan.id", ondelete="CASCADE"), unique=True
    )
    cron: Mapped[str | None] = mapped_column(String(120))
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    every_hours: Mapped[int | None]
    anchor: Mapped[datetime] = mapped_column(doc="An interval's runs fall on anchor + k hours")
    paused: Mapped[bool] = mapped_column(Boolean, default=False)
    skip_while_running: Mapped[bool] = mapped_column(Boolean, default=True)
    catch_up: Mapped[str] = mapped_column(String(10), default="one", doc="one or none")
    next_run_at: Mapped[datetime | None] = mapped_column(index=True, doc="None while paused")
    role: Mapped[str] = mapped_column(String(20), doc="The role its runs start with")
    set_by: Mapped[str] = mapped_column(String(100))
    last_due_at: Mapped[datetime | None]
    last_outcome: Mapped[str | None] = mapped_column(String(20))
    last_detail: Mapped[str | None] = mapped_column(Text)
    last_test_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
