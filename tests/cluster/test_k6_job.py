"""A load test run as a real Job on the cluster, started through the gateway: k6 from the image
made here, in a pod of the job namespace, against the demo API's Service in the test namespace.
The stored summary counts exactly the requests the demo API itself counted, in both metrics
modes, and the demo pod's CPU and memory, read from metrics-server, are stored with the test."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from .conftest import NAMESPACE, TEST_NAMESPACE, Cluster

pytestmark = pytest.mark.cluster

DEMO = f"http://demo-api.{TEST_NAMESPACE}.svc.cluster.local:8080"


def _inventory_endpoint(gateway: httpx.Client) -> tuple[int, int]:
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


def _demo_calls(cluster: Cluster) -> tuple[int, int]:
    """The demo API's own count of /inventory calls so far and how many of them this asking
    made, asked of its Service address from this machine (kube-proxy's rules lead there)."""
    service = cluster.core().read_namespaced_service("demo-api", TEST_NAMESPACE)
    for asked in range(1, 4):
        answer = httpx.get(f"http://{service.spec.cluster_ip}:8080/inventory", timeout=10)
        if answer.status_code != 503:  # every 5th call fails without its number, and counts
            return int(answer.raise_for_status().json()["call"]), asked
    raise AssertionError("the demo API failed three calls in a row")


def _summary(gateway: httpx.Client, history_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        details: dict[str, Any] = gateway.get(f"/test-history/{history_id}/details").json()
        if details["figures"].get("total_requests") is not None:
            return details
        time.sleep(2)
    raise AssertionError(f"no summary of test {history_id} in 240 s")


def _start(gateway: httpx.Client, title: str, mode: str, vus: int, duration: str) -> int:
    project_id, inventory = _inventory_endpoint(gateway)
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
        },
    )
    assert created.status_code < 300, created.text
    return int(created.json()["test_history_id"])


def test_the_demo_pods_usage_under_load_is_stored(cluster: Cluster, gateway: httpx.Client) -> None:
    (demo,) = (
        cluster.core()
        .list_namespaced_pod(TEST_NAMESPACE, label_selector="app.kubernetes.io/name=demo-api")
        .items
    )
    details = _summary(gateway, _start(gateway, "cluster pod usage", "fast", 4, "25s"))
    series: list[dict[str, Any]] = next(
        (
            pod["points"]
            for pod in details["resources"]
            if (pod["namespace"], pod["pod_name"]) == (TEST_NAMESPACE, demo.metadata.name)
        ),
        [],
    )
    assert series, details["resources"]
    assert {p["cpu_limit_millicores"] for p in series} == {1000.0}  # the manifest's limit
    measured = [p for p in series if p["cpu_usage_millicores"] is not None]
    assert measured, series
    assert max(p["cpu_usage_millicores"] for p in measured) > 0, measured
    assert max(p["memory_usage_mb"] for p in measured) > 0, measured


@pytest.mark.parametrize("mode", ["fast", "precise"])
def test_a_job_counts_what_the_demo_served(
    cluster: Cluster, gateway: httpx.Client, mode: str
) -> None:
    _inventory_endpoint(gateway)  # the spec is analysed before the count starts
    before, _ = _demo_calls(cluster)
    details = _summary(gateway, _start(gateway, f"cluster job ({mode})", mode, 2, "5s"))
    after, asked = _demo_calls(cluster)
    served = after - before - asked
    figures = details["figures"]
    assert figures["total_requests"] == served, figures
    assert figures["failed_requests"] > 0, figures  # the demo's every 5th /inventory fails


def test_cancel_removes_the_runner_pods_within_seconds(
    cluster: Cluster, gateway: httpx.Client
) -> None:
    history_id = _start(gateway, "cluster cancel", "fast", 2, "120s")
    test_id = gateway.get(f"/test-history/{history_id}/details").json()["test_id"]
    selector = f"metric-vault.io/run=k6-{test_id}"
    core = cluster.core()
    deadline = time.monotonic() + 120
    while not any(
        p.status.phase == "Running"
        for p in core.list_namespaced_pod(NAMESPACE, label_selector=selector).items
    ):
        assert time.monotonic() < deadline, "the k6 pod did not run in 120 s"
        time.sleep(1)
    cancelled = gateway.post(f"/load-testing/{test_id}/cancel")
    assert cancelled.status_code == 202, cancelled.text
    started = time.monotonic()
    while core.list_namespaced_pod(NAMESPACE, label_selector=selector).items:
        assert time.monotonic() - started < 30, "runner pods still there 30 s after cancel"
        time.sleep(0.5)
    gone_after = time.monotonic() - started
    while gateway.get(f"/test-history/{history_id}/details").json()["status"] != "cancelled":
        assert time.monotonic() - started < 60, "the test is not cancelled 60 s after cancel"
        time.sleep(1)
    print(f"runner pods gone {gone_after:.1f} s after cancel")  # a figure for the README


def _running_runner(cluster: Cluster, test_id: str) -> Any:
    selector = f"metric-vault.io/run=k6-{test_id}"
    deadline = time.monotonic() + 120
    while True:
        pods = cluster.core().list_namespaced_pod(NAMESPACE, label_selector=selector).items
        running = [p for p in pods if p.status.phase == "Running"]
        if running:
            return running[0]
        assert time.monotonic() < deadline, "the k6 pod did not run in 120 s"
        time.sleep(1)


def test_a_runner_pod_deleted_mid_test_fails_the_test(
    cluster: Cluster, gateway: httpx.Client
) -> None:
    history_id = _start(gateway, "cluster pod deleted", "fast", 2, "120s")
    test_id = gateway.get(f"/test-history/{history_id}/details").json()["test_id"]
    pod = _running_runner(cluster, test_id)
    time.sleep(3)  # k6 is under way
    cluster.core().delete_namespaced_pod(pod.metadata.name, NAMESPACE)
    deadline = time.monotonic() + 90
    while (details := gateway.get(f"/test-history/{history_id}/details").json())["status"] in (
        "pending",
        "running",
    ):
        assert time.monotonic() < deadline, "the test still runs 90 s after its pod was deleted"
        time.sleep(1)
    print(f"deleted runner pod: {details['status']}: {details['status_reason']}")
    assert details["status"] == "failed", details
    assert "the k6 pod was deleted before k6 ended" in details["status_reason"], details
