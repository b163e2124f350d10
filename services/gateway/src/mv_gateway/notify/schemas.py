"""Request and response bodies of the notification routes. A channel's URL and signing secret
are written, never read back: an answer shows the URL's scheme and host and the mask."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from mv_contracts.common import DbId, no_nul

from .events import DEFAULT_EVENTS, SUBSCRIBABLE, Event

Kind = Literal["webhook", "slack", "email"]
Subscribable = Literal[tuple(e.value for e in SUBSCRIBABLE)]  # type: ignore[valid-type]
Address = Annotated[
    str, Field(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", examples=["ops@example.com"])
]


class ChannelWrite(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"name": "ops", "kind": "slack", "url": "https://hooks.slack.com/services/T/B/x",
                 "events": ["verdict_failed", "regression"]},
            ]
        },
    )  # fmt: skip

    name: Annotated[str, Field(min_length=1, max_length=100), AfterValidator(no_nul)]
    kind: Kind
    url: Annotated[str, Field(max_length=2000), AfterValidator(no_nul)] | None = Field(
        default=None,
        description="Webhook or Slack incoming-webhook URL (a secret); the mask keeps the stored",
    )
    signing_secret: Annotated[str, Field(min_length=1, max_length=500)] | None = Field(
        default=None,
        description="Webhook: the HMAC-SHA256 key the receiver verifies with; the mask keeps it",
    )
    recipients: list[Address] = Field(default_factory=list, max_length=50, description="E-mail")
    events: list[Subscribable] = Field(  # type: ignore[valid-type]
        default_factory=lambda: [e.value for e in DEFAULT_EVENTS], min_length=1
    )
    enabled: bool = True


class ChannelRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: DbId
    project_id: DbId
    name: str
    kind: Kind
    url: str | None = Field(description="Scheme and host only, the rest masked")
    signing_secret: str | None = Field(description="The mask when one is set, else null")
    recipients: list[str]
    events: list[str]
    enabled: bool
    created_at: datetime


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: datetime
    ok: bool
    status_code: int | None
    answer: str | None = Field(description="The start of the receiver's answer, or the error")
    duration_ms: int


class DeliveryRead(BaseModel):
    id: DbId
    channel_id: DbId
    test_id: str | None
    event: Event
    events: list[Event]
    status: Literal["pending", "delivered", "failed"]
    attempts: int
    max_attempts: int
    next_attempt_at: datetime
    created_at: datetime
    finished_at: datetime | None
    tries: list[AttemptRead]
