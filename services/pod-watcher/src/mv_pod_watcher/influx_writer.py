"""Writing snapshots to InfluxDB 1.x as the ``pod_resources`` measurement (line protocol).

One point per pod and snapshot, tagged ``namespace`` and ``pod``, with the numeric fields of
:class:`PodResources` that are known (usage, percent, requests, limits) and a string field
``test_ids``: the ids of the tests running at that moment, comma-separated. The aggregator selects
by time window (see ``mv_contracts.pods``), so the points need no test tag.
"""

from __future__ import annotations

import httpx

from mv_contracts.pods import (
    POD_RESOURCES_CPU_PERCENT,
    POD_RESOURCES_CPU_USAGE,
    POD_RESOURCES_MEASUREMENT,
    POD_RESOURCES_MEMORY_PERCENT,
    POD_RESOURCES_MEMORY_USAGE,
    POD_RESOURCES_TEST_IDS,
    PodResourcesSnapshot,
)

FIELDS = (
    POD_RESOURCES_CPU_USAGE,
    POD_RESOURCES_MEMORY_USAGE,
    POD_RESOURCES_CPU_PERCENT,
    POD_RESOURCES_MEMORY_PERCENT,
    "cpu_request_millicores",
    "cpu_limit_millicores",
    "memory_request_mb",
    "memory_limit_mb",
)


def _key(text: str) -> str:
    """A measurement name, tag key or tag value, escaped."""
    return text.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=").replace(" ", "\\ ")


def _string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def lines(snapshot: PodResourcesSnapshot) -> list[str]:
    """The snapshot's points; a pod with no known number is left out."""
    timestamp = round(snapshot.at.timestamp() * 1_000_000) * 1_000
    result = []
    for pod in snapshot.pods:
        values = pod.model_dump(include=set(FIELDS))
        fields = [
            f"{_key(name)}={float(values[name])!r}" for name in FIELDS if values[name] is not None
        ]
        if not fields:
            continue
        fields.append(f"{POD_RESOURCES_TEST_IDS}={_string(','.join(snapshot.test_ids))}")
        tags = f"namespace={_key(pod.namespace)},pod={_key(pod.pod)}"
        result.append(f"{_key(POD_RESOURCES_MEASUREMENT)},{tags} {','.join(fields)} {timestamp}")
    return result


class InfluxWriter:
    def __init__(self, url: str, database: str, http: httpx.AsyncClient | None = None) -> None:
        self._url = url.rstrip("/") + "/write"
        self._database = database
        self._http = http or httpx.AsyncClient(timeout=10.0)

    async def write(self, snapshot: PodResourcesSnapshot) -> int:
        """Writes the snapshot's points; returns how many. Raises ``httpx.HTTPError`` on failure."""
        body = "\n".join(lines(snapshot))
        if not body:
            return 0
        response = await self._http.post(
            self._url, params={"db": self._database, "precision": "ns"}, content=body.encode()
        )
        response.raise_for_status()
        return body.count("\n") + 1

    async def aclose(self) -> None:
        await self._http.aclose()
