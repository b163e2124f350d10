"""A loopback HTTP target fast enough for k6 at full speed (a tiny Go server: Python's own
HTTP servers answer a few thousand requests a second, k6 asks for ten thousand and more), and
the receiver run in the test's event loop."""

from __future__ import annotations

import contextlib
import os
import subprocess
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path

from aiohttp import web

from mv_devstack.config import StackConfig
from mv_devstack.scratch import own_nats
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.receiver.server import DURABLE, create_receiver
from mv_metrics_aggregator.receiver.settings import ReceiverSettings

from .faults import eventually

# GET /fail/<n>: 500 for every fifth n; anything else: 200 "ok". Keep-alive, 2-byte bodies.
TARGET = """\
package main

import ("fmt"; "net"; "net/http"; "os"; "strconv"; "strings")

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil { panic(err) }
	fmt.Println(listener.Addr().(*net.TCPAddr).Port)
	os.Stdout.Sync()
	http.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "2")
		if rest, ok := strings.CutPrefix(r.URL.Path, "/fail/"); ok {
			if n, err := strconv.Atoi(rest); err == nil && n%5 == 0 {
				w.WriteHeader(500)
			}
		}
		w.Write([]byte("ok"))
	}))
}
"""


def build_target(folder: Path) -> Path:
    source, binary = folder / "target.go", folder / "target"
    source.write_text(TARGET)
    subprocess.run(["go", "build", "-o", str(binary), str(source)], check=True, cwd=folder)
    return binary


@contextmanager
def serve_target(binary: Path, cores: int = 1) -> Iterator[str]:
    """The target's base URL while the block runs."""
    env = {**os.environ, "GOMAXPROCS": str(cores)}
    process = subprocess.Popen([str(binary)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline())
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


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
        setup = InfluxClient(stack.influxdb_url, database)
        await setup.execute(f'CREATE DATABASE "{database}"')
        try:
            async with serving(settings) as (app, url):
                port = int(url.rsplit(":", 1)[1])
                # pushes are refused until it has read the stream back
                await eventually(lambda: app[DURABLE].journal.restored, 10)
                yield (
                    app,
                    settings.model_copy(
                        update={"receiver_host": "127.0.0.1", "receiver_port": port}
                    ),
                )
        finally:
            await setup.execute(f'DROP DATABASE "{database}"')
            await setup.aclose()
