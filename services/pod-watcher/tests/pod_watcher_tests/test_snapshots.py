from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from mv_contracts.pods import PodResources, PodResourcesSnapshot
from mv_pod_watcher.influx_writer import lines
from mv_pod_watcher.metrics_api import Usage
from mv_pod_watcher.sampling import PodWatcher, RunningTestIds, build_snapshot

AT = datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)


def specs(name: str, **values: float) -> PodResources:
    return PodResources(namespace="shop", pod=name, **values)


def test_usage_joined_and_percent_computed() -> None:
    pods = [specs("b", cpu_limit_millicores=200), specs("a", memory_request_mb=100)]
    usage = {"a": Usage(10, 50), "b": Usage(50, 1)}
    snapshot = build_snapshot("shop", pods, usage, ["t1"], AT)
    assert [p.pod for p in snapshot.pods] == ["a", "b"]
    a, b = snapshot.pods
    assert (a.cpu_usage_millicores, a.memory_usage_mb, a.cpu_percent, a.memory_percent) == (
        10,
        50,
        None,
        50.0,
    )
    assert (b.cpu_percent, b.memory_percent) == (25.0, None)
    assert snapshot.metrics_available
    assert snapshot.test_ids == ["t1"]


def test_specs_only_without_the_metrics_api() -> None:
    snapshot = build_snapshot("shop", [specs("a", cpu_limit_millicores=200)], None, [], AT)
    assert not snapshot.metrics_available
    assert snapshot.pods[0].cpu_usage_millicores is None
    assert snapshot.pods[0].cpu_percent is None


def test_running_tests() -> None:
    running = RunningTestIds(timedelta(hours=1))
    running.started("t2", AT)
    running.started("t1", AT)
    running.started("t0", AT - timedelta(hours=2))  # its finished event never came
    running.finished("t2")
    running.finished("unknown")
    assert running.ids(AT) == ["t1"]
    assert running.ids(AT + timedelta(hours=1, seconds=1)) == []


def test_line_protocol() -> None:
    pods = [
        PodResources(
            namespace="my ns",
            pod="a,b=c",
            cpu_usage_millicores=12.5,
            cpu_percent=5,
            memory_limit_mb=256,
        ),
        PodResources(namespace="shop", pod="nothing-known"),
    ]
    snapshot = PodResourcesSnapshot(namespace="shop", at=AT, pods=pods, test_ids=["t1", 't"2'])
    assert lines(snapshot) == [
        r"pod_resources,namespace=my\ ns,pod=a\,b\=c cpu_usage_millicores=12.5,cpu_percent=5.0,"
        r'memory_limit_mb=256.0,test_ids="t1,t\"2" 1767323045678901000'
    ]


def test_specs_parsed_again_only_when_the_pod_changed() -> None:
    def obj(version: str, cpu: str) -> dict[str, Any]:
        resources = {"requests": {"cpu": cpu}}
        return {
            "metadata": {"name": "a", "namespace": "shop", "resourceVersion": version},
            "spec": {"containers": [{"name": "c", "resources": resources}]},
        }

    informer: Any = SimpleNamespace(objects={})
    unused: Any = None
    watcher = PodWatcher(
        "shop", informer, informer, unused, unused, unused, unused, RunningTestIds(), 1
    )
    informer.objects = {"a": obj("1", "100m")}
    (first,) = watcher.specs()
    informer.objects = {"a": obj("1", "999m")}  # same version: the cached specs
    assert watcher.specs()[0] is first
    informer.objects = {"a": obj("2", "200m")}
    assert watcher.specs()[0].cpu_request_millicores == 200
    informer.objects = {}
    assert watcher.specs() == []
