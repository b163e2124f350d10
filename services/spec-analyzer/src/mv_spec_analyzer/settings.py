"""Spec analyzer settings (environment variables are the field names, upper-cased)."""

from __future__ import annotations

from pydantic import Field

from mv_runtime.settings import ServiceSettings

from .guarding import DEFAULT_DENY


class Settings(ServiceSettings):
    spec_max_bytes: int = Field(
        default=20 * 1024 * 1024, gt=0, description="Largest document (and external part), bytes"
    )
    spec_fetch_timeout: float = Field(default=20.0, gt=0, description="Seconds per fetch")
    spec_fetch_max_redirects: int = Field(default=5, ge=0, le=20, description="Per fetch")
    spec_fetch_allow_networks: list[str] = Field(
        default_factory=list,
        description="CIDRs always fetchable; the most specific of allow/deny wins (JSON list)",
    )
    spec_fetch_deny_networks: list[str] = Field(
        default_factory=lambda: list(DEFAULT_DENY),
        description="CIDRs never fetched: link-local and cloud metadata by default. Private "
        "ranges are allowed unless listed here (e.g. 10.0.0.0/8)",
    )
    spec_max_external_documents: int = Field(
        default=20, ge=0, description="External $ref documents fetched per analysis"
    )
    spec_parse_timeout: float = Field(
        default=60.0, gt=0, description="Seconds to parse or normalise one document (then killed)"
    )
    spec_parse_memory_mb: int = Field(
        default=2048, ge=0, description="Address-space limit of the parsing process, MB; 0: none"
    )
    spec_analysis_timeout: float = Field(
        default=120.0, gt=0, description="Seconds for a whole analysis, fetches included"
    )
