"""The pod-watcher's FastStream application: test events in; snapshots and servers out."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

import structlog
from faststream import FastStream
from kubernetes.config.config_exception import ConfigException

from mv_contracts.health import DependencyState
from mv_contracts.pods import (
    DiscoveredServer,
    PodResourcesEvent,
    PodResourcesSnapshot,
    ServerDiscoveredEvent,
)
from mv_contracts.subjects import POD_RESOURCES, SERVER_DISCOVERED
from mv_runtime.bus import Bus, make_broker
from mv_runtime.heartbeat import Heartbeats, beat_on, package_version

from .handlers import SERVICE, consumer, register
from .influx_writer import InfluxWriter
from .kube import KubeClient
from .metrics_api import MetricsReader
from .sampling import PodWatcher, RunningTestIds
from .settings import Settings
from .watching import Informer

log = structlog.get_logger()


def make_watcher(
    settings: Settings, client: KubeClient, bus: Bus, running: RunningTestIds
) -> PodWatcher:
    namespace, selector = settings.kubernetes_test_namespace, settings.kubernetes_label_selector

    async def publish_snapshot(snapshot: PodResourcesSnapshot) -> None:
        await bus.publish(
            POD_RESOURCES, PodResourcesEvent(correlation_id=snapshot.namespace, payload=snapshot)
        )

    async def publish_server(server: DiscoveredServer) -> None:
        await bus.publish(
            SERVER_DISCOVERED,
            ServerDiscoveredEvent(
                correlation_id=f"{server.namespace}/{server.name}", payload=server
            ),
        )

    def informer(path: str, label_selector: str | None) -> Informer:
        return Informer(
            client,
            f"/api/v1/namespaces/{namespace}/{path}",
            label_selector=label_selector,
            timeout_seconds=settings.watch_timeout_seconds,
        )

    return PodWatcher(
        namespace,
        pods=informer("pods", selector),
        services=informer("services", None),
        metrics=MetricsReader(client, namespace, selector, settings.pod_metrics_timeout),
        influx=InfluxWriter(settings.influxdb_url, settings.influxdb_database),
        publish_snapshot=publish_snapshot,
        publish_server=publish_server,
        running=running,
        interval=settings.pod_metrics_interval,
    )


def create_app(settings: Settings) -> FastStream:
    broker = make_broker(settings.nats_url)
    running = RunningTestIds(timedelta(seconds=settings.running_test_max_seconds))
    register(broker, running, consumer(settings.kubernetes_test_namespace))
    app = FastStream(broker)
    tasks: list[asyncio.Task[None]] = []
    closing: list[KubeClient | InfluxWriter] = []
    cluster: dict[str, str] = {}  # "watching" or "unconfigured": what the start found

    async def kubernetes() -> DependencyState:
        # A laptop without a cluster is not a fault of the pod-watcher: ok, and it says so.
        if cluster.get("unconfigured"):
            return DependencyState(ok=True, detail=cluster["unconfigured"])
        if cluster.get("unreadable"):
            return DependencyState(ok=False, detail=cluster["unreadable"])
        if tasks and tasks[0].done():
            return DependencyState(ok=False, detail="the watch loop ended")
        return DependencyState(ok=True, detail=cluster.get("watching"))

    beat_on(
        app,
        broker,
        lambda send: Heartbeats(
            SERVICE,
            send,
            every=settings.heartbeat_seconds,
            version=package_version("mv-pod-watcher"),
            checks={"kubernetes": kubernetes},
            kubernetes=lambda: "watching" in cluster,
        ),
    )

    @app.after_startup
    async def start_watching() -> None:
        try:
            client = await KubeClient.connect(settings.kubeconfig)
        except ConfigException as error:
            # A laptop running the local stack has no cluster: the service stays up, says so
            # once, and the rest of the product works without pod figures.
            cluster["unconfigured"] = "no Kubernetes API configured: pods are not watched"
            log.warning(
                "no Kubernetes API configured: pods are not watched",
                reason=str(error),
                namespace=settings.kubernetes_test_namespace,
            )
            return
        except OSError as error:
            # A KUBECONFIG that is there but cannot be read (a directory a container runtime
            # made for a missing bind mount, no permission) is a fault to show, not a crash.
            cluster["unreadable"] = f"the kubeconfig cannot be read: {error}"
            log.error(cluster["unreadable"], namespace=settings.kubernetes_test_namespace)
            return
        cluster["watching"] = f"namespace {settings.kubernetes_test_namespace}"
        watcher = make_watcher(settings, client, Bus(broker), running)
        closing.extend([client, watcher.influx])
        tasks.append(asyncio.create_task(watcher.run(), name="pod-watcher"))

    @app.on_shutdown
    async def stop_watching() -> None:
        for task in tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        for resource in closing:
            await resource.aclose()

    return app
