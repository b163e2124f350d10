"""Test runner settings; names and defaults are the public environment variables."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Literal

from pydantic import Field

from mv_contracts.metrics import PUSH_SECONDS
from mv_contracts.runs import MAX_PARALLELISM, MetricsMode
from mv_runtime.sealing import SealingSettings
from mv_runtime.settings import InfluxDBSettings

# Which k6 this project runs, stated once in k6-version.txt beside this module: the default image
# of the Jobs here (the Helm chart leaves it to this default), the k6 scripts/bootstrap.sh builds
# for the tests and the cluster's image read the same file.
K6_VERSION = (files(__package__) / "k6-version.txt").read_text("utf-8").strip()


@dataclass(frozen=True, slots=True)
class K6Output:
    """What a k6 run needs for one metrics mode: its output arguments and environment."""

    args: tuple[str, ...]
    env: dict[str, str]


class Settings(InfluxDBSettings, SealingSettings):
    service_name: str = Field(
        default="test-runner",
        pattern=r"^[A-Za-z0-9_-]+$",
        description="Names the runner's durable consumers; replicas share one name",
    )
    test_runner_executor: Literal["local", "kubernetes"] = Field(
        default="local", description="local: a k6 process here; kubernetes: a Job"
    )
    k6_binary: str = Field(default="k6", description="k6 executable for the local executor")
    inspect_seconds: float = Field(
        default=15, gt=0, le=300, description="Longest k6 inspect of an uploaded script may take"
    )
    k6_image: str = Field(
        default=f"grafana/k6:{K6_VERSION}", description="Image of the Kubernetes Job"
    )
    k6_script_file_folder: Path = Field(
        default=Path("/mnt/k6-scripts"),
        description="Scripts (PVC mode) and, for the local executor, each run's state and log",
    )
    k6_default_pvc: str = Field(default="k6-script-pvc", description="PVC mode's claim name")
    k6_script_storage: Literal["configmap", "pvc"] = Field(
        default="configmap", description="Kubernetes: script in a ConfigMap, or a file on the PVC"
    )
    k6_web_dashboard: bool = Field(default=False, description="Kubernetes: k6's web dashboard")
    k6_cpu_request: str = "500m"
    k6_cpu_limit: str = "2"
    k6_memory_request: str = "256Mi"
    k6_memory_limit: str = "1Gi"
    # InfluxDB output tuning, chosen with bench/k6_output.py (figures in its docstring): the
    # reduced system tags cut k6's CPU per request by about a fifth; push interval and concurrent
    # writes made no measurable difference, so they stay at k6's defaults.
    k6_influxdb_push_interval: str = Field(default="1s", description="K6_INFLUXDB_PUSH_INTERVAL")
    k6_influxdb_concurrent_writes: int = Field(default=4, ge=1, le=64)
    k6_influxdb_tags_as_fields: str = Field(
        default="vu:int,iter:int,url", description="Tags stored as fields: not indexed"
    )
    k6_system_tags: str = Field(
        default="status,method,name,scenario,expected_response,error_code,check",
        description="System tags k6 keeps; no raw url tag (cardinality); check names each "
        "check's samples (only they carry it)",
    )
    metrics_receiver_url: str = Field(
        default="http://127.0.0.1:9091",
        description="The metrics receiver (python -m mv_metrics_aggregator.receiver) k6 pushes "
        "to in the fast mode; a k6 Job must reach it, so in a cluster its Service's full name",
    )
    # Prometheus remote write (the fast mode), chosen with bench/metrics_path.py (README,
    # "Metrics path"): native histograms cost k6 no more than trend stats and merge over runners.
    k6_prometheus_rw_system_tags: str = Field(
        default="scenario,status,expected_response,error_code,check",
        description="K6_SYSTEM_TAGS of the fast mode: every tag set is a series of every push, "
        "so only what the summary groups by (scenario; failures by status and error code; "
        "a check's pass rate by its name)",
    )
    kubernetes_namespace: str = Field(default="default", description="Where Jobs run")
    scheduler_poll_interval: float = Field(default=15, gt=0, description="Seconds")
    scheduler_job_timeout_hours: float = Field(default=4, gt=0)
    scheduler_job_warning_hours: float = Field(default=1, gt=0)
    auto_delete_completed_jobs: bool = True
    max_parallelism: int = Field(
        default=10,
        ge=1,
        le=MAX_PARALLELISM,
        description="Most k6 runners one test may be split over; above it the test fails",
    )
    runner_ready_seconds: float = Field(
        default=120,
        gt=0,
        description="Seconds for every runner of a split test to be ready (paused, initialised) "
        "before the test fails and the ready ones are stopped",
    )
    k6_api_port: int = Field(
        default=6565, ge=1, le=65535, description="Kubernetes: k6's REST API port in a runner pod"
    )
    cancel_grace_seconds: float = Field(
        default=10, gt=0, description="After SIGTERM, seconds before SIGKILL"
    )

    @property
    def influxdb_output_url(self) -> str:
        return f"{self.influxdb_url}/{self.influxdb_database}"

    def influxdb_output_env(self) -> dict[str, str]:
        """Environment of a k6 process or pod writing to InfluxDB."""
        return {
            "K6_INFLUXDB_PUSH_INTERVAL": self.k6_influxdb_push_interval,
            "K6_INFLUXDB_CONCURRENT_WRITES": str(self.k6_influxdb_concurrent_writes),
            "K6_INFLUXDB_TAGS_AS_FIELDS": self.k6_influxdb_tags_as_fields,
            "K6_SYSTEM_TAGS": self.k6_system_tags,
        }

    def prometheus_rw_output_env(self) -> dict[str, str]:
        """Environment of a k6 process or pod pushing to the metrics receiver (the fast mode)."""
        return {
            "K6_PROMETHEUS_RW_SERVER_URL": f"{self.metrics_receiver_url.rstrip('/')}/api/v1/write",
            # Not a setting: the aggregator reads a compact point as this long.
            "K6_PROMETHEUS_RW_PUSH_INTERVAL": f"{PUSH_SECONDS}s",
            # Trends as native histograms (mergeable over runners). The canonical name in the
            # k6 of K6_VERSION; its legacy K6_PROMETHEUS_RW_TREND_AS_NATIVE_HISTOGRAM=true does
            # the same with a deprecation warning in every run's log.
            "K6_FEATURES": "native-histograms",
            "K6_SYSTEM_TAGS": self.k6_prometheus_rw_system_tags,
        }

    def k6_output(self, mode: MetricsMode) -> K6Output:
        """k6's output of a run in ``mode`` (README, "Metrics path")."""
        if mode is MetricsMode.PRECISE:
            influxdb = f"influxdb={self.influxdb_output_url}"
            return K6Output(("-o", influxdb), self.influxdb_output_env())
        return K6Output(("-o", "experimental-prometheus-rw"), self.prometheus_rw_output_env())
