"""The chart's pre-delete hook (``python -m mv_test_runner.remove_runs``) against a real
kube-apiserver: every run's Job, ConfigMap and Secret in the namespace goes, nothing else."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from kubernetes import client

from mv_devstack.kube import KubeApiServer
from mv_test_runner.executors.base import job_name
from mv_test_runner.executors.kubernetes import KubernetesExecutor
from mv_test_runner.executors.manifests import RUN_LABEL
from mv_test_runner.remove_runs import remove_runs

from .test_kubernetes_executor import kube_settings, start


async def test_every_run_goes_and_nothing_else(
    kube: KubeApiServer, kube_api: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    namespace = f"mv-remove-{uuid.uuid4().hex[:8]}"
    # Any: the client's typed models make every field Optional
    core: Any = client.CoreV1Api(kube_api)
    batch: Any = client.BatchV1Api(kube_api)
    core.create_namespace({"metadata": {"name": namespace}})
    monkeypatch.setenv("KUBECONFIG", str(kube.kubeconfig))
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    executor = KubernetesExecutor(kube_settings(namespace))
    runs = [job_name(await start(executor)) for _ in range(2)]
    core.create_namespaced_config_map(namespace, {"metadata": {"name": "not-a-run"}})

    def left() -> dict[str, list[str]]:
        listed: dict[str, Any] = {
            "jobs": batch.list_namespaced_job(namespace),
            "configmaps": core.list_namespaced_config_map(namespace, label_selector=RUN_LABEL),
            "secrets": core.list_namespaced_secret(namespace, label_selector=RUN_LABEL),
        }
        return {
            kind: sorted(o.metadata.name for o in found.items) for kind, found in listed.items()
        }

    assert left() == {"jobs": sorted(runs), "configmaps": sorted(runs), "secrets": sorted(runs)}
    remove_runs(kube_api, namespace)
    assert left() == {"jobs": [], "configmaps": [], "secrets": []}
    names = [c.metadata.name for c in core.list_namespaced_config_map(namespace).items]
    assert "not-a-run" in names
