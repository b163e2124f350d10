"""Spec analyzer settings."""

from __future__ import annotations

from mv_runtime.settings import ServiceSettings
from pydantic import Field


class Settings(ServiceSettings):
    spec_max_bytes: int = Field(default=20 * 1024 * 1024, gt=0, description="Largest document")
    spec_fetch_timeout: float = Field(default=20.0, gt=0, description="Seconds per fetch")
