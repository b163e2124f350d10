"""An InfluxDB database of a test module's own on the stack's real InfluxDB."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from mv_devstack.config import StackConfig
from mv_metrics_aggregator.influx import InfluxClient


@asynccontextmanager
async def fresh_database(
    stack: StackConfig, name: str, **client_options: int
) -> AsyncIterator[InfluxClient]:
    """A client of database ``name`` (``client_options``: the client's, e.g. ``max_retry``),
    emptied first (a killed run may have left it) and dropped after the block."""
    client = InfluxClient(stack.influxdb_url, name, **client_options)
    await client.execute(f"DROP DATABASE {name}")
    await client.execute(f"CREATE DATABASE {name}")
    try:
        yield client
    finally:
        await client.execute(f"DROP DATABASE {name}")
        await client.aclose()
