"""Kubernetes manifests: golden checks, and validation against the official schemas."""

from __future__ import annotations

from typing import Any

import kubernetes_validate  # type: ignore[import-untyped]
import pytest

from mv_test_runner.executors.base import job_name
from mv_test_runner.executors.kubernetes import job_options
from mv_test_runner.executors.manifests import (
    RUN_LABEL,
    TEST_ID_ANNOTATION,
    job_manifest,
    script_configmap,
    secret_manifest,
)
from mv_test_runner.script import generate_script
from mv_test_runner.settings import Settings

from .requests import make_request, scenario

K8S_VERSION = "1.33.0"
TEST_ID = "7c9e6679-7425-40de-944b-e07fc1f90ae7"


def valid(manifest: dict[str, Any]) -> None:
    kubernetes_validate.validate(manifest, K8S_VERSION, strict=True)


def settings(**changes: Any) -> Settings:
    return Settings(
        influxdb_host="influxdb.metric-vault.svc",
        kubernetes_namespace="load",
        k6_image="grafana/k6:1.3.0",
        scheduler_job_timeout_hours=2.5,
        **changes,
    )


def test_job_in_configmap_mode() -> None:
    name = job_name(TEST_ID)
    job = job_manifest(name, TEST_ID, job_options(settings()), with_secret=True)
    valid(job)
    assert name == "k6-7c9e6679-7425-40de-944b-e07fc1f90ae7"
    spec = job["spec"]
    assert spec["backoffLimit"] == 0
    assert spec["activeDeadlineSeconds"] == 9000
    assert spec["ttlSecondsAfterFinished"] == 3600
    assert job["metadata"]["labels"][RUN_LABEL] == name
    assert job["metadata"]["annotations"][TEST_ID_ANNOTATION] == TEST_ID
    pod = spec["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert pod["automountServiceAccountToken"] is False
    assert spec["template"]["metadata"]["labels"][RUN_LABEL] == name
    (container,) = pod["containers"]
    assert container["image"] == "grafana/k6:1.3.0"
    assert container["args"] == [
        "run", "--no-color", "-o", "influxdb=http://influxdb.metric-vault.svc:8086/k6",
        "--tag", f"testid={TEST_ID}", "/scripts/script.js",
    ]  # fmt: skip
    assert container["envFrom"] == [{"secretRef": {"name": name}}]
    assert container["resources"]["limits"] == {"cpu": "2", "memory": "1Gi"}
    assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert pod["volumes"] == [{"name": "scripts", "configMap": {"name": name}}]
    env = {e["name"]: e["value"] for e in container["env"]}
    assert env["K6_INFLUXDB_PUSH_INTERVAL"] == "1s"
    assert "K6_WEB_DASHBOARD" not in env


def test_job_in_pvc_mode_with_dashboard_and_no_ttl() -> None:
    options = job_options(
        settings(
            k6_script_storage="pvc",
            k6_default_pvc="k6-script-pvc",
            k6_script_file_folder="/mnt/k6-scripts",
            k6_web_dashboard=True,
            auto_delete_completed_jobs=False,
        )
    )
    name = job_name("한국어 test id!")
    job = job_manifest(name, "한국어 test id!", options, with_secret=False)
    valid(job)
    spec = job["spec"]
    assert "ttlSecondsAfterFinished" not in spec
    (container,) = spec["template"]["spec"]["containers"]
    assert container["args"][-1] == f"/mnt/k6-scripts/{name}.js"
    assert "envFrom" not in container
    assert container["ports"] == [{"name": "dashboard", "containerPort": 5665}]
    assert spec["template"]["spec"]["volumes"][0]["persistentVolumeClaim"] == {
        "claimName": "k6-script-pvc",
        "readOnly": True,
    }


def test_configmap_and_secret_carry_script_and_secrets_apart() -> None:
    request = make_request(
        "http://api.test.svc:8080",
        scenario("a"),
        headers={"Authorization": "Bearer xyz"},
        test_id=TEST_ID,
    )
    generated = generate_script(request)
    name = job_name(TEST_ID)
    configmap = script_configmap(name, "load", TEST_ID, generated.text)
    secret = secret_manifest(name, "load", TEST_ID, generated.secrets)
    valid(configmap)
    valid(secret)
    assert "Bearer xyz" not in str(configmap)
    assert secret["stringData"] == {"MV_SECRET_1": "Bearer xyz"}


def test_an_invalid_manifest_is_caught_by_the_validator() -> None:
    job = job_manifest("k6-x", "x", job_options(settings()), with_secret=False)
    job["spec"]["backoffLimit"] = "zero"
    with pytest.raises(kubernetes_validate.ValidationError):
        valid(job)
