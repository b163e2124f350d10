"""What is running: tests that are pending or running, with their k6 job."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from mv_gateway.db.tests import TestRuns

from .deps import SessionDep

router = APIRouter(prefix="/scheduler", tags=["Job Scheduler"])


class JobRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    test_id: str
    project_id: int
    title: str
    status: str
    status_reason: str | None
    executor: str | None
    job_name: str | None
    k6_script_file_name: str | None
    tested_at: datetime


@router.get("/jobs", response_model=list[JobRead])
async def list_jobs(session: SessionDep) -> list[JobRead]:
    """Tests not yet finished: pending (sent to the runner) or running (k6 started)."""
    return [JobRead.model_validate(t) for t in await TestRuns(session).active()]
