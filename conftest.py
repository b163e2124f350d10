"""Fixtures shared by every test: the local stack's real servers, started once per session."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any
from uuid import uuid4

import pytest

from mv_devstack.config import REPO_ROOT, StackConfig
from mv_devstack.kube import KubeApiServer
from mv_devstack.servers import InfluxDB, NatsServer, PostgreSQL
from mv_devstack.services import start_receiver
from mv_devstack.workers import (
    file_of,
    free_port,
    free_ports,
    isolate_stack,
    last_durations,
    record_durations,
    slowest_first,
)


def pytest_configure(config: pytest.Config) -> None:
    # Before any StackConfig is made: a parallel worker's stack is its own.
    config.stash[_OWN_STACK] = isolate_stack()
    if not hasattr(config, "workerinput"):  # the one process that sees every test's report
        config.pluginmanager.register(_DurationsRecorder(), "mv-durations")


_OWN_STACK = pytest.StashKey[bool]()


# The tests across services (tests/: processes, browsers, faults) are marked "end_to_end";
# make test runs the packages' own tests beside the cluster part and these after it.
END_TO_END = REPO_ROOT / "tests"


def pytest_itemcollected(item: pytest.Item) -> None:
    if item.path.is_relative_to(END_TO_END):
        item.add_marker("end_to_end")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    marked = {file_of(item.nodeid) for item in items if item.get_closest_marker("slow")}
    order = slowest_first([item.nodeid for item in items], marked, last_durations())
    items[:] = [items[i] for i in order]


class _DurationsRecorder:
    """Each file's time in this run (setup, call and teardown), kept for the next run's order."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        name = file_of(report.nodeid)
        self.seconds[name] = self.seconds.get(name, 0.0) + report.duration

    def pytest_sessionfinish(self, exitstatus: int) -> None:
        # An interrupted run's times are partial: kept, they would start the slowest files
        # late in the next run, which then ends minutes later.
        if exitstatus != pytest.ExitCode.INTERRUPTED:
            record_durations(self.seconds)


@pytest.fixture(scope="session")
def stack(pytestconfig: pytest.Config) -> Iterator[StackConfig]:
    """NATS, InfluxDB and PostgreSQL of the local stack; started if not running, then reused.
    A parallel worker's own stack (mv_devstack.workers) is stopped at the end; its folder stays,
    so the next run skips creating the databases."""
    config = StackConfig()
    servers = (NatsServer(config), InfluxDB(config), PostgreSQL(config))
    for server in servers:
        server.start()
    yield config
    if pytestconfig.stash[_OWN_STACK]:
        for server in reversed(servers):
            server.process.stop()


@pytest.fixture(scope="session")
def postgres(stack: StackConfig) -> PostgreSQL:
    return PostgreSQL(stack)


def _own_services(stack: StackConfig, postgres: PostgreSQL) -> Iterator[StackConfig]:
    """The session's InfluxDB and PostgreSQL, but a NATS server, folder, database and gateway
    port of its own: fresh durable consumers would otherwise replay every command the other
    tests published, and the test-runner would run them all."""
    scratch = REPO_ROOT / ".stack" / f"services-{uuid4().hex[:8]}"
    postgres.drop_database("mv_process_test")
    postgres.ensure_database("mv_process_test")
    gateway, nats, monitor, demo, receiver = free_ports(stack.host, 28000, 29000, 5)
    config = stack.model_copy(
        update={
            "dir": scratch,
            "gateway_port": gateway,
            "demo_port": demo,
            "receiver_port": receiver,
            "nats_port": nats,
            "nats_monitor_port": monitor,
            "database": "postgres",
            "postgres_database": "mv_process_test",
        }
    )
    own_nats = NatsServer(config)
    own_nats.start()
    yield config
    own_nats.process.stop()
    shutil.rmtree(scratch, ignore_errors=True)


@pytest.fixture
def services_config(stack: StackConfig, postgres: PostgreSQL) -> Iterator[StackConfig]:
    """A stack of the test's own (see _own_services)."""
    yield from _own_services(stack, postgres)


@pytest.fixture(scope="module")
def module_services_config(stack: StackConfig, postgres: PostgreSQL) -> Iterator[StackConfig]:
    """A stack of the module's own, for tests that walk on from where the one before stopped."""
    yield from _own_services(stack, postgres)


@pytest.fixture(scope="session")
def receiver(stack: StackConfig) -> Iterator[StackConfig]:
    """The metrics receiver as a process (``python -m mv_metrics_aggregator.receiver``) writing
    to the session's InfluxDB: the stack config whose ``receiver_url`` k6 pushes to."""
    scratch = REPO_ROOT / ".stack" / f"receiver-{uuid4().hex[:8]}"
    port = free_port(stack.host, 29000, 30000)
    config = stack.model_copy(update={"dir": scratch, "receiver_port": port})
    process = start_receiver(config)
    yield config
    process.stop()
    shutil.rmtree(scratch, ignore_errors=True)


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
