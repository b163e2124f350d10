"""Fixtures shared by every test: the local stack's real servers, started once per session."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mv_devstack.config import StackConfig
from mv_devstack.kube import KubeApiServer
from mv_devstack.servers import InfluxDB, NatsServer, PostgreSQL


@pytest.fixture(scope="session")
def stack() -> StackConfig:
    """NATS, InfluxDB and PostgreSQL of the local stack; started if not running, then reused."""
    config = StackConfig()
    for server in (NatsServer(config), InfluxDB(config), PostgreSQL(config)):
        server.start()
    return config


@pytest.fixture(scope="session")
def postgres(stack: StackConfig) -> PostgreSQL:
    return PostgreSQL(stack)


@pytest.fixture(scope="session")
def kube() -> Iterator[KubeApiServer]:
    """A real kube-apiserver + etcd (scripts/kube-apiserver.sh) in the stack folder; started if
    not running, stopped at the end only if this session started it. No controllers or kubelet."""
    server = KubeApiServer.for_stack(StackConfig())
    server.start()
    yield server
    if server.started_here:
        server.stop()


@pytest.fixture(scope="session")
def kube_api(kube: KubeApiServer) -> Any:
    """An admin ``kubernetes.client.ApiClient`` (group system:masters) for that API server."""
    from kubernetes import config

    return config.new_client_from_config(config_file=str(kube.kubeconfig))  # type: ignore[no-untyped-call]
