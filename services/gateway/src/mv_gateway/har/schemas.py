"""The answer of a HAR import: a preview of the journey, nothing stored.

Each step's ``step`` is a step of the load-testing API as it is (``POST /load-testing``'s
``scenarios[].steps[]``), so the builder, or a client, takes the steps as they are. Secret
values (a password, an API key, a cookie from before the recording) are never echoed: they
show the mask and are listed in ``secrets_to_fill``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from mv_contracts.calls import Headers, SecretFields
from mv_contracts.common import DbId, Name, Text
from mv_contracts.journeys import MAX_CHECKS, MAX_EXTRACTIONS, Check, Extraction

from .filtering import Reason


class ImportedStep(BaseModel):
    """A journey step as ``POST /load-testing`` takes it."""

    model_config = ConfigDict(extra="forbid")

    name: Name
    endpoint_id: DbId = Field(description="The project's endpoint the request matched")
    path_params: dict[str, Text] = Field(default_factory=dict)
    query: dict[str, Text] = Field(default_factory=dict)
    headers: Headers = Field(default_factory=dict)
    body: Any = None
    secrets: SecretFields = Field(default_factory=SecretFields)
    think_time: float = Field(default=0, ge=0, le=3600)
    extract: list[Extraction] = Field(default_factory=list, max_length=MAX_EXTRACTIONS)
    checks: list[Check] = Field(default_factory=list, max_length=MAX_CHECKS)


class PreviewStep(BaseModel):
    entry: int = Field(description="The request's index in the HAR's log.entries")
    method: str
    url: str = Field(description="Scheme, host and path (the query is in the step)")
    status: int = Field(description="The answer's status in the recording")
    step: ImportedStep


class SkippedRequest(BaseModel):
    entry: int = Field(description="The request's index in the HAR's log.entries")
    method: str
    url: str = Field(description="Scheme, host and path")
    host: str
    reason: Reason
    detail: str = Field(description="The reason in words")
    keepable: bool = Field(
        description="Whether it can be kept: send its index in keep (or its host in keep_hosts)"
    )


class Correlation(BaseModel):
    """A value an answer gave and a later request sent back: extracted, then sent as
    ``{{variable}}``. The value itself is not shown (it is often a token)."""

    variable: str
    step: str = Field(description="The step whose answer holds it (its extraction)")
    source: str = Field(description="json or header")
    expression: str
    used_in: list[str] = Field(description="'<step>: <field>' of each place it is sent")


class SecretToFill(BaseModel):
    step: str
    field: str = Field(examples=["body.password", "headers.X-Api-Key"])


class HarPreview(BaseModel):
    main_host: str | None = Field(description="The host the journey loads")
    base_url: str | None = Field(
        description="The test's base URL (scheme, host and the spec's path); a test still "
        "needs it among the allowed targets"
    )
    entries: int = Field(description="Requests in the recording")
    hosts: dict[str, int] = Field(description="Requests per host")
    steps: list[PreviewStep]
    skipped: list[SkippedRequest]
    correlations: list[Correlation]
    secrets_to_fill: list[SecretToFill] = Field(
        description="Secret values the preview does not echo: give them before running"
    )
    notes: list[str] = Field(description="What else was changed and why (cookies, ...)")
