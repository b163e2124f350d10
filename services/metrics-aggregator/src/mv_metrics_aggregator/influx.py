"""An async InfluxQL client over the InfluxDB 1.x HTTP API (``/query``, ``/write``).

Transient failures (connection refused, timeouts, 5xx) are retried a bounded number of times
with exponential back-off; what is left is raised as :class:`InfluxUnavailable`. A query the
server refuses (4xx, or an ``error`` in the result) is :class:`InfluxQueryError`, never retried.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

import httpx
import structlog

log = structlog.get_logger()


class InfluxError(Exception):
    """Base of the InfluxDB errors."""


class InfluxUnavailable(InfluxError):
    """InfluxDB could not be reached (or answered 5xx) after every retry."""


class InfluxQueryError(InfluxError):
    """InfluxDB refused a statement; the message carries the statement and the reason."""


@dataclass(frozen=True, slots=True)
class Series:
    """One series of a statement's result: its tags and rows as column → value dicts."""

    name: str
    tags: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)

    def first(self) -> dict[str, Any]:
        return self.rows[0] if self.rows else {}


Result = list[Series]


def parse_results(body: dict[str, Any], statements: list[str]) -> list[Result]:
    """Turn the JSON answer of ``/query`` into one list of :class:`Series` per statement."""
    if "error" in body:
        raise InfluxQueryError(f"InfluxDB refused the query: {body['error']}")
    results: list[Result] = [[] for _ in statements]
    for result in body.get("results", []):
        index = int(result.get("statement_id", 0))
        if "error" in result:
            statement = statements[index] if index < len(statements) else "?"
            raise InfluxQueryError(f"InfluxDB refused {statement!r}: {result['error']}")
        for series in result.get("series", []):
            columns: list[str] = series["columns"]
            rows = [dict(zip(columns, values, strict=True)) for values in series["values"]]
            results[index].append(
                Series(series.get("name", ""), dict(series.get("tags", {})), rows)
            )
    return results


class InfluxClient:
    """Runs InfluxQL statements against one database; share one per process."""

    def __init__(
        self,
        url: str,
        database: str,
        *,
        max_retry: int = 3,
        backoff: float = 0.5,
        timeout: float = 60.0,
    ) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.max_retry = max_retry
        self.backoff = backoff
        self._http = httpx.AsyncClient(base_url=self.url, timeout=timeout)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def query(self, *statements: str) -> list[Result]:
        """Run ``statements`` in one request; epoch-millisecond times in the rows."""
        params = {"db": self.database, "q": ";".join(statements), "epoch": "ms"}
        response = await self._send("POST", "/query", data=params)
        return parse_results(response.json(), list(statements))

    async def write(self, lines: str, *, precision: str = "ns") -> None:
        """Write line protocol (used by tests and the benchmark, like k6 and the pod-watcher)."""
        await self._send(
            "POST", "/write", params={"db": self.database, "precision": precision}, content=lines
        )

    async def execute(self, statement: str) -> None:
        """A statement without a database parameter, e.g. CREATE / DROP DATABASE."""
        await self._send("POST", "/query", data={"q": statement})

    async def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self._http.request(method, path, **kwargs)
            except httpx.TransportError as error:
                reason = f"{type(error).__name__}: {error}"
            else:
                if response.status_code < 500:
                    if response.status_code >= 400:
                        raise InfluxQueryError(
                            f"InfluxDB answered {response.status_code} to {path}: "
                            f"{response.text.strip()[:500]}"
                        )
                    return response
                reason = f"HTTP {response.status_code}: {response.text.strip()[:200]}"
            if attempt >= self.max_retry:
                raise InfluxUnavailable(
                    f"InfluxDB at {self.url} unavailable after {attempt + 1} attempts: {reason}"
                )
            delay = self.backoff * 2**attempt
            log.warning("influxdb unavailable, retrying", reason=reason, retry_in=delay)
            await asyncio.sleep(delay)
            attempt += 1
