"""The real one-node cluster that ``make cluster`` (scripts/cluster.sh up) starts: its admin
kubeconfig, and the gateway of the chart installed in it, with an admin API token.

These tests run on the machine's own network (not inside a private namespace: the cluster's
bridge lives on the machine) and only with ``-m cluster``; a cluster that is not up fails them."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from kubernetes import client, config

from mv_devstack.config import REPO_ROOT

CLUSTER_DIR = REPO_ROOT / ".stack" / "cluster"
CACHE_DIR = Path(os.environ.get("MV_CACHE_DIR") or Path.home() / ".cache" / "metric-vault")
NAMESPACE = "metric-vault"
TEST_NAMESPACE = "metric-vault-tests"


@pytest.hookimpl(trylast=True)  # after the root conftest's slowest-first order
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The cluster's tests only when asked for by ``-m`` (they need `make cluster` up); then
    the release's own tests last, as they upgrade, roll back and reinstall it."""
    if "cluster" in (config.option.markexpr or ""):
        items.sort(key=lambda item: item.path.name == "test_release.py")
        return
    chosen = [item for item in items if item.get_closest_marker("cluster") is None]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    """A failed cluster test's report carries what the cluster looked like: the pods of both
    namespaces and the last lines of the services a test goes through."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed or item.get_closest_marker("cluster") is None:
        return
    report.sections.append(("cluster at the failure", _cluster_state()))


METRICS_API = ("metrics.k8s.io", "v1beta1")  # group, version


def _cluster_state() -> str:
    built = sorted(CACHE_DIR.glob("kube/*/kubectl"))
    kubectl = [
        str(built[-1]) if built else "kubectl",
        "--kubeconfig",
        str(CLUSTER_DIR / "kubeconfig"),
        "--request-timeout=10s",
    ]
    commands = [
        [*kubectl, "get", "pods", "-o", "wide", "-n", NAMESPACE],
        [*kubectl, "get", "pods", "-o", "wide", "-n", TEST_NAMESPACE],
        [*kubectl, "get", "jobs,configmaps,secrets", "-n", NAMESPACE],
        *(
            [*kubectl, "logs", "-n", NAMESPACE, f"deployment/mv-metric-vault-{name}", "--tail=25"]
            for name in ("test-runner", "gateway", "metrics-aggregator", "pod-watcher")
        ),
        [*kubectl, "logs", "-n", "kube-system", "deployment/metrics-server", "--tail=15"],
        [
            *kubectl,
            "get",
            "--raw",
            "/apis/{}/{}/namespaces/{}/pods".format(*METRICS_API, TEST_NAMESPACE),
        ],
    ]
    parts = []
    for command in commands:
        done = subprocess.run(command, capture_output=True, text=True, check=False, timeout=30)
        parts.append(f"$ {' '.join(command[3:])}\n{done.stdout}{done.stderr}")
    return "\n".join(parts)


@dataclass(frozen=True)
class Cluster:
    directory: Path
    api: Any
    gateway_url: str
    admin_token: str

    def core(self) -> Any:
        return client.CoreV1Api(self.api)


@pytest.fixture(scope="session")
def cluster() -> Cluster:
    kubeconfig = CLUSTER_DIR / "kubeconfig"
    missing = [
        name
        for name in ("kubeconfig", "gateway-url", "admin-token")
        if not (CLUSTER_DIR / name).is_file()
    ]
    if missing:
        pytest.fail(f"no cluster: {', '.join(missing)} missing in {CLUSTER_DIR}; run make cluster")
    api = config.new_client_from_config(config_file=str(kubeconfig))  # type: ignore[no-untyped-call]
    return Cluster(
        directory=CLUSTER_DIR,
        api=api,
        gateway_url=(CLUSTER_DIR / "gateway-url").read_text().strip(),
        admin_token=(CLUSTER_DIR / "admin-token").read_text().strip(),
    )


def gateway_client(cluster: Cluster) -> httpx.Client:
    headers = {"Authorization": f"Bearer {cluster.admin_token}"}
    return httpx.Client(base_url=cluster.gateway_url, headers=headers, timeout=30)


@pytest.fixture
def gateway(cluster: Cluster) -> Iterator[httpx.Client]:
    with gateway_client(cluster) as http:
        yield http
