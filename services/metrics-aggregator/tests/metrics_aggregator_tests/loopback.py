"""The receiver run in the test's event loop (the Go target k6 loads: ``mv_devstack.loopback``)."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from aiohttp import web

from mv_devstack.config import StackConfig
from mv_devstack.scratch import own_nats
from mv_metrics_aggregator.receiver.server import DURABLE, create_receiver
from mv_metrics_aggregator.receiver.settings import ReceiverSettings

from .databases import fresh_database
from .faults import eventually


@asynccontextmanager
async def serving(settings: ReceiverSettings) -> AsyncIterator[tuple[web.Application, str]]:
    """The receiver of ``settings`` on a free loopback port, and its URL."""
    app = create_receiver(settings)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield app, f"http://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def running_receiver(
    stack: StackConfig, database: str, nats_url: str | None = None
) -> AsyncIterator[tuple[web.Application, ReceiverSettings]]:
    """Our receiver as deployed (its pushes through a JetStream stream: of ``nats_url``, else of
    a NATS server of its own), ready for pushes, writing to ``database`` (made, dropped after);
    its settings name where it listens."""
    with contextlib.ExitStack() as servers:
        if nats_url is None:
            folder = servers.enter_context(tempfile.TemporaryDirectory())
            nats_url = servers.enter_context(own_nats(stack, Path(folder))).nats_url
        settings = ReceiverSettings(
            nats_url=nats_url,
            influxdb_host=stack.host,
            influxdb_port=stack.influxdb_port,
            influxdb_database=database,
        )
        async with fresh_database(stack, database), serving(settings) as (app, url):
            port = int(url.rsplit(":", 1)[1])
            # pushes are refused until it has read the stream back
            await eventually(lambda: app[DURABLE].journal.restored, 10)
            yield (
                app,
                settings.model_copy(update={"receiver_host": "127.0.0.1", "receiver_port": port}),
            )
