"""A test split over three runner pods: each k6 starts paused with its execution segment, the
test-runner resumes them together over their pod IPs (k6's REST API), and the one stored result
counts exactly the calls the demo API served."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from mv_test_runner.executors.segments import execution_segment

from .conftest import NAMESPACE, Cluster
from .runs import demo_calls, id_of_test, inventory_endpoint, start, summary

pytestmark = pytest.mark.cluster


def _runner_pods(cluster: Cluster, test: str, count: int) -> list[Any]:
    """The test's runner pods once there are ``count`` of them, each with its pod IP."""
    selector = f"metric-vault.io/run=k6-{test}"
    deadline = time.monotonic() + 120
    while True:
        pods = cluster.core().list_namespaced_pod(NAMESPACE, label_selector=selector).items
        if len(pods) == count and all(p.status.pod_ip for p in pods):
            return sorted(pods, key=lambda p: p.metadata.labels["metric-vault.io/runner"])
        assert time.monotonic() < deadline, f"{len(pods)} of {count} runner pods in 120 s"
        time.sleep(0.5)


def test_three_runner_pods_resumed_together_count_exactly(
    cluster: Cluster, gateway: httpx.Client
) -> None:
    inventory_endpoint(gateway)  # the spec is analysed before the count starts
    before, _ = demo_calls(cluster)
    history_id = start(gateway, "cluster split", "fast", 3, "8s", parallelism=3)
    pods = _runner_pods(cluster, id_of_test(gateway, history_id), 3)
    assert len({p.status.pod_ip for p in pods}) == 3, [p.status.pod_ip for p in pods]
    for index, pod in enumerate(pods, start=1):
        args = pod.spec.containers[0].args
        assert "--paused" in args, args
        assert args[args.index("--execution-segment") + 1] == execution_segment(index, 3), args
    details = summary(gateway, history_id)
    after, asked = demo_calls(cluster)
    figures = details["figures"]
    assert details["status"] == "succeeded", details
    assert figures["total_requests"] == after - before - asked, figures
    assert figures["failed_requests"] > 0, figures  # the demo's every 5th /inventory fails
    runners = details["runners"]
    assert [r["status"] for r in runners] == ["succeeded"] * 3, runners
    # Resumed together: every runner made requests (one VU each), none ran alone.
    assert figures["total_requests"] >= 3 * 8, figures
