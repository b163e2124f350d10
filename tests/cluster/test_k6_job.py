"""A load test run as a real Job on the cluster, started through the gateway: k6 from the image
made here, in a pod of the job namespace, against the demo API's Service in the test namespace.
The stored summary counts exactly the requests the demo API itself counted, in both metrics
modes, and the demo pod's CPU and memory, read from metrics-server, are stored with the test."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from kubernetes import client

from .conftest import METRICS_API, NAMESPACE, TEST_NAMESPACE, Cluster
from .runs import demo_calls, inventory_endpoint, start, summary

pytestmark = pytest.mark.cluster


def test_the_demo_pods_usage_under_load_is_stored(cluster: Cluster, gateway: httpx.Client) -> None:
    (demo,) = (
        cluster.core()
        .list_namespaced_pod(TEST_NAMESPACE, label_selector="app.kubernetes.io/name=demo-api")
        .items
    )
    # metrics-server reports a pod after two scrapes of it: a usage the platform cannot have yet
    # is not what this test is about, so the load starts once the demo pod is reported.
    metrics = client.CustomObjectsApi(cluster.api)

    def reported() -> list[str]:
        listing: Any = metrics.list_namespaced_custom_object(*METRICS_API, TEST_NAMESPACE, "pods")
        return [item["metadata"]["name"] for item in listing["items"]]

    deadline = time.monotonic() + 120
    while demo.metadata.name not in reported():
        assert time.monotonic() < deadline, "metrics-server did not report the demo pod in 120 s"
        time.sleep(2)
    details = summary(gateway, start(gateway, "cluster pod usage", "fast", 4, "25s"))
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
    inventory_endpoint(gateway)  # the spec is analysed before the count starts
    before, _ = demo_calls(cluster)
    details = summary(gateway, start(gateway, f"cluster job ({mode})", mode, 2, "5s"))
    after, asked = demo_calls(cluster)
    served = after - before - asked
    figures = details["figures"]
    assert figures["total_requests"] == served, figures
    assert figures["failed_requests"] > 0, figures  # the demo's every 5th /inventory fails


def test_cancel_removes_the_runner_pods_within_seconds(
    cluster: Cluster, gateway: httpx.Client
) -> None:
    history_id = start(gateway, "cluster cancel", "fast", 2, "120s")
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
    history_id = start(gateway, "cluster pod deleted", "fast", 2, "120s")
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
