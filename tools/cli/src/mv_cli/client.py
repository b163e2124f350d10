"""The gateway's HTTP API as the CLI uses it: every call, and its errors with the server's words."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
from httpx_sse import connect_sse


class GatewayError(Exception):
    """The gateway refused or could not be reached; the message says what and why."""


class Gateway:
    def __init__(self, url: str, token: str | None, timeout: float = 30.0) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.http = httpx.Client(base_url=url.rstrip("/"), headers=headers, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def _call(self, method: str, path: str, **options: Any) -> httpx.Response:
        try:
            response = self.http.request(method, path, **options)
        except httpx.HTTPError as error:
            raise GatewayError(f"{method} {path}: {error}") from error
        if response.status_code >= 400:
            try:
                detail: Any = response.json().get("detail", response.text)
            except (ValueError, AttributeError):
                detail = response.text
            if not isinstance(detail, str):
                detail = json.dumps(detail, ensure_ascii=False)
            raise GatewayError(f"{method} {path}: {response.status_code} {detail[:2000]}")
        return response

    def json(self, method: str, path: str, **options: Any) -> Any:
        return self._call(method, path, **options).json()

    def text(self, path: str) -> str:
        return self._call("GET", path).text

    def project(self, title: str) -> int:
        """The id of the project with this title, created if there is none."""
        for project in self.json("GET", "/project", params={"limit": 500}):
            if project["title"] == title:
                return int(project["id"])
        return int(self.json("POST", "/project", json={"title": title})["id"])

    def analyse(self, project_id: int, url: str, timeout: float = 120) -> int:
        """Analyse ``url`` into the project (re-analysis when it is known); the spec id."""
        body: dict[str, Any] = {"project_id": project_id, "openapi_url": url}
        for spec in self.json("GET", "/openapi", params={"project_id": project_id}):
            if spec.get("source_url") == url:
                body["spec_id"] = spec["id"]
        analysis = self.json(
            "POST", "/openapi/analyze", params={"wait": "true", "timeout": timeout}, json=body,
            timeout=timeout + 10,
        )  # fmt: skip
        if analysis.get("spec_id") is None:
            raise GatewayError(f"the analysis of {url} did not finish in {timeout:g} s")
        return int(analysis["spec_id"])

    def endpoint_ids(self, spec_id: int) -> dict[tuple[str, str], int]:
        endpoints = self.json("GET", "/endpoint", params={"spec_id": spec_id})
        return {(e["method"].upper(), e["path"]): int(e["id"]) for e in endpoints}

    def start(self, body: dict[str, Any]) -> dict[str, Any]:
        created: dict[str, Any] = self.json("POST", "/load-testing", json=body)
        return created

    def live(self, test_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The test's live events (``k6``, ``resources``) until its ``end``."""
        params = {"test_id": test_id, "include": "k6_only"}
        try:
            with connect_sse(
                self.http, "GET", "/sse/k6-data", params=params, timeout=None
            ) as source:
                for event in source.iter_sse():
                    if not event.data:
                        continue
                    data = json.loads(event.data)
                    # the gateway sends unnamed events with the kind inside (named with ?named=true)
                    kind = event.event if event.event != "message" else data.get("kind", "k6")
                    yield kind, data
                    if kind == "end":
                        return
        except httpx.HTTPError as error:
            raise GatewayError(f"live stream of {test_id}: {error}") from error

    def details(self, history_id: int, wait_seconds: float = 120) -> dict[str, Any]:
        """The stored result once the run has ended and its summary is in."""
        deadline = time.monotonic() + wait_seconds
        while True:
            details: dict[str, Any] = self.json("GET", f"/test-history/{history_id}/details")
            summarised = details["figures"].get("total_requests") is not None
            # A run that crossed k6's thresholds ran to its end too (state completed): its
            # summary is on its way, and the gate judges it.
            completed = details["state"] == "completed"
            if details["ended"] and (summarised or not completed):
                return details
            if time.monotonic() >= deadline:
                raise GatewayError(
                    f"test {details['test_id']} has no summary after {wait_seconds:g} s"
                )
            time.sleep(1)

    def analysis(self, history_id: int) -> dict[str, Any]:
        result: dict[str, Any] = self.json("GET", f"/test-history/{history_id}/analysis")
        return result
