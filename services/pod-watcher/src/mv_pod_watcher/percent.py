"""Usage as a percent of the limit, else of the request: computed here and nowhere else."""

from __future__ import annotations

from mv_contracts.pods import PodResources


def percent(usage: float | None, limit: float | None, request: float | None) -> float | None:
    """``usage`` as a percent of ``limit``, else of ``request``; None when either side is unknown.

    A zero limit or request (allowed by the API) gives None rather than a division by zero.
    """
    if usage is None:
        return None
    base = limit if limit else request
    if not base:
        return None
    return round(usage / base * 100, 2)


def with_percent(pod: PodResources) -> PodResources:
    """``pod`` with ``cpu_percent`` and ``memory_percent`` filled from its usage and specs."""
    return pod.model_copy(
        update={
            "cpu_percent": percent(
                pod.cpu_usage_millicores, pod.cpu_limit_millicores, pod.cpu_request_millicores
            ),
            "memory_percent": percent(
                pod.memory_usage_mb, pod.memory_limit_mb, pod.memory_request_mb
            ),
        }
    )
