"""The pod-watcher's own calls, made as the ServiceAccount the Helm chart creates: its Role (taken
from ``helm template``) is enough for the watch, the services and PodMetrics, and no more."""

from __future__ import annotations

import asyncio
import subprocess
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from mv_devstack.kube import helm_binary
from mv_pod_watcher.kube import KubeClient, KubeError
from mv_pod_watcher.metrics_api import MetricsReader
from mv_pod_watcher.watching import Informer

from .conftest import REPO
from .kubeobjects import container, pod
from .metrics_server import API_SERVICE, MetricsServer, register

CHART = REPO / "deploy" / "helm" / "metric-vault"
ACCOUNT = "mv-metric-vault-pod-watcher"


def chart_rbac(release: str, tests: str) -> list[dict[str, Any]]:
    """The chart's pod-watcher ServiceAccount, Role and RoleBinding."""
    binary = helm_binary()
    if binary is None:
        pytest.fail("helm is not installed: run scripts/bootstrap.sh")
    result = subprocess.run(
        [binary, "template", "mv", str(CHART), "--namespace", release,
         "--set", f"testNamespace.name={tests}", "--show-only", "templates/rbac.yaml"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    docs = [doc for doc in yaml.safe_load_all(result.stdout) if doc]
    return [doc for doc in docs if doc["metadata"]["name"] == ACCOUNT]


def token_kubeconfig(admin_kubeconfig: str, token: str, path: Path) -> str:
    """The admin kubeconfig's cluster with a bearer token as the user."""
    config = yaml.safe_load(Path(admin_kubeconfig).read_text())
    config["users"] = [{"name": "pod-watcher", "user": {"token": token}}]
    config["contexts"][0]["context"]["user"] = "pod-watcher"
    path.write_text(yaml.safe_dump(config))
    return str(path)


@pytest.fixture
async def as_pod_watcher(
    admin: Any, namespace: str, kubeconfig: str, tmp_path: Path
) -> AsyncIterator[KubeClient]:
    """A client authenticated with a token of the chart's pod-watcher ServiceAccount."""
    from kubernetes import client

    release = f"pw-rel-{uuid.uuid4().hex[:8]}"
    admin.create_namespace({"metadata": {"name": release}})
    rbac: Any = client.RbacAuthorizationV1Api(admin.api_client)
    docs = chart_rbac(release, namespace)
    assert sorted(doc["kind"] for doc in docs) == ["Role", "RoleBinding", "ServiceAccount"]
    for doc in docs:
        where = doc["metadata"].get("namespace", release)
        create = {
            "ServiceAccount": admin.create_namespaced_service_account,
            "Role": rbac.create_namespaced_role,
            "RoleBinding": rbac.create_namespaced_role_binding,
        }[doc["kind"]]
        create(where, doc)
    token = admin.create_namespaced_service_account_token(
        ACCOUNT, release, {"spec": {"expirationSeconds": 600}}
    ).status.token
    kube = await KubeClient.connect(token_kubeconfig(kubeconfig, token, tmp_path / "kubeconfig"))
    yield kube
    await kube.aclose()


async def test_the_charts_role_is_enough_and_no_more(
    as_pod_watcher: KubeClient, admin: Any, namespace: str, metrics_server: MetricsServer
) -> None:
    admin.create_namespaced_pod(namespace, pod("web", [container("app")]))
    pods = Informer(as_pod_watcher, f"/api/v1/namespaces/{namespace}/pods", timeout_seconds=1)
    await pods.relist()
    await pods.watch_once()  # the server ends it after a second
    assert set(pods.objects) == {"web"}
    services = Informer(as_pod_watcher, f"/api/v1/namespaces/{namespace}/services")
    await services.relist()

    metrics_server.usage[namespace] = {"web": {"app": {"cpu": "10m", "memory": "1M"}}}
    registration = register(admin, namespace, metrics_server.port)
    try:
        reader = MetricsReader(as_pod_watcher, namespace)
        usage = None
        for _ in range(200):  # until the aggregator marks the APIService available
            if (usage := await reader.read()) is not None:
                break
            await asyncio.sleep(0.1)
        assert usage is not None
        assert usage["web"].cpu_millicores == 10
    finally:
        registration.delete_api_service(API_SERVICE)

    forbidden = [
        f"/api/v1/namespaces/{namespace}/secrets",
        f"/api/v1/namespaces/{namespace}/configmaps",
        "/api/v1/namespaces/default/pods",
        "/api/v1/pods",
        "/apis/metrics.k8s.io/v1beta1/nodes",
    ]
    for path in forbidden:
        with pytest.raises(KubeError) as refused:
            await as_pod_watcher.get(path)
        assert refused.value.status == 403, path
