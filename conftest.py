"""Fixtures shared by every test: the local stack's real servers, started once per session."""

from __future__ import annotations

import pytest

from mv_devstack.config import StackConfig
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
