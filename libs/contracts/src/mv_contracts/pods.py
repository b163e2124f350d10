"""Pods under test: their resource specs and usage, and servers found in the test namespace."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, Field, HttpUrl

from .common import Text
from .envelope import Contract, Envelope

# What the pod-watcher writes to InfluxDB, one point per pod and poll (line protocol):
# ``pod_resources,namespace=<ns>,pod=<name> cpu_usage_millicores=..,memory_usage_mb=..,
# cpu_percent=..,memory_percent=..,test_ids="<id>,<id>"`` -- the fields of :class:`PodResources`
# of the same names (percent of the limit, else the request; a field is left out when unknown;
# the requests and limits are written too), and ``test_ids``, the tests running at that moment.
POD_RESOURCES_MEASUREMENT = "pod_resources"
POD_RESOURCES_TAGS = ("namespace", "pod")
POD_RESOURCES_CPU_USAGE = "cpu_usage_millicores"
POD_RESOURCES_MEMORY_USAGE = "memory_usage_mb"
POD_RESOURCES_CPU_PERCENT = "cpu_percent"
POD_RESOURCES_MEMORY_PERCENT = "memory_percent"
POD_RESOURCES_TEST_IDS = "test_ids"
# Pod annotation naming the path of the pod's OpenAPI document (e.g. "/openapi.json"); with it,
# the pod-watcher reports the pod as a discovered server. On a Service it overrides the default.
OPENAPI_PATH_ANNOTATION = "metric-vault.io/openapi-path"
# Pod annotation: the port serving that document (default: the first container port).
OPENAPI_PORT_ANNOTATION = "metric-vault.io/openapi-port"


class PodResources(Contract):
    """One pod, containers summed. CPU in millicores, memory in MB (10^6 bytes); None = unset."""

    namespace: Text
    pod: Text
    phase: Text | None = None
    node: Text | None = None
    owner: Text | None = None
    containers: list[Text] = Field(default_factory=list)
    cpu_request_millicores: float | None = None
    cpu_limit_millicores: float | None = None
    memory_request_mb: float | None = None
    memory_limit_mb: float | None = None
    cpu_usage_millicores: float | None = None
    memory_usage_mb: float | None = None
    cpu_percent: float | None = Field(default=None, description="Of the limit, else the request")
    memory_percent: float | None = None
    restarts: int | None = Field(
        default=None, ge=0, description="Container restarts so far, all containers added up"
    )


class PodResourcesSnapshot(Contract):
    namespace: Text
    at: AwareDatetime
    pods: list[PodResources] = Field(default_factory=list)
    test_ids: list[str] = Field(default_factory=list, description="Tests running at that moment")
    metrics_available: bool = True


class DiscoveredServer(Contract):
    namespace: Text
    name: Text
    kind: Literal["service", "pod"]
    base_url: HttpUrl
    openapi_path: Text | None = Field(default=None, description="From the pod annotation")
    image: Text | None = Field(default=None, description="Re-analysis happens when it changes")


class PodResourcesEvent(Envelope):
    type: Literal["pods.resources"] = "pods.resources"
    payload: PodResourcesSnapshot


class ServerDiscoveredEvent(Envelope):
    type: Literal["servers.discovered"] = "servers.discovered"
    payload: DiscoveredServer
