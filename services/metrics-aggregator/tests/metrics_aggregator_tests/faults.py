"""Helpers of the fault tests: a TCP path to InfluxDB that can be cut, and aggregators."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from mv_devstack.config import StackConfig
from mv_metrics_aggregator.aggregator import Aggregator, make_aggregator
from mv_metrics_aggregator.handlers import register
from mv_metrics_aggregator.settings import Settings
from mv_runtime.bus import make_broker


class CuttableLink:
    """A loopback TCP forwarder to the real InfluxDB. While ``down``, connections are accepted
    and dropped at once, as a crashed or restarting server's port behaves."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.down = False
        self.refused = 0
        self.port = 0
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        if self.down:
            self.refused += 1
            writer.close()
            return
        up_reader, up_writer = await asyncio.open_connection(*self.target)

        async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
            with contextlib.suppress(ConnectionError, OSError):
                while data := await source.read(65536):
                    sink.write(data)
                    await sink.drain()
            sink.close()

        await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))


def settings_for(stack: StackConfig, database: str, port: int, **fields: Any) -> Settings:
    return Settings(
        nats_url=stack.nats_url,
        influxdb_host="127.0.0.1",
        influxdb_port=port,
        influxdb_database=database,
        live_interval=1,
        live_lag=0,
        scheduler_metrics_delay=0,
        local_metrics_delay=0,
        scheduler_max_retry=0,
        **fields,
    )


@asynccontextmanager
async def running_aggregator(settings: Settings) -> AsyncIterator[Aggregator]:
    """An aggregator subscribed on the real NATS, as the service process runs it."""
    broker = make_broker(settings.nats_url)
    aggregator = make_aggregator(settings, broker)
    register(broker, aggregator)
    await broker.start()
    await aggregator.resume()
    try:
        yield aggregator
    finally:
        await broker.stop()  # as the service stops: handlers first, then the clients they use
        await aggregator.close()


async def eventually(check: Callable[[], Any], seconds: float = 30) -> Any:
    """Poll ``check`` (sync or async) until it returns something truthy."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        value = check()
        if asyncio.iscoroutine(value):
            value = await value
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"not within {seconds} s")
        await asyncio.sleep(0.2)
