"""Pod watcher settings."""

from __future__ import annotations

from pydantic import Field

from mv_runtime.settings import InfluxDBSettings


class Settings(InfluxDBSettings):
    kubernetes_test_namespace: str = Field(default="test", description="Namespace of the pods")
    kubernetes_label_selector: str | None = Field(default=None, description="Optional filter")
    pod_metrics_interval: float = Field(
        default=5, gt=0, description="Seconds between snapshots (and PodMetrics readings)"
    )
    pod_metrics_timeout: float = Field(
        default=4,
        gt=0,
        description="Seconds a PodMetrics reading may take; a slower one: a snapshot of specs",
    )
    kubeconfig: str | None = Field(
        default=None,
        description="KUBECONFIG file; unset: the in-cluster service account, else ~/.kube/config",
    )
    running_test_max_seconds: float = Field(
        default=6 * 3600,
        gt=0,
        description="A test started longer ago than this counts as over, finished event or not",
    )
    watch_timeout_seconds: int = Field(
        default=300, ge=10, description="Seconds a watch request lasts before it is resumed"
    )
