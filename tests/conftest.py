"""The test-runner and the aggregator as processes on the real bus, and a client of its
streams: what the fault tests of this folder kill, stop and listen to."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from nats.aio.client import Client

from mv_devstack.config import StackConfig
from mv_devstack.processes import ManagedProcess

from .bus_events import runner_and_aggregator, stream_client


@pytest.fixture
def workers_config(services_config: StackConfig) -> StackConfig:
    """The stack the workers use; a module overrides it (an InfluxDB of its own, say)."""
    return services_config


@pytest.fixture
def workers(workers_config: StackConfig) -> Iterator[list[ManagedProcess]]:
    """The test-runner and the aggregator, in that order."""
    with runner_and_aggregator(workers_config) as processes:
        yield processes


@pytest.fixture
async def nc(workers_config: StackConfig, workers: list[ManagedProcess]) -> AsyncIterator[Client]:
    client = await stream_client(workers_config.nats_url)
    yield client
    await client.close()
