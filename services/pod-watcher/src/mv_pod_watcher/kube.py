"""A small async client for the Kubernetes API: JSON GETs and watch streams over httpx.

Why not the official client's ``watch.Watch`` in a thread: a watch blocks its thread on a socket
for minutes and cannot be cancelled from asyncio, so shutdown would wait for the server to close
it. The official ``kubernetes`` package is used for what it does well, reading a kubeconfig or the
in-cluster service account (token refresh included); the requests are plain async HTTP.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator
from typing import Any

import httpx
from kubernetes import client as kube_client
from kubernetes import config as kube_config
from kubernetes.config.config_exception import ConfigException

Json = dict[str, Any]


class KubeError(Exception):
    """The API answered with an error status (or the connection failed)."""

    def __init__(self, status: int, reason: str, message: str) -> None:
        super().__init__(f"{status} {reason}: {message}")
        self.status, self.reason, self.message = status, reason, message


class Expired(KubeError):
    """410 Gone: the resourceVersion is too old; the caller must list again."""


def _error(status: int, body: str) -> KubeError:
    try:
        data = json.loads(body)
        reason, message = str(data.get("reason", "")), str(data.get("message", body))
    except (ValueError, AttributeError):
        reason, message = "", body[:500]
    kind = Expired if status == 410 else KubeError
    return kind(status, reason, message)


def load_configuration(kubeconfig: str | None = None) -> kube_client.Configuration:
    """In-cluster service account when running in a pod, else the kubeconfig (KUBECONFIG)."""
    configuration = kube_client.Configuration()
    if kubeconfig is None:
        try:
            kube_config.load_incluster_config(client_configuration=configuration)  # type: ignore[no-untyped-call]
            return configuration
        except ConfigException:
            pass
    kube_config.load_kube_config(  # type: ignore[no-untyped-call]
        config_file=kubeconfig, client_configuration=configuration
    )
    return configuration


class KubeClient:
    def __init__(self, configuration: kube_client.Configuration) -> None:
        self._configuration = configuration
        context = ssl.create_default_context(cafile=configuration.ssl_ca_cert)
        if not configuration.verify_ssl:
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        if configuration.cert_file:
            context.load_cert_chain(configuration.cert_file, configuration.key_file)
        self._http = httpx.AsyncClient(
            base_url=configuration.host, verify=context, timeout=httpx.Timeout(30.0)
        )

    @classmethod
    async def connect(cls, kubeconfig: str | None = None) -> KubeClient:
        configuration = await asyncio.to_thread(load_configuration, kubeconfig)
        return cls(configuration)

    def _headers(self) -> dict[str, str]:
        configuration = self._configuration
        if configuration.refresh_api_key_hook is not None:
            configuration.refresh_api_key_hook(configuration)  # re-reads a rotated token
        headers = {"Accept": "application/json"}
        # The client's own auth settings: where its version keeps the bearer token (the key was
        # "authorization" once, "BearerToken" now), and how it goes in the header.
        settings: dict[str, dict[str, Any]] = configuration.auth_settings()  # type: ignore[assignment]
        for setting in settings.values():
            if setting.get("in") == "header" and setting.get("value"):
                headers[str(setting["key"])] = str(setting["value"])
        return headers

    async def get(self, path: str, params: dict[str, str | int] | None = None) -> Json:
        response = await self._http.get(path, params=params, headers=self._headers())
        if response.status_code >= 400:
            raise _error(response.status_code, response.text)
        data: Json = response.json()
        return data

    async def list_all(self, path: str, params: dict[str, str | int]) -> tuple[list[Json], str]:
        """Every item (paginated by 500) and the list's resourceVersion."""
        items: list[Json] = []
        page: dict[str, str | int] = {**params, "limit": 500}
        while True:
            data = await self.get(path, page)
            items.extend(data.get("items") or [])
            metadata = data.get("metadata") or {}
            if not metadata.get("continue"):
                return items, str(metadata.get("resourceVersion", ""))
            page = {**page, "continue": metadata["continue"]}

    async def watch(
        self, path: str, params: dict[str, str | int], timeout_seconds: int
    ) -> AsyncIterator[Json]:
        """The watch events until the server ends the watch; ``Expired`` on 410 Gone."""
        query = {**params, "watch": "true", "allowWatchBookmarks": "true"}
        query["timeoutSeconds"] = timeout_seconds
        # The server ends the watch after timeout_seconds; a read silent for longer is a dead link.
        timeout = httpx.Timeout(30.0, read=timeout_seconds + 30.0)
        request = self._http.build_request(
            "GET", path, params=query, headers=self._headers(), timeout=timeout
        )
        response = await self._http.send(request, stream=True)
        try:
            if response.status_code >= 400:
                raise _error(response.status_code, (await response.aread()).decode())
            async for line in response.aiter_lines():
                if not line.strip():
                    continue
                event: Json = json.loads(line)
                if event.get("type") == "ERROR":
                    status = event.get("object") or {}
                    raise _error(int(status.get("code") or 500), json.dumps(status))
                yield event
        finally:
            await response.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()
