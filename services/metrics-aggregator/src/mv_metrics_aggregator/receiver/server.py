"""The remote-write receiver: an aiohttp application k6's ``experimental-prometheus-rw`` pushes to.

``POST /api/v1/write`` (k6's default path) takes a snappy-compressed ``WriteRequest``, turns it
into compact points (:mod:`.compact`) and stores them on a JetStream stream (:mod:`.journal`),
from which :mod:`.writer` writes them to InfluxDB, so k6 never waits on InfluxDB and neither an
InfluxDB outage nor a receiver restart loses a push (its one write path). A body that is not
remote write is 400 with the reason (the spec: a sender must not retry a 4xx); a push that
cannot be kept now is 503, refused before it changes any state. ``GET /stats`` shows what was
received, what is pending and what was written.
"""

from __future__ import annotations

from dataclasses import asdict

from aiohttp import web

from mv_metrics_aggregator.influx import InfluxClient

from .beat import beating
from .compact import Compactor
from .durable import DurablePath
from .journal import Journal
from .remote_write import CONTENT_ENCODING, MAX_BODY_BYTES, RemoteWriteError, decode
from .settings import ReceiverSettings
from .writer import StreamWriter

COMPACTOR: web.AppKey[Compactor] = web.AppKey("compactor", Compactor)
DURABLE: web.AppKey[DurablePath] = web.AppKey("durable", DurablePath)
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
    durable = request.app[DURABLE]
    refusal = durable.journal.refusal()
    if refusal is not None:
        durable.journal.stats.refused_pushes += 1
        return problem(503, "receiver", refusal)
    await durable.journal.push(message)
    return web.Response(status=204)


async def stats(request: web.Request) -> web.Response:
    compactor = request.app[COMPACTOR]
    sink = await request.app[DURABLE].stats()
    return web.json_response(
        {"received": asdict(compactor.stats), "tests": len(compactor.tests), **sink}
    )


def create_receiver(
    settings: ReceiverSettings, client: InfluxClient | None = None
) -> web.Application:
    """The application; ``client`` (closed by the application) defaults to the settings' InfluxDB.

    The client gets no retries of its own: the writer retries.
    """
    influx = client or InfluxClient(settings.influxdb_url, settings.influxdb_database, max_retry=0)
    compactor = Compactor(state_ttl=settings.receiver_state_ttl)
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[COMPACTOR] = compactor
    app.router.add_post(WRITE_PATH, write)
    app.router.add_get("/stats", stats)
    journal = Journal(
        compactor,
        max_held_bytes=settings.receiver_held_bytes,
        publish_wait=settings.receiver_publish_wait,
    )
    writer = StreamWriter(influx, batch_pushes=settings.receiver_batch_pushes)
    durable = app[DURABLE] = DurablePath(settings, journal, writer)

    async def durable_life(app: web.Application):  # type: ignore[no-untyped-def]
        durable.start()
        yield
        await durable.stop(settings.receiver_flush_timeout)
        await influx.aclose()

    app.cleanup_ctx.append(durable_life)
    app.cleanup_ctx.append(beating(settings, durable.connected))
    return app
