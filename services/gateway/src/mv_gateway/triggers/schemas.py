"""Request and response bodies of trigger tokens."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class TriggerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="Who uses it, e.g. deploy-prod")


class TriggerRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    plan_id: int
    name: str
    hint: str = Field(description="The token's prefix and last characters")
    created_by: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


class TriggerCreated(TriggerRead):
    token: str = Field(description="Shown this once; send it as Authorization: Bearer …")
    url: str = Field(description="POST here with the token (and an Idempotency-Key)")
