"""Request and response bodies of the project routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from mv_contracts.common import DbId, Name, no_nul


class ProjectCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "My API Project",
                    "summary": "테스트 프로젝트",
                    "description": "상세 설명",
                }
            ]
        },
    )

    title: Name
    summary: Annotated[str, Field(max_length=500), AfterValidator(no_nul)] | None = None
    description: Annotated[str, Field(max_length=100_000), AfterValidator(no_nul)] | None = None


class ProjectRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: DbId
    title: str
    summary: str | None
    description: str | None
    created_at: datetime
