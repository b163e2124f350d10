"""Test runner settings; names and defaults follow the original's environment variables."""

from __future__ import annotations

from typing import Literal

from mv_runtime.settings import InfluxDBSettings
from pydantic import Field


class Settings(InfluxDBSettings):
    test_runner_executor: Literal["local", "kubernetes"] = Field(
        default="local", description="local: a k6 process here; kubernetes: a Job"
    )
    k6_binary: str = Field(default="k6", description="k6 executable for the local executor")
    k6_image: str = Field(default="grafana/k6:1.3.0", description="Image of the Kubernetes Job")
    k6_script_file_folder: str = Field(default="/mnt/k6-scripts", description="Where scripts go")
    k6_default_pvc: str = Field(default="k6-script-pvc", description="PVC mode's claim name")
    kubernetes_namespace: str = Field(default="default", description="Where Jobs run")
    scheduler_poll_interval: float = Field(default=15, gt=0, description="Seconds")
    scheduler_job_timeout_hours: float = Field(default=4, gt=0)
    scheduler_job_warning_hours: float = Field(default=1, gt=0)
    auto_delete_completed_jobs: bool = True
