"""Usage from the real API server's metrics.k8s.io: absent, then served through the aggregator."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mv_pod_watcher.kube import KubeClient
from mv_pod_watcher.metrics_api import MetricsReader, Usage, usage_by_pod

from .kubeobjects import container, pod
from .metrics_server import MetricsServer

API_SERVICE = "v1beta1.metrics.k8s.io"


@pytest.fixture
def metrics_server(tmp_path: Path) -> Iterator[MetricsServer]:
    server = MetricsServer(tmp_path)
    server.start()
    yield server
    server.stop()


def register(admin: Any, namespace: str, port: int) -> Any:
    """An ExternalName Service to the stand-in, and the APIService pointing at it."""
    from kubernetes import client

    admin.create_namespaced_service(
        namespace,
        {
            "metadata": {"name": "metrics-server"},
            "spec": {
                "type": "ExternalName",
                "externalName": "localhost",
                "ports": [{"port": port}],
            },
        },
    )
    registration: Any = client.ApiregistrationV1Api(admin.api_client)
    registration.create_api_service(
        {
            "metadata": {"name": API_SERVICE},
            "spec": {
                "group": "metrics.k8s.io",
                "version": "v1beta1",
                "groupPriorityMinimum": 100,
                "versionPriority": 100,
                "insecureSkipTLSVerify": True,
                "service": {"name": "metrics-server", "namespace": namespace, "port": port},
            },
        }
    )
    return registration


def test_usage_summed_over_containers() -> None:
    listing = {
        "items": [
            {
                "metadata": {"name": "p"},
                "containers": [
                    {"name": "a", "usage": {"cpu": "12500000n", "memory": "1024Ki"}},
                    {"name": "b", "usage": {"cpu": "250m", "memory": "1M"}},
                ],
            }
        ]
    }
    assert usage_by_pod(listing) == {"p": Usage(cpu_millicores=262.5, memory_mb=2.048576)}


async def test_absent_then_present(
    kube: KubeClient, admin: Any, namespace: str, metrics_server: MetricsServer
) -> None:
    reader = MetricsReader(kube, namespace)
    assert await reader.read() is None
    assert await reader.read() is None
    assert (reader.available, reader.warnings) == (False, 1)  # one warning, not one per tick

    admin.create_namespaced_pod(namespace, pod("web", [container("app", {"cpu": "100m"})]))
    metrics_server.usage[namespace] = {
        "web": {
            "app": {"cpu": "50m", "memory": "64Mi"},
            "proxy": {"cpu": "5000000n", "memory": "1M"},
        }
    }
    registration = register(admin, namespace, metrics_server.port)
    try:
        usage = None
        for _ in range(200):  # the aggregator needs a moment to mark the APIService available
            usage = await reader.read()
            if usage is not None:
                break
            await asyncio.sleep(0.1)
        assert usage == {"web": Usage(cpu_millicores=55.0, memory_mb=68.108864)}
        assert reader.available is True
        assert reader.warnings == 1
        assert any(f"/namespaces/{namespace}/pods" in path for path in metrics_server.requests)
    finally:
        registration.delete_api_service(API_SERVICE)
