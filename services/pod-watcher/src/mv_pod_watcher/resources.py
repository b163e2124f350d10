"""A pod object of the API (a JSON dict) as a :class:`PodResources`: specs only, no usage.

Requests and limits are the pod's *effective* ones, computed the way the scheduler and kubelet do
(``k8s.io/component-helpers/resource``, PodRequests/PodLimits):

- the regular containers run together: their values add up;
- sidecars (init containers with ``restartPolicy: Always``) keep running: they add up too;
- the other init containers run one at a time before the others, each alongside the sidecars
  started before it;
- so the pod needs ``max(sum(regular + sidecars), max(init_i + sidecars before i))``;
- ``spec.overhead`` (RuntimeClass) is added on top.

A request is None when no container sets it (a container without one counts 0). A limit is None
unless every regular container and sidecar sets it: one unlimited container leaves the pod
unbounded, and a partial sum would pass for a ceiling that does not exist.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from mv_contracts.pods import PodResources

from .quantities import cpu_millicores, memory_mb

Json = dict[str, Any]
Convert = Callable[[str], float]


def _value(container: Json, kind: str, resource: str, convert: Convert) -> float | None:
    raw = ((container.get("resources") or {}).get(kind) or {}).get(resource)
    return None if raw is None else convert(raw)


def _is_sidecar(container: Json) -> bool:
    return container.get("restartPolicy") == "Always"


def effective(pod: Json, kind: str, resource: str, convert: Convert) -> float | None:
    """The pod's effective ``kind`` ("requests"/"limits") of ``resource`` ("cpu"/"memory")."""
    spec = pod.get("spec") or {}
    regular = [_value(c, kind, resource, convert) for c in spec.get("containers") or []]
    init = [
        (_value(c, kind, resource, convert), _is_sidecar(c))
        for c in spec.get("initContainers") or []
    ]
    if all(v is None for v in regular) and all(v is None for v, _ in init):
        return None
    long_running = [*regular, *(v for v, sidecar in init if sidecar)]
    if kind == "limits" and any(v is None for v in long_running):
        return None
    total = sum(v or 0.0 for v in regular)
    sidecars = 0.0
    init_peak = 0.0
    for value, sidecar in init:
        amount = value or 0.0
        init_peak = max(init_peak, sidecars + amount)
        if sidecar:
            sidecars += amount
    needed = max(total + sidecars, init_peak)
    overhead = (spec.get("overhead") or {}).get(resource)
    if overhead is not None:
        needed += convert(overhead)
    return round(needed, 6)


def owner(pod: Json) -> str | None:
    """``Kind/name`` of the controlling owner (a ReplicaSet, StatefulSet, Job...), if any."""
    for reference in (pod.get("metadata") or {}).get("ownerReferences") or []:
        if reference.get("controller"):
            return f"{reference.get('kind')}/{reference.get('name')}"
    return None


def restarts(status: Json) -> int | None:
    """Restarts of the pod's containers (init containers and sidecars too), None before the
    kubelet reports any container."""
    statuses = [
        *(status.get("containerStatuses") or []),
        *(status.get("initContainerStatuses") or []),
    ]
    if not statuses:
        return None
    return sum(int(s.get("restartCount") or 0) for s in statuses)


def pod_resources(pod: Json) -> PodResources:
    metadata = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    status = pod.get("status") or {}
    return PodResources(
        namespace=metadata.get("namespace") or "",
        pod=metadata.get("name") or "",
        phase=status.get("phase"),
        node=spec.get("nodeName"),
        owner=owner(pod),
        containers=[c.get("name", "") for c in spec.get("containers") or []],
        cpu_request_millicores=effective(pod, "requests", "cpu", cpu_millicores),
        cpu_limit_millicores=effective(pod, "limits", "cpu", cpu_millicores),
        memory_request_mb=effective(pod, "requests", "memory", memory_mb),
        memory_limit_mb=effective(pod, "limits", "memory", memory_mb),
        restarts=restarts(status),
    )


def images(pod: Json) -> list[str]:
    """The images of the pod's regular containers, sorted, without repeats."""
    containers: Iterable[Json] = (pod.get("spec") or {}).get("containers") or []
    return sorted({c["image"] for c in containers if c.get("image")})
