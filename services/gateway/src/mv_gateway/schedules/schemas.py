"""Request and response bodies of schedules."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from .timing import MAX_HOURS

CatchUp = Literal["one", "none"]
Outcome = Literal["started", "skipped", "missed", "refused"]


class ScheduleWrite(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"cron": "0 2 * * *", "timezone": "Asia/Seoul"}]},
    )

    cron: str | None = Field(
        default=None, min_length=9, max_length=120,
        description="Five-field cron expression (minute hour day month weekday), read in"
        " ``timezone``; or give every_hours",
    )  # fmt: skip
    timezone: str = Field(default="UTC", min_length=1, max_length=64, description="IANA zone")
    every_hours: int | None = Field(
        default=None, ge=1, le=MAX_HOURS, description="Instead of cron: every N hours from now"
    )
    paused: bool = False
    skip_while_running: bool = Field(
        default=True, description="Start no run while the plan's previous run is still going"
    )
    catch_up: CatchUp = Field(
        default="one",
        description="Runs missed while the gateway was down: one run when it is back, or none",
    )


class ScheduleRead(BaseModel):
    plan_id: int
    plan_name: str
    cron: str | None
    timezone: str
    every_hours: int | None
    paused: bool
    skip_while_running: bool
    catch_up: CatchUp
    description: str = Field(description="When it runs, in English words")
    next_runs: list[datetime] = Field(description="The next few runs (none while paused)")
    set_by: str
    last_due_at: datetime | None
    last_outcome: Outcome | None
    last_detail: str | None
    last_test_id: str | None
    created_at: datetime
    updated_at: datetime


class SchedulePreview(BaseModel):
    description: str
    next_runs: list[datetime]
