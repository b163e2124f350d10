"""What one pod-watcher tick costs for a namespace of N pods (no I/O): pod objects to specs,
usage joined and percents computed, then line protocol for InfluxDB and the NATS message JSON.
The watcher parses a pod's specs again only when its resourceVersion changed; this times the
worst case, every pod parsed, and the steady case, specs from the previous tick.

    uv run --no-sync python bench/pod_watcher.py            # 10, 100, 1000 pods
    uv run --no-sync python bench/pod_watcher.py 5000
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from typing import Any

from mv_contracts.pods import PodResources, PodResourcesEvent
from mv_pod_watcher.influx_writer import lines
from mv_pod_watcher.metrics_api import Usage
from mv_pod_watcher.resources import pod_resources
from mv_pod_watcher.sampling import build_snapshot

REPEATS = 5


def pod(n: int) -> dict[str, Any]:
    resources = {
        "requests": {"cpu": "250m", "memory": "512Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }
    return {
        "metadata": {"name": f"shop-{n}", "namespace": "bench", "ownerReferences": [
            {"kind": "ReplicaSet", "name": "shop-7c9", "controller": True}]},
        "spec": {
            "nodeName": "node-1",
            "containers": [{"name": "app", "image": "shop:1", "resources": resources},
                           {"name": "proxy", "image": "envoy:1", "resources": resources}],
            "initContainers": [{"name": "migrate", "image": "shop:1", "resources": resources}],
        },
        "status": {"phase": "Running", "podIP": "10.0.0.1"},
    }  # fmt: skip


def tick(specs: list[PodResources], usage: dict[str, Usage]) -> int:
    snapshot = build_snapshot("bench", specs, usage, ["t1"], datetime.now(UTC))
    message = PodResourcesEvent(correlation_id="bench", payload=snapshot).model_dump_json()
    return len(lines(snapshot)) + len(message)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10, 100, 1000])
    for size in parser.parse_args().sizes:
        pods = [pod(n) for n in range(size)]
        usage = {f"shop-{n}": Usage(120.5, 300.25) for n in range(size)}
        parsed = [pod_resources(p) for p in pods]
        for case, fresh in (("all parsed", True), ("steady", False)):
            best = float("inf")
            for _ in range(REPEATS):
                started = time.perf_counter()
                tick([pod_resources(p) for p in pods] if fresh else parsed, usage)
                best = min(best, time.perf_counter() - started)
            print(f"{size:>6} pods, {case:>10}: {best * 1000:8.2f} ms per tick (best of {REPEATS})")


if __name__ == "__main__":
    main()
