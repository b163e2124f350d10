"""Metrics aggregator settings."""

from __future__ import annotations

from mv_runtime.settings import InfluxDBSettings
from pydantic import Field


class Settings(InfluxDBSettings):
    live_interval: float = Field(default=5, ge=1, description="Seconds between live snapshots")
    scheduler_metrics_delay: float = Field(
        default=30, ge=0, description="Seconds to wait after a test ends before summarising"
    )
    scheduler_max_retry: int = Field(default=3, ge=0, description="Retries while InfluxDB is down")
