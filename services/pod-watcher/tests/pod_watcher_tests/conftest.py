"""Pod-watcher fixtures: its own real kube-apiserver + etcd (scripts/kube-apiserver.sh), namespaces.

The API server runs from ``.stack/kube-pod-watcher`` (``-gwN`` for a parallel worker) on free
ports, so it never meets another session's. Watch caches start with the API server: on fresh etcd
data revision 1 is still inside their window, so the first start over new data is followed by one
restart; from then on an old resourceVersion gets 410 Gone, as on any cluster that has run for a
while.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from mv_devstack.workers import own_folder
from mv_pod_watcher.kube import KubeClient

from .metrics_server import MetricsServer

REPO = Path(__file__).resolve().parents[4]
SCRIPT = REPO / "scripts" / "kube-apiserver.sh"
DIRECTORY = own_folder(REPO / ".stack" / "kube-pod-watcher")


def _script(command: str) -> None:
    env = {**os.environ, "MV_KUBE_PORT": "0", "MV_ETCD_PORT": "0"}
    result = subprocess.run(
        ["bash", str(SCRIPT), command, str(DIRECTORY)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"kube-apiserver.sh {command} failed: {result.stderr[-2000:]}")


@pytest.fixture(scope="session")
def kubeconfig() -> Iterator[str]:
    fresh = not (DIRECTORY / "etcd").exists()
    _script("start")
    if fresh:
        _script("stop")
        _script("start")
    yield str(DIRECTORY / "kubeconfig")
    _script("stop")


@pytest.fixture(scope="session")
def admin(kubeconfig: str) -> Any:
    """The official client's CoreV1Api as cluster admin, to arrange what the tests watch."""
    from kubernetes import client, config

    api = config.new_client_from_config(config_file=kubeconfig)  # type: ignore[no-untyped-call]
    return client.CoreV1Api(api)


@pytest.fixture
async def kube(kubeconfig: str) -> AsyncIterator[KubeClient]:
    client = await KubeClient.connect(kubeconfig)
    yield client
    await client.aclose()


@pytest.fixture
def namespace(admin: Any) -> str:
    """A new namespace per test (deleted ones stay Terminating: no namespace controller)."""
    name = f"pw-{uuid.uuid4().hex[:8]}"
    admin.create_namespace({"metadata": {"name": name}})
    return name


@pytest.fixture
def metrics_server(tmp_path: Path) -> Iterator[MetricsServer]:
    """A stand-in metrics-server on loopback (see metrics_server.py); not yet registered."""
    server = MetricsServer(tmp_path)
    server.start()
    yield server
    server.stop()
