"""The Kubernetes executor against a real kube-apiserver: a test's data file is a key of the
run's ConfigMap (mounted as the script's folder), beside the script and never inside it."""

from __future__ import annotations

import json
from typing import Any

from mv_test_runner.executors.base import job_name
from mv_test_runner.executors.kubernetes import KubernetesExecutor
from mv_test_runner.script import generate_script

from .test_data_run import CODES, data_request
from .test_kubernetes_executor import core_api, executor, namespace

__all__ = ["executor", "namespace"]  # fixtures used below


async def test_the_rows_reach_the_runs_configmap(
    executor: KubernetesExecutor, kube_api: Any, namespace: str
) -> None:
    # One runner: a split run waits for pods no kubelet starts here (the ConfigMap is shared).
    request = data_request("http://127.0.0.1:9", "unique", 1, vus=2, duration="1s")
    generated = generate_script(request)
    await executor.start(request, generated)
    configmap = core_api(kube_api).read_namespaced_config_map(job_name(request.test_id), namespace)
    assert sorted(configmap.data) == ["data-4.json", "script.js"]
    assert configmap.data["script.js"] == generated.text
    rows = json.loads(configmap.data["data-4.json"])["rows"]
    assert rows == [[code, i] for i, code in enumerate(CODES)]
