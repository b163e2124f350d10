"""Servers of the test namespace worth analysing, found from its Services and annotated pods.

- A Service with an HTTP port becomes a server at ``http(s)://<name>.<namespace>.svc:<port>``
  (an ExternalName Service at ``<externalName>:<port>``). A port is HTTP when its appProtocol is
  http/https, its name is http/https or starts with ``http-``/``https-``, or it is 80/443/8080/8443.
  Its image is that of the pods it selects.
- A pod annotated ``metric-vault.io/openapi-path`` becomes a server at ``http://<podIP>:<port>``
  (``metric-vault.io/openapi-port``, else its first container port), named after its Deployment
  when it has one, else after itself. The path annotation also works on a Service.

:class:`Rediscovery` lets a server through when it is new or runs an image it never ran before, so
a rollout to a new image is analysed again and a restart (or a rollback) on a known one is not.
"""

from __future__ import annotations

from typing import Any

from mv_contracts.pods import OPENAPI_PATH_ANNOTATION, OPENAPI_PORT_ANNOTATION, DiscoveredServer

from .resources import images

Json = dict[str, Any]
HTTP_PROTOCOLS = {"http", "https", "kubernetes.io/h2c", "kubernetes.io/ws", "kubernetes.io/wss"}
HTTP_PORTS = {80, 443, 8080, 8443}
TLS_PORTS = {443, 8443}


def _annotations(obj: Json) -> dict[str, str]:
    return (obj.get("metadata") or {}).get("annotations") or {}


def http_port(service: Json) -> tuple[int, str] | None:
    """The first HTTP port of a Service and its scheme."""
    for port in (service.get("spec") or {}).get("ports") or []:
        if port.get("protocol", "TCP") != "TCP":
            continue
        name = str(port.get("name") or "").lower()
        protocol = str(port.get("appProtocol") or "").lower()
        number = int(port["port"])
        tls = protocol in ("https", "kubernetes.io/wss") or name.startswith("https")
        tls = tls or (not protocol and number in TLS_PORTS)
        named = name in ("http", "https") or name.startswith(("http-", "https-"))
        if protocol in HTTP_PROTOCOLS or named or number in HTTP_PORTS:
            return number, "https" if tls else "http"
    return None


def selects(service: Json, pod: Json) -> bool:
    selector: dict[str, str] = (service.get("spec") or {}).get("selector") or {}
    labels: dict[str, str] = (pod.get("metadata") or {}).get("labels") or {}
    return bool(selector) and all(labels.get(k) == v for k, v in selector.items())


def service_server(service: Json, pods: list[Json]) -> DiscoveredServer | None:
    found = http_port(service)
    if found is None:
        return None
    port, scheme = found
    metadata, spec = service["metadata"], service.get("spec") or {}
    name, namespace = metadata["name"], metadata["namespace"]
    host = spec["externalName"] if spec.get("type") == "ExternalName" else f"{name}.{namespace}.svc"
    running = sorted({image for pod in pods if selects(service, pod) for image in images(pod)})
    return DiscoveredServer(
        namespace=namespace,
        name=name,
        kind="service",
        base_url=f"{scheme}://{host}:{port}",
        openapi_path=_annotations(service).get(OPENAPI_PATH_ANNOTATION),
        image=",".join(running) or None,
    )


def workload(pod: Json) -> str:
    """The pod's Deployment (its ReplicaSet's name less the pod-template-hash), else its name."""
    metadata = pod["metadata"]
    template_hash = (metadata.get("labels") or {}).get("pod-template-hash")
    for reference in metadata.get("ownerReferences") or []:
        name = str(reference.get("name", ""))
        if (
            reference.get("kind") == "ReplicaSet"
            and template_hash
            and name.endswith("-" + template_hash)
        ):
            return name[: -len(template_hash) - 1]
        if reference.get("controller"):
            return name
    return str(metadata["name"])


def pod_server(pod: Json) -> DiscoveredServer | None:
    annotations = _annotations(pod)
    path = annotations.get(OPENAPI_PATH_ANNOTATION)
    address = (pod.get("status") or {}).get("podIP")
    if not path or not address:
        return None
    port = annotations.get(OPENAPI_PORT_ANNOTATION)
    if port is None:
        declared = [
            p["containerPort"]
            for c in (pod.get("spec") or {}).get("containers") or []
            for p in c.get("ports") or []
        ]
        if not declared:
            return None
        port = str(declared[0])
    host = f"[{address}]" if ":" in address else address
    return DiscoveredServer(
        namespace=pod["metadata"]["namespace"],
        name=workload(pod),
        kind="pod",
        base_url=f"http://{host}:{int(port)}",
        openapi_path=path,
        image=",".join(images(pod)) or None,
    )


def servers(services: list[Json], pods: list[Json]) -> list[DiscoveredServer]:
    """Every server of the namespace right now; one per annotated Deployment (its first pod)."""
    found = [s for s in (service_server(svc, pods) for svc in services) if s is not None]
    named: set[str] = set()
    for pod in sorted(pods, key=lambda p: str(p["metadata"]["name"])):
        server = pod_server(pod)
        if server is not None and server.name not in named:
            named.add(server.name)
            found.append(server)
    return found


class Rediscovery:
    """Which servers to report: new ones, and known ones on an image they never ran before."""

    def __init__(self) -> None:
        self._images: dict[tuple[str, str, str], set[str | None]] = {}

    def fresh(self, server: DiscoveredServer) -> bool:
        seen = self._images.setdefault((server.namespace, server.kind, server.name), set())
        if server.image in seen:
            return False
        if server.image is None and seen:
            return False  # its pods are gone for now; nothing new to analyse
        seen.add(server.image)
        return True

    def forget(self, server: DiscoveredServer) -> None:
        """Undo :meth:`fresh` for a server whose report could not be sent."""
        self._images.get((server.namespace, server.kind, server.name), set()).discard(server.image)
