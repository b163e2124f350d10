"""Load tests on the cluster, as the tests start and read them through the gateway: the demo
API's discovered spec, a test started against its Service, the stored summary, and the demo
API's own count of the calls it served."""

from __future__ import annotations

import time
from typing import Any

import httpx

from .conftest import TEST_NAMESPACE, Cluster

DEMO = f"http://demo-api.{TEST_NAMESPACE}.svc.cluster.local:8080"


def inventory_endpoint(gateway: httpx.Client) -> tuple[int, int]:
    """The discovered demo spec's project and its GET /inventory endpoint."""
    deadline = time.monotonic() + 120
    while True:
        projects = gateway.get("/project", params={"limit": 500}).raise_for_status().json()
        project = next((p for p in projects if p["title"] == TEST_NAMESPACE), None)
        if project is not None:
            specs = gateway.get("/openapi", params={"project_id": project["id"]}).json()
            if specs:
                endpoints = gateway.get("/endpoint", params={"spec_id": specs[0]["id"]}).json()
                inventory = next(e["id"] for e in endpoints if e["path"] == "/inventory")
                return int(project["id"]), int(inventory)
        assert time.monotonic() < deadline, "the demo API's spec was not analysed in 120 s"
        time.sleep(2)


def demo_calls(cluster: Cluster) -> tuple[int, int]:
    """The demo API's own count of /inventory calls so far and how many of them this asking
    made, asked of its Service address from this machine (kube-proxy's rules lead there)."""
    service = cluster.core().read_namespaced_service("demo-api", TEST_NAMESPACE)
    for asked in range(1, 4):
        answer = httpx.get(f"http://{service.spec.cluster_ip}:8080/inventory", timeout=10)
        if answer.status_code != 503:  # every 5th call fails without its number, and counts
            return int(answer.raise_for_status().json()["call"]), asked
    raise AssertionError("the demo API failed three calls in a row")


def summary(gateway: httpx.Client, history_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        details: dict[str, Any] = gateway.get(f"/test-history/{history_id}/details").json()
        if details["figures"].get("total_requests") is not None:
            return details
        time.sleep(2)
    raise AssertionError(f"no summary of test {history_id} in 240 s")


def start(
    gateway: httpx.Client, title: str, mode: str, vus: int, duration: str, **more: Any
) -> int:
    """Starts a test of GET /inventory on the demo API's Service; ``more``: other fields of
    the request (parallelism, headers). Its test history id."""
    project_id, inventory = inventory_endpoint(gateway)
    created = gateway.post(
        "/load-testing",
        json={
            "title": title,
            "project_id": project_id,
            "base_url": DEMO,
            "metrics_mode": mode,
            "scenarios": [
                {
                    "name": "inventory",
                    "endpoint_id": inventory,
                    "executor": "constant-vus",
                    "vus": vus,
                    "duration": duration,
                    "think_time": 0.01,
                }
            ],
            **more,
        },
    )
    assert created.status_code < 300, created.text
    return int(created.json()["test_history_id"])


def id_of_test(gateway: httpx.Client, history_id: int) -> str:
    return str(gateway.get(f"/test-history/{history_id}/details").json()["test_id"])


def ended(gateway: httpx.Client, history_id: int, seconds: float = 120) -> dict[str, Any]:
    """The test's details once it is no longer pending or running."""
    deadline = time.monotonic() + seconds
    while True:
        details: dict[str, Any] = gateway.get(f"/test-history/{history_id}/details").json()
        if details["status"] not in ("pending", "running"):
            return details
        assert time.monotonic() < deadline, f"test {history_id} still runs after {seconds} s"
        time.sleep(1)
