"""Cross-service fixtures: the five services as processes beside the session's servers."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from uuid import uuid4

import pytest

from mv_devstack.config import REPO_ROOT, StackConfig
from mv_devstack.processes import port_is_free
from mv_devstack.servers import NatsServer, PostgreSQL


@pytest.fixture
def services_config(stack: StackConfig, postgres: PostgreSQL) -> Iterator[StackConfig]:
    """The session's InfluxDB and PostgreSQL, but a NATS server, folder, database and gateway
    port of its own: fresh durable consumers would otherwise replay every command the other
    tests published, and the test-runner would run them all."""
    scratch = REPO_ROOT / ".stack" / f"services-{uuid4().hex[:8]}"
    postgres.drop_database("mv_process_test")
    postgres.ensure_database("mv_process_test")
    free = (p for p in range(28000, 29000) if port_is_free(stack.host, p))
    gateway, nats, monitor, demo = (next(free) for _ in range(4))
    config = stack.model_copy(
        update={
            "dir": scratch,
            "gateway_port": gateway,
            "demo_port": demo,
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
