"""Request and response bodies of the spec and endpoint routes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, field_validator, model_validator

from mv_contracts.common import DbId
from mv_contracts.spec import LinkInfo, SecurityScheme, SpecSource
from mv_contracts.variables import with_generators
from mv_gateway.core.errors import InvalidRequest

from .tables import DiscoveredServerRow, Endpoint, SpecAnalysis

MAX_DOCUMENT_CHARS = 20 * 1024 * 1024


class EndpointRead(BaseModel):
    id: int
    spec_id: int
    method: str
    path: str
    operation_id: str | None
    summary: str | None
    description: str | None
    deprecated: bool
    removed: bool
    tags: list[str]
    parameters: list[dict[str, Any]]
    request_body: dict[str, Any] | None
    body_template: Any = Field(
        default=None,
        description="A body to start a test from: the request body's example with generated "
        "values ({{$uuid}}, {{$email}}) on the fields whose format must differ per request",
    )
    security: list[dict[str, list[str]]]
    security_schemes: dict[str, SecurityScheme] = Field(
        default_factory=dict, description="The document's schemes that ``security`` names"
    )
    links: list[LinkInfo] = Field(default_factory=list, description="Of the success answer")
    response_fields: list[str] = Field(
        default_factory=list, description="Top-level fields of the success answer"
    )


def endpoint_read(endpoint: Endpoint, tags: list[str]) -> EndpointRead:
    details = endpoint.details or {}
    body = details.get("request_body")
    return EndpointRead(
        id=endpoint.id,
        spec_id=endpoint.openapi_spec_id,
        method=endpoint.method,
        path=endpoint.path,
        operation_id=endpoint.operation_id,
        summary=endpoint.summary,
        description=endpoint.description,
        deprecated=endpoint.deprecated,
        removed=endpoint.removed,
        tags=tags,
        parameters=details.get("parameters") or [],
        request_body=body,
        body_template=None
        if body is None
        else with_generators(body.get("example"), body.get("schema")),
        security=details.get("security") or [],
        security_schemes=details.get("security_schemes") or {},
        links=details.get("links") or [],
        response_fields=details.get("response_fields") or [],
    )


class AnalyseRequest(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"project_id": 1, "openapi_url": "http://my-service:8000/docs"}]
        },
    )

    project_id: DbId
    openapi_url: HttpUrl | None = Field(
        default=None, description="The document, a Swagger UI or ReDoc page, or a base URL"
    )
    document: str | dict[str, Any] | None = Field(
        default=None, description="The document itself: JSON or YAML text, or a JSON object"
    )
    spec_id: DbId | None = Field(default=None, description="Re-analyse this stored spec")

    @model_validator(mode="after")
    def _one_source(self) -> AnalyseRequest:
        if (self.openapi_url is None) == (self.document is None):
            raise ValueError("give exactly one of openapi_url or document")
        if isinstance(self.document, str) and len(self.document) > MAX_DOCUMENT_CHARS:
            raise ValueError(f"document is longer than {MAX_DOCUMENT_CHARS} characters")
        return self

    def source(self) -> SpecSource:
        if self.document is None:
            return SpecSource(url=self.openapi_url)
        text = self.document if isinstance(self.document, str) else json.dumps(self.document)
        if "\x00" in text:  # PostgreSQL text cannot hold it
            raise InvalidRequest("document must not contain NUL characters")
        return SpecSource(document=text)


class WarningRead(BaseModel):
    message: str
    ref: str | None = None
    endpoint: str | None = Field(default=None, description="'METHOD path'; none: the document")


class AnalysisRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    analysis_id: str
    project_id: int
    status: str = Field(description="pending, succeeded or failed")
    spec_id: int | None
    source_url: str | None
    failure_kind: str | None
    reason: str | None
    changes: dict[str, Any] | None
    warnings: list[WarningRead] = Field(
        default_factory=list, description="What the analysis left unresolved (it still succeeded)"
    )
    requested_at: datetime
    finished_at: datetime | None

    _no_warnings = field_validator("warnings", mode="before")(lambda v: v or [])


class TagRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str | None


class SpecRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    project_id: int
    title: str
    version: str
    description: str | None
    openapi_version: str | None
    base_url: str | None
    source_url: str | None
    analysed_at: datetime
    warnings: list[WarningRead] = Field(
        default_factory=list, description="What the latest analysis left unresolved"
    )

    _no_warnings = field_validator("warnings", mode="before")(lambda v: v or [])


class SpecDetail(SpecRead):
    tags: list[TagRead]
    endpoints: list[EndpointRead]


class DiscoveredServerRead(BaseModel):
    """A server found in the test namespace, with the analysis of its latest report."""

    id: int
    project_id: int
    namespace: str
    name: str
    kind: str = Field(description="service or pod")
    base_url: str = Field(description="Where the server answers: the base URL for a test")
    document_url: str = Field(description="What its analysis was given")
    image: str | None
    discovered_at: datetime
    reported_at: datetime = Field(description="When the pod-watcher last reported it")
    analysis: AnalysisRead | None = Field(description="null once the analysis is gone")


def server_read(server: DiscoveredServerRow, analysis: SpecAnalysis | None) -> DiscoveredServerRead:
    return DiscoveredServerRead(
        id=server.id,
        project_id=server.project_id,
        namespace=server.namespace,
        name=server.name,
        kind=server.kind,
        base_url=server.base_url,
        document_url=server.document_url,
        image=server.image,
        discovered_at=server.discovered_at,
        reported_at=server.reported_at,
        analysis=AnalysisRead.model_validate(analysis) if analysis is not None else None,
    )
