"""Pod usage from the resource metrics API (metrics.k8s.io/v1beta1 PodMetrics).

The API exists only where metrics-server (or another adapter) is registered as an APIService.
Where it is not served, readings are None and one warning is logged when that state begins, not
one per tick; an info line says when it comes (back). A reading that takes longer than its
``timeout`` counts as not served: the API server proxies the read to metrics-server and can hold
it for long, and a snapshot of the pods' specs every interval is worth more than a late usage.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
import structlog

from .kube import KubeClient, KubeError
from .quantities import QuantityError, cpu_millicores, memory_mb

log = structlog.get_logger()
Json = dict[str, Any]

# 404: group not registered; 503: registered but its backend is unavailable.
NOT_SERVED = (404, 503)


@dataclass(frozen=True, slots=True)
class Usage:
    cpu_millicores: float
    memory_mb: float


def usage_by_pod(pod_metrics_list: Json) -> dict[str, Usage]:
    """A PodMetricsList as pod name -> containers' usage summed."""
    result: dict[str, Usage] = {}
    for item in pod_metrics_list.get("items") or []:
        cpu = memory = 0.0
        for container in item.get("containers") or []:
            usage = container.get("usage") or {}
            cpu += cpu_millicores(usage.get("cpu", "0"))
            memory += memory_mb(usage.get("memory", "0"))
        result[item["metadata"]["name"]] = Usage(round(cpu, 6), round(memory, 6))
    return result


class MetricsReader:
    def __init__(
        self,
        client: KubeClient,
        namespace: str,
        label_selector: str | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._client = client
        self.timeout = timeout
        self._path = f"/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods"
        self._params: dict[str, str | int] = {}
        if label_selector:
            self._params["labelSelector"] = label_selector
        self.available: bool | None = None  # None until the first reading
        self.warnings = 0

    async def read(self) -> dict[str, Usage] | None:
        """Usage per pod, or None when the metrics API is not served right now."""
        try:
            async with asyncio.timeout(self.timeout):
                data = await self._client.get(self._path, self._params)
            usage = usage_by_pod(data)
        except TimeoutError:
            return self._unavailable(f"the metrics API did not answer in {self.timeout:g} s")
        except KubeError as error:
            reason = (
                "the metrics API (metrics.k8s.io) is not served: install metrics-server"
                if error.status in NOT_SERVED
                else f"the metrics API failed: {error}"
            )
            return self._unavailable(reason)
        except (httpx.HTTPError, ValueError, KeyError, QuantityError) as error:
            return self._unavailable(f"the metrics API failed: {error!r}")
        if self.available is not True:
            log.info("pod metrics available; reporting usage", path=self._path)
        self.available = True
        return usage

    def _unavailable(self, reason: str) -> dict[str, Usage] | None:
        if self.available is not False:
            self.warnings += 1
            log.warning(f"{reason}; reporting specs only until it is", path=self._path)
        self.available = False
        return None
