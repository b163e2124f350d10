"""The remote-write receiver: an aiohttp application k6's ``experimental-prometheus-rw`` pushes to.

``POST /api/v1/write`` (k6's default path) takes a snappy-compressed ``WriteRequest``, turns it
into compact points (:mod:`.compact`) and queues them for InfluxDB (:mod:`.buffer`); it answers
204 at once, so k6 never waits on InfluxDB. A body that is not remote write is 400 with the
reason (the spec: a sender must not retry a 4xx). ``GET /stats`` shows what was received,
written, buffered and dropped.
"""

from __future__ import annotations

from dataclasses import asdict

import structlog
from aiohttp import web

from mv_metrics_aggregator.influx import InfluxClient

from .buffer import PointBuffer
from .compact import Compactor
from .remote_write import CONTENT_ENCODING, MAX_BODY_BYTES, RemoteWriteError, decode
from .settings import ReceiverSettings

log = structlog.get_logger()

COMPACTOR: web.AppKey[Compactor] = web.AppKey("compactor", Compactor)
BUFFER: web.AppKey[PointBuffer] = web.AppKey("buffer", PointBuffer)
WRITE_PATH = "/api/v1/write"


def problem(status: int, field: str, reason: str) -> web.Response:
    return web.json_response({"detail": [{"loc": [field], "msg": reason}]}, status=status)


async def write(request: web.Request) -> web.Response:
    encoding = request.headers.get("Content-Encoding", CONTENT_ENCODING)
    if encoding != CONTENT_ENCODING:
        return problem(415, "Content-Encoding", f"must be {CONTENT_ENCODING}, not {encoding!r}")
    body = await request.read()
    try:
        message = decode(body)
    except RemoteWriteError as error:
        return problem(400, "body", str(error))
    request.app[BUFFER].add(request.app[COMPACTOR].lines(message))
    return web.Response(status=204)


async def stats(request: web.Request) -> web.Response:
    return web.json_response(
        {
            "received": asdict(request.app[COMPACTOR].stats),
            "tests": len(request.app[COMPACTOR].tests),
            "influxdb": asdict(request.app[BUFFER].stats),
        }
    )


def create_receiver(
    settings: ReceiverSettings, client: InfluxClient | None = None
) -> web.Application:
    """The application; ``client`` (closed by the application) defaults to the settings' InfluxDB.

    The client gets no retries of its own: the buffer retries, for as long as it has room.
    """
    influx = client or InfluxClient(settings.influxdb_url, settings.influxdb_database, max_retry=0)
    buffer = PointBuffer(
        influx,
        max_points=settings.receiver_buffer_points,
        batch_points=settings.receiver_batch_points,
    )
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[COMPACTOR] = Compactor(state_ttl=settings.receiver_state_ttl)
    app[BUFFER] = buffer
    app.router.add_post(WRITE_PATH, write)
    app.router.add_get("/stats", stats)

    async def lifecycle(app: web.Application):  # type: ignore[no-untyped-def]
        buffer.start()
        yield
        await buffer.stop(settings.receiver_flush_timeout)
        if buffer.stats.buffered:
            log.error("receiver stopped with points unwritten", points=buffer.stats.buffered)
        await influx.aclose()

    app.cleanup_ctx.append(lifecycle)
    return app
