"""The pod-watcher's loop: snapshots of the namespace's pods every interval, and discovery.

Each tick takes the pods the informer holds (kept current by the watch), the usage the metrics
API reports (if served), the ids of the tests running now, and publishes one snapshot, writes it
to InfluxDB, then reports servers that are new or run a new image.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import httpx
import structlog

from mv_contracts.pods import DiscoveredServer, PodResources, PodResourcesSnapshot

from .discovery import Rediscovery, servers
from .influx_writer import InfluxWriter
from .metrics_api import MetricsReader, Usage
from .percent import with_percent
from .resources import pod_resources
from .watching import Informer

log = structlog.get_logger()
PublishSnapshot = Callable[[PodResourcesSnapshot], Awaitable[None]]
PublishServer = Callable[[DiscoveredServer], Awaitable[None]]


class RunningTestIds:
    """The ids of the tests running now, from the test started/finished events.

    A test whose finished event never comes (its runner died) would stay "running" for ever, and
    a new consumer replays every start still in the stream: a test started more than
    ``max_age`` ago counts as over.
    """

    def __init__(self, max_age: timedelta = timedelta(hours=6)) -> None:
        self._started: dict[str, datetime] = {}
        self.max_age = max_age

    def started(self, test_id: str, at: datetime) -> None:
        self._started[test_id] = at

    def finished(self, test_id: str) -> None:
        self._started.pop(test_id, None)

    def ids(self, now: datetime | None = None) -> list[str]:
        oldest = (now or datetime.now(UTC)) - self.max_age
        self._started = {t: at for t, at in self._started.items() if at >= oldest}
        return sorted(self._started)


def build_snapshot(
    namespace: str,
    pods: list[PodResources],
    usage: dict[str, Usage] | None,
    test_ids: list[str],
    at: datetime,
) -> PodResourcesSnapshot:
    """Specs plus usage (when the metrics API answered), percents computed once, here."""
    measured = []
    for pod in sorted(pods, key=lambda p: p.pod):
        reading = usage.get(pod.pod) if usage is not None else None
        if reading is not None:
            pod = pod.model_copy(
                update={
                    "cpu_usage_millicores": reading.cpu_millicores,
                    "memory_usage_mb": reading.memory_mb,
                }
            )
        measured.append(with_percent(pod))
    return PodResourcesSnapshot(
        namespace=namespace,
        at=at,
        pods=measured,
        test_ids=test_ids,
        metrics_available=usage is not None,
    )


class PodWatcher:
    def __init__(
        self,
        namespace: str,
        pods: Informer,
        services: Informer,
        metrics: MetricsReader,
        influx: InfluxWriter,
        publish_snapshot: PublishSnapshot,
        publish_server: PublishServer,
        running: RunningTestIds,
        interval: float,
    ) -> None:
        self.namespace = namespace
        self.pods, self.services, self.metrics, self.influx = pods, services, metrics, influx
        self._publish_snapshot, self._publish_server = publish_snapshot, publish_server
        self.running = running
        self.interval = interval
        self.rediscovery = Rediscovery()
        self._specs: dict[str, tuple[str, PodResources]] = {}

    async def tick(self) -> PodResourcesSnapshot:
        usage = await self.metrics.read()
        pods = self.specs()
        snapshot = build_snapshot(
            self.namespace, pods, usage, self.running.ids(), datetime.now(UTC)
        )
        if snapshot.pods:
            try:
                await self._publish_snapshot(snapshot)
            except Exception as error:  # the bus reconnects; the next tick tries again
                log.warning("snapshot not published", error=repr(error))
            try:
                await self.influx.write(snapshot)
            except httpx.HTTPError as error:
                log.warning("snapshot not written to InfluxDB", error=repr(error))
        await self.discover()
        return snapshot

    def specs(self) -> list[PodResources]:
        """The pods' specs, parsed again only for pods that changed since the last tick."""
        known, self._specs = self._specs, {}
        for name, obj in self.pods.objects.items():
            version = str((obj.get("metadata") or {}).get("resourceVersion", ""))
            cached = known.get(name)
            parsed = cached[1] if cached and cached[0] == version else pod_resources(obj)
            self._specs[name] = (version, parsed)
        return [parsed for _, parsed in self._specs.values()]

    async def discover(self) -> list[DiscoveredServer]:
        found = servers(list(self.services.objects.values()), list(self.pods.objects.values()))
        reported = []
        for server in found:
            if self.rediscovery.fresh(server):
                log.info("server discovered", name=server.name, url=str(server.base_url))
                try:
                    await self._publish_server(server)
                except Exception as error:
                    self.rediscovery.forget(server)  # reported again next tick
                    log.warning("discovered server not published", error=repr(error))
                    continue
                reported.append(server)
        return reported

    async def run(self) -> None:
        """The two informers and the ticks, until cancelled."""
        async with asyncio.TaskGroup() as group:
            group.create_task(self.pods.run())
            group.create_task(self.services.run())
            await self.pods.synced.wait()
            await self.services.synced.wait()
            while True:
                try:
                    await self.tick()
                except Exception:  # a bad tick must not end the watcher
                    log.exception("pod snapshot failed")
                await asyncio.sleep(self.interval)
