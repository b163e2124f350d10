"""Discovery against the real API server: a new image of a Deployment is reported again, a known
one never twice (images of a pod's containers can be changed in place, as a rollout would)."""

from __future__ import annotations

import asyncio
from typing import Any

from mv_contracts.pods import DiscoveredServer, PodResourcesSnapshot
from mv_pod_watcher.app import make_watcher
from mv_pod_watcher.kube import KubeClient
from mv_pod_watcher.sampling import RunningTestIds
from mv_pod_watcher.settings import Settings

from .kubeobjects import container, eventually, pod


async def test_annotated_pod_rediscovered_on_a_new_image_only(
    kube: KubeClient, admin: Any, namespace: str
) -> None:
    settings = Settings(kubernetes_test_namespace=namespace, pod_metrics_interval=1)
    watcher = make_watcher(settings, kube, bus=None, running=RunningTestIds())  # type: ignore[arg-type]
    reported: list[DiscoveredServer] = []

    async def keep(server: DiscoveredServer) -> None:
        reported.append(server)

    async def ignore(snapshot: PodResourcesSnapshot) -> None:
        pass

    watcher._publish_server, watcher._publish_snapshot = keep, ignore
    tasks = [asyncio.create_task(watcher.pods.run()), asyncio.create_task(watcher.services.run())]
    try:
        await watcher.pods.synced.wait()
        owner = {
            "apiVersion": "apps/v1",
            "kind": "ReplicaSet",
            "name": "api-6b7d",
            "uid": "4f1b0a52-0000-4000-8000-000000000002",
            "controller": True,
        }
        app = container("app", image="shop:1", ports=[{"containerPort": 8000}])
        admin.create_namespaced_pod(
            namespace,
            pod(
                "api-6b7d-q2x",
                [app],
                labels={"app": "api", "pod-template-hash": "6b7d"},
                annotations={"metric-vault.io/openapi-path": "/openapi.json"},
                ownerReferences=[owner],
            ),
        )
        await eventually(lambda: "api-6b7d-q2x" in watcher.pods.objects, "the new pod")
        assert await watcher.discover() == []  # no address yet: nothing to analyse
        admin.patch_namespaced_pod_status(
            "api-6b7d-q2x", namespace, {"status": {"phase": "Running", "podIP": "10.1.0.9"}}
        )
        await eventually(
            lambda: "podIP" in str(watcher.pods.objects["api-6b7d-q2x"]["status"]),
            "the pod's address",
        )
        (first,) = await watcher.discover()
        assert (first.kind, first.name, str(first.base_url), first.image) == (
            "pod",
            "api",
            "http://10.1.0.9:8000/",
            "shop:1",
        )
        assert await watcher.discover() == []

        def set_image(image: str) -> None:
            patch = {"spec": {"containers": [{"name": "app", "image": image}]}}
            admin.patch_namespaced_pod("api-6b7d-q2x", namespace, patch)

        set_image("shop:2")
        await eventually(
            lambda: "shop:2" in str(watcher.pods.objects["api-6b7d-q2x"]["spec"]), "the new image"
        )
        (second,) = await watcher.discover()
        assert second.image == "shop:2"
        set_image("shop:1")  # a rollback to an image already analysed
        await eventually(
            lambda: "shop:1" in str(watcher.pods.objects["api-6b7d-q2x"]["spec"]),
            "the old image back",
        )
        assert await watcher.discover() == []
        assert len(reported) == 2
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        await watcher.influx.aclose()
