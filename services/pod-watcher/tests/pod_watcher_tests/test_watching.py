"""The watch against a real kube-apiserver: specs, status changes, deletion, resume, 410 Gone."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest

from mv_pod_watcher.kube import Expired, KubeClient
from mv_pod_watcher.resources import pod_resources
from mv_pod_watcher.watching import Informer

from .kubeobjects import container, eventually, pod


@pytest.fixture
async def running() -> AsyncIterator[list[asyncio.Task[None]]]:
    tasks: list[asyncio.Task[None]] = []
    yield tasks
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def informer(kube: KubeClient, namespace: str, **options: Any) -> Informer:
    return Informer(kube, f"/api/v1/namespaces/{namespace}/pods", retry_seconds=0.1, **options)


async def test_specs_of_pods_as_the_api_server_stores_them(
    kube: KubeClient, admin: Any, namespace: str
) -> None:
    create = admin.create_namespaced_pod
    create(
        namespace,
        pod(
            "plain",
            [container("app", {"cpu": "250m", "memory": "512Mi"}, {"cpu": "0.5", "memory": "1Gi"})],
        ),
    )
    create(namespace, pod("bare", [container("app")]))
    # The API server defaults a missing request to the limit.
    create(namespace, pod("limits-only", [container("app", None, {"cpu": "2", "memory": "1G"})]))
    create(
        namespace,
        pod(
            "multi",
            [
                container(
                    "app", {"cpu": "100m", "memory": "128974848"}, {"cpu": "1", "memory": "1e9"}
                ),
                container("proxy", {"cpu": "50m", "memory": "64Mi"}),  # no limit: the pod has none
            ],
        ),
    )
    create(
        namespace,
        pod(
            "init",
            [
                container(
                    "app", {"cpu": "200m", "memory": "100M"}, {"cpu": "400m", "memory": "200M"}
                )
            ],
            init=[
                container("migrate", {"cpu": "1", "memory": "50M"}, {"cpu": "1", "memory": "50M"}),
                container(
                    "sidecar",
                    {"cpu": "100m", "memory": "20M"},
                    {"cpu": "100m", "memory": "20M"},
                    restartPolicy="Always",
                ),
                container(
                    "late", {"cpu": "250m", "memory": "300M"}, {"cpu": "250m", "memory": "300M"}
                ),
            ],
        ),
    )
    watcher = informer(kube, namespace)
    await watcher.relist()
    found = {name: pod_resources(obj) for name, obj in watcher.objects.items()}

    plain = found["plain"]
    assert (plain.namespace, plain.phase, plain.containers) == (namespace, "Pending", ["app"])
    assert (plain.cpu_request_millicores, plain.cpu_limit_millicores) == (250, 500)
    assert (plain.memory_request_mb, plain.memory_limit_mb) == (536.870912, 1073.741824)
    bare = found["bare"]
    assert [
        bare.cpu_request_millicores,
        bare.cpu_limit_millicores,
        bare.memory_request_mb,
        bare.memory_limit_mb,
    ] == [None, None, None, None]
    limits_only = found["limits-only"]
    assert (limits_only.cpu_request_millicores, limits_only.memory_request_mb) == (2000, 1000)
    multi = found["multi"]
    assert multi.containers == ["app", "proxy"]
    assert (multi.cpu_request_millicores, multi.cpu_limit_millicores) == (150, None)
    assert multi.memory_request_mb == pytest.approx(128.974848 + 67.108864)
    assert multi.memory_limit_mb is None
    init = found["init"]
    # CPU: max(app 200 + sidecar 100, migrate 1000 alone, late 250 + sidecar 100) = 1000.
    # Memory: max(100 + 20, 50, 300 + 20) = 320.
    assert (init.cpu_request_millicores, init.cpu_limit_millicores) == (1000, 1000)
    assert (init.memory_request_mb, init.memory_limit_mb) == (320, 320)
    assert init.containers == ["app"]


async def test_status_changes_and_deletion_reach_the_watch(
    kube: KubeClient, admin: Any, namespace: str, running: list[asyncio.Task[None]]
) -> None:
    watcher = informer(kube, namespace)
    running.append(asyncio.create_task(watcher.run()))
    await watcher.synced.wait()
    owner = {
        "apiVersion": "apps/v1",
        "kind": "ReplicaSet",
        "name": "shop-5d9f",
        "uid": "4f1b0a52-0000-4000-8000-000000000001",
        "controller": True,
    }
    admin.create_namespaced_pod(
        namespace, pod("shop-5d9f-x", [container("app")], ownerReferences=[owner])
    )
    await eventually(lambda: "shop-5d9f-x" in watcher.objects, "the new pod is seen")
    assert pod_resources(watcher.objects["shop-5d9f-x"]).owner == "ReplicaSet/shop-5d9f"

    admin.patch_namespaced_pod_status(
        "shop-5d9f-x", namespace, {"status": {"phase": "Running", "podIP": "10.1.2.3"}}
    )
    await eventually(
        lambda: pod_resources(watcher.objects["shop-5d9f-x"]).phase == "Running",
        "the phase change is seen",
    )
    assert pod_resources(watcher.objects["shop-5d9f-x"]).restarts is None
    crashed = {"name": "app", "image": "shop:1", "imageID": "", "ready": True, "restartCount": 2}
    admin.patch_namespaced_pod_status(
        "shop-5d9f-x", namespace, {"status": {"containerStatuses": [crashed]}}
    )
    await eventually(
        lambda: pod_resources(watcher.objects["shop-5d9f-x"]).restarts == 2,
        "the restart count is seen",
    )

    admin.delete_namespaced_pod("shop-5d9f-x", namespace, grace_period_seconds=0)
    await eventually(lambda: "shop-5d9f-x" not in watcher.objects, "the deletion is seen")
    assert watcher.lists == 1


async def test_a_watch_the_server_ends_is_resumed_without_a_relist(
    kube: KubeClient, admin: Any, namespace: str, running: list[asyncio.Task[None]]
) -> None:
    watcher = informer(kube, namespace, timeout_seconds=1)  # the server closes each after 1 s
    running.append(asyncio.create_task(watcher.run()))
    await watcher.synced.wait()
    await eventually(lambda: watcher.watches >= 3, "the watch is reopened")
    admin.create_namespaced_pod(namespace, pod("later", [container("app")]))
    await eventually(lambda: "later" in watcher.objects, "a pod created between watches")
    assert watcher.lists == 1


async def test_an_expired_version_gets_410_and_a_full_relist(
    kube: KubeClient, admin: Any, namespace: str, running: list[asyncio.Task[None]]
) -> None:
    """The real server answers a version older than its watch cache with an ERROR event carrying
    410 Expired inside a 200 stream ("too old resource version: 1 (N)"); the informer relists,
    which also drops what was deleted while nobody watched."""
    admin.create_namespaced_pod(namespace, pod("alive", [container("app")]))
    watcher = informer(kube, namespace)
    with pytest.raises(Expired, match="too old resource version"):
        async for _ in kube.watch(watcher.path, {"resourceVersion": "1"}, 5):
            pass

    watcher.resource_version = "1"
    watcher.objects = {"ghost": {"metadata": {"name": "ghost"}}}
    running.append(asyncio.create_task(watcher.run()))
    await eventually(lambda: watcher.lists == 1, "the relist after 410")
    assert set(watcher.objects) == {"alive"}
    assert int(watcher.resource_version or 0) > 1


async def test_failures_in_a_row_back_off(
    kube: KubeClient, namespace: str, running: list[asyncio.Task[None]]
) -> None:
    """A path the real server answers 404: retried, each wait twice the last."""
    watcher = Informer(kube, f"/api/v1/namespaces/{namespace}/nothings", retry_seconds=0.01)
    running.append(asyncio.create_task(watcher.run()))
    await eventually(lambda: watcher.failures >= 4, "four failed lists")
    assert watcher.lists == 0
    assert watcher.retry_delay >= 0.01 * 2**3  # 0.01, 0.02, 0.04, then 0.08 at least
