"""The release itself, as its operator changes it: ``helm upgrade`` restarts the services,
keeps the projects and the test history, and fails no request made meanwhile; a k6 limit set
through the chart reaches the Jobs (a tiny memory limit ends a test "out of memory");
``helm uninstall`` leaves nothing of a test behind (Job, ConfigMap, Secret, pod). These run
last (conftest): they restart the release."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from kubernetes import client

from mv_devstack.config import REPO_ROOT

from .conftest import CACHE_DIR, NAMESPACE, Cluster, gateway_client
from .runs import ended, id_of_test, start

pytestmark = pytest.mark.cluster

RELEASE = "mv"
TINY = "16Mi"


def _helm(cluster: Cluster, *args: str) -> str:
    helm = CACHE_DIR / "bin" / "helm"
    command = [str(helm) if helm.exists() else "helm", "--namespace", NAMESPACE, *args]
    env = {**os.environ, "KUBECONFIG": str(cluster.directory / "kubeconfig")}
    done = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0, f"{' '.join(command)}:\n{done.stdout}{done.stderr}"
    return done.stdout


def _ready(gateway: httpx.Client) -> None:
    """The gateway answers again through the forward (its Service, a new pod behind it), and
    every service beats again (a test start needs the test-runner's)."""
    deadline = time.monotonic() + 180
    while True:
        try:
            if gateway.get("/").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "the gateway is not ready 180 s after the change"
        time.sleep(2)


class _Asking(threading.Thread):
    """GET /healthz through the gateway's Service every 0.1 s, each on a new connection (where
    kube-proxy picks the pod), as users' requests during a change to the release; keeps what
    failed."""

    def __init__(self, url: str) -> None:
        super().__init__(name="asking", daemon=True)
        self.url, self.answered, self.failed = url, 0, list[str]()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.1):
            try:
                answer = httpx.get(
                    f"{self.url}/healthz", headers={"Connection": "close"}, timeout=10
                )
            except httpx.HTTPError as error:
                self.failed.append(f"{type(error).__name__}: {error}")
                continue
            if answer.status_code == 200:
                self.answered += 1
            else:
                self.failed.append(f"HTTP {answer.status_code}")


def _old_gateway_pods_gone(cluster: Cluster) -> None:
    selector = f"app.kubernetes.io/name=gateway,app.kubernetes.io/instance={RELEASE}"
    deadline = time.monotonic() + 120
    while True:
        pods = cluster.core().list_namespaced_pod(NAMESPACE, label_selector=selector).items
        if len(pods) == 1 and pods[0].metadata.deletion_timestamp is None:
            return
        assert time.monotonic() < deadline, [p.metadata.name for p in pods]
        time.sleep(0.2)


def _kept(gateway: httpx.Client) -> tuple[set[int], set[str]]:
    projects = gateway.get("/project", params={"limit": 500}).raise_for_status().json()
    board = gateway.get("/test-history/simple", params={"limit": 200}).raise_for_status().json()
    return {p["id"] for p in projects}, {t["test_id"] for t in board}


@dataclass(frozen=True)
class Upgrade:
    projects: set[int]  # before it
    tests: set[str]
    answered: int  # requests during it
    failed: list[str]


@pytest.fixture(scope="module")
def upgraded(cluster: Cluster) -> Iterator[Upgrade]:
    """The release upgraded with a tiny k6 memory limit (every service restarts: their
    settings changed), and rolled back to the revision before at the end unless it was
    reinstalled meanwhile."""
    with gateway_client(cluster) as gateway:
        yield from _upgraded(cluster, gateway)


def _upgraded(cluster: Cluster, gateway: httpx.Client) -> Iterator[Upgrade]:
    projects, tests = _kept(gateway)
    assert projects  # earlier tests made projects
    assert tests  # and tests
    revision = json.loads(_helm(cluster, "status", RELEASE, "-o", "json"))["version"]
    chart = str(REPO_ROOT / "deploy" / "helm" / "metric-vault")
    asking = _Asking(cluster.gateway_url)
    asking.start()
    try:
        _helm(
            cluster, "upgrade", RELEASE, chart, "--reuse-values", "--wait", "--timeout", "5m",
            "--set", f"testRunner.env.K6_MEMORY_LIMIT={TINY}",
            "--set", f"testRunner.env.K6_MEMORY_REQUEST={TINY}",
        )  # fmt: skip
        _ready(gateway)
        _old_gateway_pods_gone(cluster)
    finally:
        asking.stopped.set()
        asking.join()
    upgraded = json.loads(_helm(cluster, "status", RELEASE, "-o", "json"))["version"]
    yield Upgrade(projects, tests, asking.answered, asking.failed)
    # helm uninstall's test (the module's last) reinstalls the release with its first values
    # and a new history: then there is nothing to roll back, nor the revision to go back to.
    if json.loads(_helm(cluster, "status", RELEASE, "-o", "json"))["version"] == upgraded:
        _helm(cluster, "rollback", RELEASE, str(revision), "--wait", "--timeout", "5m")
        _ready(gateway)


@pytest.mark.timeout(600)  # the upgrade, in its setup
def test_helm_upgrade_keeps_projects_and_history(upgraded: Upgrade, gateway: httpx.Client) -> None:
    projects, tests = _kept(gateway)
    assert upgraded.projects <= projects, (upgraded.projects, projects)
    assert upgraded.tests <= tests, (upgraded.tests, tests)


def test_no_request_fails_while_the_gateway_is_replaced(upgraded: Upgrade) -> None:
    # The old pod serves on for gateway.preStopSeconds after it is told to stop, while the
    # Service drops it: without it, a few requests of each upgrade failed or hung for 10 s.
    print(
        f"during the upgrade: {upgraded.answered} requests answered, {len(upgraded.failed)} failed"
    )
    assert upgraded.answered > 0
    assert upgraded.failed == []


@pytest.mark.timeout(600)  # the rollback, in its teardown
def test_a_k6_container_out_of_memory_ends_the_test_so(
    upgraded: Upgrade, gateway: httpx.Client
) -> None:
    # One VU of k6 fits in 16 MiB (its program's pages are reclaimed); 40 VUs' JavaScript
    # runtimes, made before the first request, do not.
    details = ended(gateway, start(gateway, "cluster out of memory", "fast", 40, "10s"))
    print(f"tiny memory limit: {details['status']}: {details['status_reason']}")
    assert details["status"] == "failed", details
    assert "out of memory" in details["status_reason"], details


def _of_test(cluster: Cluster, test: str) -> dict[str, list[str]]:
    """The Jobs, ConfigMaps, Secrets and pods of a test still in the job namespace."""
    selector = f"metric-vault.io/run=k6-{test}"
    core = cluster.core()
    batch = client.BatchV1Api(cluster.api)
    found: dict[str, Any] = {
        "jobs": batch.list_namespaced_job(NAMESPACE, label_selector=selector),
        "configmaps": core.list_namespaced_config_map(NAMESPACE, label_selector=selector),
        "secrets": core.list_namespaced_secret(NAMESPACE, label_selector=selector),
        "pods": core.list_namespaced_pod(NAMESPACE, label_selector=selector),
    }
    return {kind: [o.metadata.name for o in listed.items] for kind, listed in found.items()}


@pytest.mark.timeout(600)  # uninstall, then the release installed again
def test_helm_uninstall_leaves_nothing_of_a_test(cluster: Cluster, gateway: httpx.Client) -> None:
    history_id = start(
        gateway, "cluster uninstall", "fast", 1, "120s",
        headers={"X-Api-Key": "not-a-real-key"}, secret_headers=["X-Api-Key"],
    )  # fmt: skip
    test = id_of_test(gateway, history_id)
    deadline = time.monotonic() + 120
    while not all((there := _of_test(cluster, test)).values()):
        assert time.monotonic() < deadline, f"the test's objects are not all there: {there}"
        time.sleep(1)
    try:
        _helm(cluster, "uninstall", RELEASE, "--wait", "--timeout", "5m")
        started = time.monotonic()
        while any((left := _of_test(cluster, test)).values()):
            assert time.monotonic() - started < 60, f"60 s after helm uninstall: {left}"
            time.sleep(1)
        print(f"nothing of the test left {time.monotonic() - started:.1f} s after uninstall")
    finally:
        # As found: installed again as `make cluster` does it (data and images kept).
        subprocess.run(
            [str(REPO_ROOT / "scripts" / "cluster.sh"), "deploy"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    # The data outlived the release: the same projects, read with the same API token.
    _ready(gateway)
    assert test in _kept(gateway)[1]
