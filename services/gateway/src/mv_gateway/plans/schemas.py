"""Request and response bodies of plans; the test itself is the body ``POST /load-testing``
takes, validated by the same schema."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from mv_contracts.common import DbId, Name
from mv_gateway.runs import LoadTestCreate


class PlanWrite(BaseModel):
    model_config = ConfigDict(extra="forbid")

    project_id: DbId
    name: Name = Field(description="Unique within the project")
    test: LoadTestCreate


class PlanRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    name: str
    test: LoadTestCreate
    created_at: datetime
    updated_at: datetime
