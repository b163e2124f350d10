"""Keeping a local copy of a namespace's objects with list + watch.

The loop: list everything (remembering the list's resourceVersion), then watch from that version;
every event moves the version forward (bookmarks too), so a watch that ends or drops is resumed
where it stopped, without a relist. Only 410 Gone (the version was compacted away) forces a full
relist, which also removes objects deleted while nobody watched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import structlog

from .kube import Expired, KubeClient, KubeError

Json = dict[str, Any]
log = structlog.get_logger()
MAX_RETRY_SECONDS = 60.0


class Informer:
    """The objects of one kind in one namespace, by name, kept current by :meth:`run`."""

    def __init__(
        self,
        client: KubeClient,
        path: str,
        *,
        label_selector: str | None = None,
        timeout_seconds: int = 300,
        retry_seconds: float = 1.0,
        on_change: Callable[[], None] | None = None,
    ) -> None:
        self._client = client
        self.path = path
        self._params: dict[str, str | int] = {}
        if label_selector:
            self._params["labelSelector"] = label_selector
        self._timeout_seconds = timeout_seconds
        self._retry_seconds = retry_seconds
        self._on_change = on_change
        self.objects: dict[str, Json] = {}
        self.resource_version: str | None = None
        self.synced = asyncio.Event()
        self.lists = 0  # how many full lists: the first one plus one per 410 Gone
        self.watches = 0  # how many watch requests were opened
        self.failures = 0  # requests that failed (other than 410 Gone)
        self.retry_delay = retry_seconds  # the wait after the next failure

    async def relist(self) -> None:
        items, version = await self._client.list_all(self.path, self._params)
        self.objects = {item["metadata"]["name"]: item for item in items}
        self.resource_version = version
        self.lists += 1
        self.synced.set()
        self._changed()

    def apply(self, event: Json) -> None:
        """One watch event applied to the local copy."""
        kind, obj = event.get("type"), event.get("object") or {}
        metadata = obj.get("metadata") or {}
        if metadata.get("resourceVersion"):
            self.resource_version = str(metadata["resourceVersion"])
        if kind in ("ADDED", "MODIFIED"):
            self.objects[metadata["name"]] = obj
        elif kind == "DELETED":
            self.objects.pop(metadata.get("name", ""), None)
        else:  # BOOKMARK: only the version moves
            return
        self._changed()

    async def watch_once(self) -> None:
        """One watch request from the kept version, until the server ends it."""
        assert self.resource_version is not None
        params = {**self._params, "resourceVersion": self.resource_version}
        self.watches += 1
        async for event in self._client.watch(self.path, params, self._timeout_seconds):
            self.apply(event)

    async def run(self) -> None:
        """List, then watch for ever: resume on a drop, relist on 410 Gone. Failures in a row
        wait twice as long each time, up to a minute, so an API server that is down is not
        hammered (nor the log flooded)."""
        delay = self._retry_seconds
        while True:
            try:
                if self.resource_version is None:
                    await self.relist()
                await self.watch_once()
                delay = self.retry_delay = self._retry_seconds
            except Expired as error:
                log.info("watch expired; listing again", path=self.path, reason=error.message)
                self.resource_version = None
            except (KubeError, httpx.HTTPError, ValueError) as error:
                log.warning(
                    "watch interrupted; resuming", path=self.path, error=str(error), retry_in=delay
                )
                self.failures += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, MAX_RETRY_SECONDS)
                self.retry_delay = delay

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change()
