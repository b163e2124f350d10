"""Pod watcher settings."""

from __future__ import annotations

from pydantic import Field

from mv_runtime.settings import InfluxDBSettings


class Settings(InfluxDBSettings):
    kubernetes_test_namespace: str = Field(default="test", description="Namespace of the pods")
    kubernetes_label_selector: str | None = Field(default=None, description="Optional filter")
    pod_metrics_interval: float = Field(default=5, gt=0, description="Seconds between readings")
