"""The real one-node cluster that ``make cluster`` (scripts/cluster.sh up) starts: its admin
kubeconfig, and the gateway of the chart installed in it, with an admin API token.

These tests run on the machine's own network (not inside a private namespace: the cluster's
bridge lives on the machine) and only with ``-m cluster``; a cluster that is not up fails them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from kubernetes import client, config

from mv_devstack.config import REPO_ROOT

CLUSTER_DIR = REPO_ROOT / ".stack" / "cluster"
NAMESPACE = "metric-vault"
TEST_NAMESPACE = "metric-vault-tests"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """The cluster's tests only when asked for by ``-m`` (they need `make cluster` up)."""
    if "cluster" in (config.option.markexpr or ""):
        return
    chosen = [item for item in items if item.get_closest_marker("cluster") is None]
    if len(chosen) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in chosen])
        items[:] = chosen


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


@pytest.fixture
def gateway(cluster: Cluster) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {cluster.admin_token}"}
    with httpx.Client(base_url=cluster.gateway_url, headers=headers, timeout=30) as http:
        yield http
