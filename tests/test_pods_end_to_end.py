"""End to end: the pods under test and the servers found in their namespace, with every
real part -- kube-apiserver (the pod-watcher watches a namespace of its own there), NATS with
JetStream, InfluxDB, PostgreSQL, k6, the five services as processes and the demo API.

A pod with two containers, Running, whose usage the metrics API serves (the pod-watcher tests'
stand-in metrics-server, registered as the ``v1beta1.metrics.k8s.io`` APIService). A Service
created in the namespace while the services run is found and analysed with nobody asking: the
namespace's project appears with the demo API's spec. A short load test of that spec then streams
the pod's ``usage``, ``actual_usage`` and ``specs`` over SSE, and the stored test carries the pod's
time series.
"""

from __future__ import annotations

import asyncio
import importlib.util
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mv_devstack.config import REPO_ROOT, StackConfig
from mv_devstack.demo import Demo, scenarios
from mv_devstack.kube import KubeApiServer
from mv_devstack.services import services_running

from . import streams

pytestmark = pytest.mark.slow

POD = "shop-api-5d9f8b-x2k4q"
# Two containers: requests 350m / 192 MB and limits 700m / 320 MB in all.
CONTAINERS = [
    ("app", {"cpu": "250m", "memory": "128M"}, {"cpu": "500m", "memory": "256M"}),
    ("proxy", {"cpu": "100m", "memory": "64M"}, {"cpu": "200m", "memory": "64M"}),
]
# What the stand-in metrics-server reports: 175m and 80 MB in all, 25 % of either limit.
USAGE = {"app": {"cpu": "140m", "memory": "64M"}, "proxy": {"cpu": "35000000n", "memory": "16M"}}


def _pod_watcher_test_module(name: str) -> Any:
    """A helper module of the pod-watcher's tests, loaded by path: test packages are not on
    sys.path (pytest's importlib mode), so it cannot be imported by name from here."""
    path = REPO_ROOT / "services" / "pod-watcher" / "tests" / "pod_watcher_tests" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"mv_pod_watcher_tests_{name}", path)
    assert spec is not None, path
    assert spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


metrics_server = _pod_watcher_test_module("metrics_server")


@pytest.fixture
def core(kube_api: Any) -> Any:
    from kubernetes import client

    return client.CoreV1Api(kube_api)


@pytest.fixture
def namespace(core: Any) -> str:
    """A namespace of its own (a deleted one would stay Terminating: no namespace controller)."""
    name = f"mv-e2e-{uuid.uuid4().hex[:8]}"
    core.create_namespace({"metadata": {"name": name}})
    return name


@pytest.fixture
def metrics(core: Any, namespace: str, tmp_path: Path) -> Iterator[Any]:
    """The stand-in metrics-server serving USAGE for POD, registered with the API server and
    answering through it before the test goes on."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    server = metrics_server.MetricsServer(tmp_path)
    server.start()
    server.usage[namespace] = {POD: USAGE}
    registration = client.ApiregistrationV1Api(core.api_client)
    try:  # the APIService is cluster-wide: one an interrupted run left behind goes first
        registration.delete_api_service(metrics_server.API_SERVICE)
    except ApiException as error:
        if error.status != 404:
            raise
    metrics_server.register(core, namespace, server.port)
    objects = client.CustomObjectsApi(core.api_client)
    try:
        deadline = time.monotonic() + 30
        while True:  # the aggregator needs a moment to mark the APIService available
            try:
                objects.list_namespaced_custom_object(
                    "metrics.k8s.io", "v1beta1", namespace, "pods"
                )
                break
            except ApiException:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield server
    finally:
        registration.delete_api_service(metrics_server.API_SERVICE)
        server.stop()


def _running_pod(core: Any, namespace: str) -> None:
    containers = [
        {"name": name, "image": "demo-api:1", "resources": {"requests": req, "limits": lim}}
        for name, req, lim in CONTAINERS
    ]
    core.create_namespaced_pod(
        namespace,
        {
            "metadata": {"name": POD, "labels": {"app": "shop-api"}},
            "spec": {"nodeName": "node-1", "containers": containers},
        },
    )
    # No kubelet here: the status is written as a kubelet would.
    core.patch_namespaced_pod_status(POD, namespace, {"status": {"phase": "Running"}})


def _discovered_spec(demo: Demo, namespace: str) -> dict[str, Any] | None:
    """The spec filed under the namespace's project, with its endpoints; None while there is
    none yet."""
    projects = demo._call("GET", "/project", params={"limit": 500})
    project = next((p for p in projects if p["title"] == namespace), None)
    if project is None:
        return None
    specs = demo._call("GET", "/openapi", params={"project_id": project["id"]})
    if not specs:
        return None
    detail: dict[str, Any] = demo._call("GET", f"/openapi/{specs[0]['id']}")
    return detail


def _wait_for_discovered_spec(demo: Demo, namespace: str, seconds: float) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        spec = _discovered_spec(demo, namespace)
        if spec is not None and spec["endpoints"]:
            return spec
        time.sleep(0.5)
    raise AssertionError(
        f"no analysed spec under a project titled {namespace!r} within {seconds:.0f} s of "
        "creating the Service"
    )


def _short_scenarios(endpoints: list[dict[str, Any]]) -> list[dict[str, Any]]:
    chosen = scenarios(endpoints)
    chosen[0]["duration"] = "6s"
    chosen[1]["stages"] = [{"duration": "2s", "target": 2}, {"duration": "4s", "target": 2}]
    return chosen


def _pod_series(details: dict[str, Any], namespace: str) -> list[dict[str, Any]]:
    for pod in details["resources"]:
        if (pod["namespace"], pod["pod_name"]) == (namespace, POD):
            points: list[dict[str, Any]] = pod["points"]
            return points
    return []


async def test_pods_streamed_and_stored_and_a_new_service_analysed(
    services_config: StackConfig,
    kube: KubeApiServer,
    core: Any,
    namespace: str,
    metrics: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = services_config
    _running_pod(core, namespace)
    # The services inherit the environment (service_environment() sets no Kubernetes variables).
    monkeypatch.setenv("KUBECONFIG", str(kube.kubeconfig))
    monkeypatch.setenv("KUBERNETES_TEST_NAMESPACE", namespace)
    monkeypatch.setenv("POD_METRICS_INTERVAL", "1")
    with services_running(config, demo=True):
        demo = Demo(config, echo=lambda _line: None, timeout=150)
        assert await asyncio.to_thread(_discovered_spec, demo, namespace) is None

        # A new Service in front of the demo API (ExternalName: there is no kube-proxy here);
        # its port named "http" makes it a server to analyse. Nobody asks for the analysis.
        core.create_namespaced_service(
            namespace,
            {
                "metadata": {"name": "shop-api"},
                "spec": {
                    "type": "ExternalName",
                    "externalName": "localhost",
                    "ports": [{"name": "http", "port": config.demo_port}],
                },
            },
        )
        spec = await asyncio.to_thread(_wait_for_discovered_spec, demo, namespace, 60)
        assert f"localhost:{config.demo_port}" in (spec["source_url"] or ""), spec
        routes = {(e["method"], e["path"]) for e in spec["endpoints"]}
        assert ("POST", "/orders") in routes, routes
        # The project lists the Service with the analysis that produced the spec.
        [server] = demo._call("GET", f"/project/{spec['project_id']}/servers")
        assert (server["name"], server["kind"], server["namespace"]) == (
            "shop-api", "service", namespace
        ), server  # fmt: skip
        assert server["analysis"]["spec_id"] == spec["id"], server
        assert f"localhost:{config.demo_port}" in server["base_url"], server

        # A short load test of the discovered spec, followed live.
        created = await asyncio.to_thread(
            demo._call, "POST", "/load-testing",
            json={
                "title": "pods end to end", "scenarios": _short_scenarios(spec["endpoints"]),
                "metrics_mode": "precise",  # its summary is read from every sample
            },
        )  # fmt: skip
        test_id = created["test_id"]
        sse_messages = await asyncio.wait_for(
            streams.sse_messages(
                f"{config.gateway_url}/sse/k6-data?test_id={test_id}",
                config.admin_token_file.read_text().strip(),
            ),
            120,
        )
        details = await asyncio.to_thread(demo.summary, int(created["test_history_id"]))
        deadline = time.monotonic() + 20  # the durable store handler may trail the summary
        while not _pod_series(details, namespace) and time.monotonic() < deadline:
            await asyncio.sleep(0.5)
            details = await asyncio.to_thread(
                demo._call, "GET", f"/test-history/{created['test_history_id']}/details"
            )

    kinds = [m["kind"] for m in sse_messages]
    assert kinds[-2:] == ["end", "summary"], kinds
    assert "k6" in kinds, kinds
    streamed = [
        pod
        for m in sse_messages
        if m["kind"] == "resources" and test_id in m["test_ids"]
        for pod in m["resources"]
        if (pod["namespace"], pod["pod"]) == (namespace, POD)
    ]
    assert streamed, f"no resources message for {POD} during test {test_id}: {kinds}"
    last = streamed[-1]
    assert last["phase"] == "Running"
    assert last["specs"] == {
        "cpu_request_millicores": 350.0,
        "cpu_limit_millicores": 700.0,
        "memory_request_mb": 192.0,
        "memory_limit_mb": 320.0,
    }
    assert last["actual_usage"] == {"cpu_millicores": 175.0, "memory_mb": 80.0}
    assert last["usage"] == {"cpu_percent": 25.0, "memory_percent": 25.0}

    assert details["test_id"] == test_id
    assert details["project_title"] == namespace  # the load test ran on the discovered spec
    series = _pod_series(details, namespace)
    assert series, f"no time series of {POD} stored with test {test_id}: {details['resources']}"
    assert {p["cpu_limit_millicores"] for p in series} == {700.0}
    assert {p["memory_request_mb"] for p in series} == {192.0}
    measured = [p for p in series if p["cpu_usage_millicores"] is not None]
    assert measured, series
    assert (measured[-1]["cpu_usage_millicores"], measured[-1]["memory_usage_mb"]) == (175, 80)
    assert (measured[-1]["cpu_percent"], measured[-1]["memory_percent"]) == (25, 25)
    timestamps = [p["timestamp"] for p in series]
    assert timestamps == sorted(timestamps)
