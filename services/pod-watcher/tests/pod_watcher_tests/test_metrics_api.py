"""Usage from the real API server's metrics.k8s.io: absent, then served through the aggregator."""

from __future__ import annotations

import asyncio
from typing import Any

from mv_pod_watcher.kube import KubeClient
from mv_pod_watcher.metrics_api import MetricsReader, Usage, usage_by_pod

from .kubeobjects import container, pod
from .metrics_server import API_SERVICE, MetricsServer, register


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


async def test_a_reading_that_hangs_is_given_up_after_the_timeout(
    kube: KubeClient, admin: Any, namespace: str, metrics_server: MetricsServer
) -> None:
    """A metrics-server that holds the read must not hold the snapshots: after ``timeout`` the
    reading counts as not served, and usage comes back once it answers in time."""
    metrics_server.usage[namespace] = {"web": {"app": {"cpu": "50m", "memory": "64Mi"}}}
    registration = register(admin, namespace, metrics_server.port)
    try:
        reader = MetricsReader(kube, namespace, timeout=1.0)
        for _ in range(200):
            if await reader.read() is not None:
                break
            await asyncio.sleep(0.1)
        assert reader.available is True
        metrics_server.delay = 5.0
        started = asyncio.get_running_loop().time()
        assert await reader.read() is None
        assert asyncio.get_running_loop().time() - started < 4.0
        assert reader.available is False
        metrics_server.delay = 0.0
        usage = None
        for _ in range(100):
            usage = await reader.read()
            if usage is not None:
                break
            await asyncio.sleep(0.1)
        assert usage == {"web": Usage(cpu_millicores=50.0, memory_mb=67.108864)}
    finally:
        metrics_server.delay = 0.0
        registration.delete_api_service(API_SERVICE)
