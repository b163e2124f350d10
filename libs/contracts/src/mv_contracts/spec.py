"""Spec analysis: the command to analyse an OpenAPI document and its two outcomes."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Literal

from pydantic import Field, HttpUrl, model_validator

from .common import DbId, Name, Text
from .envelope import Contract, Envelope
from .targets import MAX_ENTRIES

HttpMethod = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"]
ParameterLocation = Literal["path", "query", "header", "cookie"]


# Payloads too large for one NATS message (1 MiB by default) travel through JetStream object
# stores: an uploaded document in SPEC_DOCUMENT_BUCKET, an analysed spec in SPEC_OBJECT_BUCKET,
# each object named by the analysis id and kept for SPEC_OBJECT_TTL_SECONDS.
SPEC_DOCUMENT_BUCKET = "mv-spec-documents"
SPEC_OBJECT_BUCKET = "mv-analysed-specs"
SPEC_OBJECT_TTL_SECONDS = 24 * 3600.0
INLINE_SPEC_BYTES = 512 * 1024
# Warnings travel inline in the analysed event, so their number is bounded.
MAX_ANALYSIS_WARNINGS = 100


class SpecSource(Contract):
    """Where the document comes from: a URL, or the document text itself (an upload)."""

    url: HttpUrl | None = Field(default=None, description="Document, Swagger UI, ReDoc or base URL")
    document: str | None = Field(default=None, description="The OpenAPI document, JSON or YAML")
    document_object: str | None = Field(
        default=None,
        description=f"A large upload: the object's name in bucket {SPEC_DOCUMENT_BUCKET}",
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> SpecSource:
        given = [v for v in (self.url, self.document, self.document_object) if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of url, document or document_object")
        return self


class SpecAnalysisRequest(Contract):
    analysis_id: str = Field(min_length=1, max_length=64)
    project_id: DbId
    spec_id: DbId | None = Field(default=None, description="Set when re-analysing a stored spec")
    source: SpecSource
    known_endpoints: dict[str, str] = Field(
        default_factory=dict,
        description="On re-analysis: 'METHOD path' -> fingerprint of each stored endpoint",
    )
    allowed_targets: list[str] | None = Field(
        default=None,
        max_length=MAX_ENTRIES,
        description="The admin's allowed targets (host names, *.domains, networks) in force when "
        "the analysis was asked for: the only non-public addresses the analyzer may fetch from. "
        "Unset: the analyzer's own SPEC_FETCH_ALLOWED_TARGETS",
    )


class ParameterInfo(Contract):
    name: Text
    location: ParameterLocation
    required: bool = False
    description: Text | None = None
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")
    example: Any = None


class RequestBodyInfo(Contract):
    required: bool = False
    content_types: list[str] = Field(default_factory=list)
    schema_: dict[str, Any] = Field(default_factory=dict, alias="schema")
    example: Any = None


class TagInfo(Contract):
    name: Name
    description: Text | None = None


class SecurityScheme(Contract):
    """A scheme of the document's ``securitySchemes`` (``securityDefinitions`` in 2.0) that an
    endpoint's ``security`` names: what pre-fills how a test signs in."""

    type: Literal["http", "apiKey", "oauth2", "openIdConnect", "mutualTLS", "other"]
    scheme: Text | None = Field(default=None, description="http: bearer, basic...")
    bearer_format: Text | None = None
    location: Literal["header", "query", "cookie"] | None = Field(
        default=None, description="apiKey: where the key goes"
    )
    name: Text | None = Field(default=None, description="apiKey: the header, query or cookie")
    flow: Text | None = Field(default=None, description="oauth2: clientCredentials, password...")
    token_url: Text | None = Field(default=None, description="oauth2: the flow's token URL")


class LinkInfo(Contract):
    """A link of the endpoint's success answer: which operation may follow, with what values."""

    name: Text
    operation_id: Text | None = None
    operation_ref: Text | None = None
    parameters: dict[str, Text] = Field(
        default_factory=dict,
        description="Parameter of the next operation → runtime expression ($response.body#/id)",
    )


class EndpointInfo(Contract):
    method: HttpMethod
    path: Text = Field(min_length=1)
    operation_id: Text | None = None
    summary: Text | None = None
    description: Text | None = None
    tags: list[Name] = Field(default_factory=list)
    deprecated: bool = False
    parameters: list[ParameterInfo] = Field(default_factory=list)
    request_body: RequestBodyInfo | None = None
    security: list[dict[str, list[str]]] = Field(default_factory=list)
    security_schemes: dict[str, SecurityScheme] = Field(
        default_factory=dict, description="The schemes ``security`` names, as the document says"
    )
    links: list[LinkInfo] = Field(default_factory=list, max_length=MAX_ENTRIES)
    response_fields: list[Text] = Field(
        default_factory=list,
        max_length=MAX_ENTRIES,
        description="Top-level fields of the first success answer's JSON object",
    )
    fingerprint: str | None = Field(
        default=None, description="Digest of everything above; changes when the endpoint does"
    )

    @property
    def key(self) -> str:
        """'METHOD path', unique within a spec."""
        return f"{self.method} {self.path}"


class AnalysedSpec(Contract):
    title: Text
    version: Text
    description: Text | None = None
    openapi_version: str = Field(description="2.0, 3.0.x or 3.1.x")
    base_url: Text | None = None
    source_url: Text | None = None
    tags: list[TagInfo] = Field(default_factory=list)
    endpoints: list[EndpointInfo] = Field(default_factory=list)


class SpecChanges(Contract):
    """What a re-analysis changed, as 'METHOD path' keys (empty lists on a first analysis)."""

    added: list[str] = Field(default_factory=list)
    changed: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    unchanged: int = 0


class AnalysisWarning(Contract):
    """Something the analysis could not resolve and left out; the rest of the spec is sound."""

    message: Text = Field(min_length=1, description="What was left out and why, for a person")
    ref: Text | None = Field(default=None, description="The $ref that could not be resolved")
    endpoint: Text | None = Field(
        default=None, description="'METHOD path' of the endpoint it affects; none: the document"
    )


class SpecAnalysed(Contract):
    analysis_id: str
    project_id: DbId
    spec_id: DbId | None = None
    spec: AnalysedSpec | None = Field(
        default=None, description=f"The result, inline when under {INLINE_SPEC_BYTES} bytes"
    )
    spec_object: str | None = Field(
        default=None,
        description=f"Else the AnalysedSpec JSON object's name in bucket {SPEC_OBJECT_BUCKET}",
    )
    changes: SpecChanges = Field(default_factory=SpecChanges)
    strategy: str | None = Field(
        default=None, description="How the document was found: document, swagger-ui, redoc, ..."
    )
    warnings: list[AnalysisWarning] = Field(
        default_factory=list,
        max_length=MAX_ANALYSIS_WARNINGS,
        description="Unresolvable parts left out of an otherwise usable analysis",
    )

    @model_validator(mode="after")
    def _spec_or_object(self) -> SpecAnalysed:
        if (self.spec is None) == (self.spec_object is None):
            raise ValueError("give exactly one of spec or spec_object")
        return self


class FailureKind(StrEnum):
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    TOO_LARGE = "too_large"
    REFUSED_ADDRESS = "refused_address"
    MALFORMED = "malformed"
    NOT_OPENAPI = "not_openapi"
    NOT_FOUND = "not_found"
    REDIRECT_LOOP = "redirect_loop"
    INTERNAL = "internal"


class SpecAnalysisFailure(Contract):
    analysis_id: str
    project_id: DbId
    kind: FailureKind
    reason: Text = Field(min_length=1, description="What went wrong, for a person to read")


class SpecAnalysisRequested(Envelope):
    type: Literal["spec.analysis.requested"] = "spec.analysis.requested"
    payload: SpecAnalysisRequest


class SpecAnalysedEvent(Envelope):
    type: Literal["spec.analysed"] = "spec.analysed"
    payload: SpecAnalysed


class SpecAnalysisFailed(Envelope):
    type: Literal["spec.analysis.failed"] = "spec.analysis.failed"
    payload: SpecAnalysisFailure
