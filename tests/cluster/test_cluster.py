"""The one-node cluster of ``make cluster``: the node and its system pods, the guard that keeps
the cluster's ranges on this machine, the chart's services running under their security
contexts, and the demo API found in the test namespace and analysed with nobody asking."""

from __future__ import annotations

import subprocess
import time
from typing import Any

import httpx
import pytest
from kubernetes import client

from .conftest import NAMESPACE, TEST_NAMESPACE, Cluster

pytestmark = pytest.mark.cluster


def _ready(pod: Any) -> bool:
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def test_the_node_is_ready_with_dns_and_metrics(cluster: Cluster) -> None:
    core = cluster.core()
    (node,) = core.list_node().items
    assert {c.type: c.status for c in node.status.conditions}["Ready"] == "True"
    assert node.status.node_info.kubelet_version.startswith("v1.")
    system = core.list_namespaced_pod("kube-system").items
    names = {pod.metadata.labels.get("k8s-app") for pod in system if _ready(pod)}
    assert {"kube-dns", "metrics-server"} <= names
    # The aggregated metrics API answers with the usage of real pods.
    metrics: Any = client.CustomObjectsApi(cluster.api).list_namespaced_custom_object(
        "metrics.k8s.io", "v1beta1", "kube-system", "pods"
    )
    assert metrics["items"], metrics


def _route(address: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", "route", "get", address], capture_output=True, text=True, check=False
    )


def test_no_packet_to_the_cluster_ranges_leaves_by_the_default_route() -> None:
    default = subprocess.run(
        ["ip", "-4", "route", "show", "default"], capture_output=True, text=True, check=True
    ).stdout.split()
    device = default[default.index("dev") + 1]
    # Pods and Services are on the node's bridge; the rest of the cluster's range nowhere.
    for address in ("10.244.0.250", "10.244.128.250"):
        assert " dev mv-cni0 " in _route(address).stdout, _route(address)
    outside = _route("10.244.200.1")
    assert outside.returncode != 0, outside
    assert "No route to host" in outside.stderr, outside
    # And should a route ever point there, the default route's interface drops the packet.
    rules = subprocess.run(
        ["iptables", "-t", "mangle", "-S", "MV-CLUSTER-GUARD"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert f"-s 10.244.0.0/16 -o {device} -j DROP" in rules
    assert f"-d 10.244.0.0/16 -o {device} -j DROP" in rules


def test_every_service_of_the_chart_runs_non_root_on_a_read_only_root(cluster: Cluster) -> None:
    # The chart's pods, not the k6 Jobs' that run in the same namespace.
    pods = (
        cluster.core()
        .list_namespaced_pod(NAMESPACE, label_selector="app.kubernetes.io/part-of=metric-vault")
        .items
    )
    # The backends (NATS, InfluxDB, PostgreSQL) are StatefulSets of stand-in images.
    services = [p for p in pods if p.metadata.owner_references[0].kind != "StatefulSet"]
    assert len(services) >= 6, [p.metadata.name for p in pods]  # five services and the receiver
    for pod in pods:
        assert _ready(pod), pod.metadata.name
    for pod in services:
        security = pod.spec.security_context
        assert security.run_as_non_root, pod.metadata.name
        assert security.run_as_user == 10001, pod.metadata.name
        for container in pod.spec.containers:
            assert container.security_context.read_only_root_filesystem, pod.metadata.name
            assert container.security_context.capabilities.drop == ["ALL"], pod.metadata.name


def test_the_demo_api_is_found_and_analysed_unasked(
    cluster: Cluster, gateway: httpx.Client
) -> None:
    (demo,) = (
        cluster.core()
        .list_namespaced_pod(TEST_NAMESPACE, label_selector="app.kubernetes.io/name=demo-api")
        .items
    )
    assert _ready(demo)
    service_url = f"http://demo-api.{TEST_NAMESPACE}.svc:8080"
    deadline = time.monotonic() + 120
    while True:
        projects = gateway.get("/project", params={"limit": 500}).raise_for_status().json()
        project = next((p for p in projects if p["title"] == TEST_NAMESPACE), None)
        specs = (
            gateway.get("/openapi", params={"project_id": project["id"]}).raise_for_status().json()
            if project
            else []
        )
        details = [gateway.get(f"/openapi/{spec['id']}").json() for spec in specs]
        if any(detail["base_url"] == service_url for detail in details):
            break
        assert time.monotonic() < deadline, f"{service_url} was not analysed in 120 s: {details}"
        time.sleep(2)
