"""Live figures of a test run as a Job, over the gateway's SSE stream as the web UI reads them:
k6's figures while it runs, the demo pod's CPU and memory from metrics-server, the end, and last
the stored summary, whose count is the last live figure's."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from .conftest import TEST_NAMESPACE, Cluster
from .runs import id_of_test, start

pytestmark = pytest.mark.cluster


def _events(gateway: httpx.Client, test: str) -> Iterator[dict[str, Any]]:
    url = "/sse/k6-data"
    params = {"test_id": test, "replay": "true"}
    timeout = httpx.Timeout(30, read=60)
    with gateway.stream("GET", url, params=params, timeout=timeout) as response:
        assert response.status_code == 200, response.read()
        for line in response.iter_lines():
            if line.startswith("data: "):
                yield json.loads(line[len("data: ") :])


def test_live_figures_of_a_job_over_sse(cluster: Cluster, gateway: httpx.Client) -> None:
    history_id = start(gateway, "cluster live", "fast", 3, "20s")
    test = id_of_test(gateway, history_id)
    requests: list[int] = []
    demo_usage: list[tuple[float | None, float | None]] = []
    kinds: list[str] = []
    deadline = time.monotonic() + 240
    for event in _events(gateway, test):
        assert time.monotonic() < deadline, f"no summary over SSE in 240 s: {kinds}"
        kinds.append(event["kind"])
        if event["kind"] == "k6":
            requests.append(event["k6"]["overall"]["requests_total"])
        elif event["kind"] == "resources":
            demo_usage += [
                (pod["actual_usage"]["cpu_millicores"], pod["actual_usage"]["memory_mb"])
                for pod in event["resources"]
                if pod["namespace"] == TEST_NAMESPACE and pod["pod"].startswith("demo-api-")
            ]
        elif event["kind"] == "summary":
            final = event["summary"]
            break
    print(f"live: {kinds.count('k6')} k6 snapshots, {len(demo_usage)} demo pod readings")
    assert "end" in kinds, kinds
    assert len(requests) >= 5, requests  # a snapshot every LIVE_INTERVAL during 20 s
    assert requests == sorted(requests), requests  # counts since the start
    assert requests[-1] > 0, requests
    measured = [u for u in demo_usage if u[0] is not None]
    assert measured, demo_usage
    assert max(cpu or 0 for cpu, _ in measured) > 0, measured
    assert max(memory or 0 for _, memory in measured) > 0, measured
    assert final["stored"], final
    assert final["complete"], final
    assert final["figures"]["total_requests"] >= requests[-1] > 0, (final, requests)
