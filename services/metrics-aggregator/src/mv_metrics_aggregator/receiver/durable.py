"""The durable path's life: connect to NATS, set the stream up, read the state back, then run
the journal (pushes -> stream) and the writer (stream -> InfluxDB) until the receiver stops.

NATS is reached through nats-py directly, not FastStream: the receiver is an aiohttp server,
and what it needs (batch fetches acked after one write, the last message of a subject) is
nats-py's API itself. The connection reconnects for ever, as every service's broker does.
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import asdict
from typing import Any

import nats
import structlog
from nats.aio.client import Client

from .journal import Journal, ensure_stream, stream_config
from .settings import ReceiverSettings
from .writer import NATS_AWAY, StreamWriter

log = structlog.get_logger()


class DurablePath:
    def __init__(self, settings: ReceiverSettings, journal: Journal, writer: StreamWriter) -> None:
        self.settings = settings
        self.journal = journal
        self.writer = writer
        self._nc: Client | None = None
        self._tasks: list[asyncio.Task[None]] = []

    def start(self) -> None:
        self._tasks.append(asyncio.create_task(self._run(), name="receiver-durable"))

    async def _run(self) -> None:
        nc = self._nc = await self._connect()
        js = nc.jetstream()
        settings = self.settings
        while True:
            try:
                config = stream_config(
                    settings.receiver_stream_max_bytes, settings.receiver_stream_max_age
                )
                await ensure_stream(js, config)
                await self.journal.restore(js, settings.receiver_state_ttl)
                await self.writer.subscribe(js)
                break
            except NATS_AWAY as error:
                log.warning("jetstream not ready, retrying", error=repr(error))
                await asyncio.sleep(1)
        self._tasks += [
            asyncio.create_task(self.journal.run(js), name="receiver-journal"),
            asyncio.create_task(self.writer.run(), name="receiver-writer"),
        ]

    async def _connect(self) -> Client:
        async def disconnected() -> None:
            log.warning("nats disconnected, pushes held in memory")

        async def reconnected() -> None:
            log.info("nats reconnected")

        async def error(e: Exception) -> None:
            log.warning("nats error", error=repr(e))

        while True:
            try:
                return await nats.connect(
                    self.settings.nats_url,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=1,
                    connect_timeout=2,
                    disconnected_cb=disconnected,
                    reconnected_cb=reconnected,
                    error_cb=error,
                )
            except (OSError, *NATS_AWAY) as e:
                log.warning("nats unreachable, retrying", error=repr(e))
                await asyncio.sleep(1)

    def connected(self) -> bool:
        return bool(self._nc and self._nc.is_connected)

    async def stop(self, within: float) -> None:
        """Store what is held (``within`` s at most), then stop; what was not written waits on
        the stream for the next receiver."""
        if not await self.journal.drained(within):
            log.error("receiver stopped with pushes not stored", pushes=self.journal.stats.held)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.writer.release()
        if self._nc is not None:
            with contextlib.suppress(*NATS_AWAY):
                await self._nc.close()

    async def stats(self) -> dict[str, Any]:
        stream_pending: int | None = None
        if self._nc is not None and self._nc.is_connected:
            with contextlib.suppress(*NATS_AWAY):
                stream_pending = await self.writer.pending()
        return {
            "pending": (stream_pending or 0) + self.journal.stats.held,
            "influxdb": asdict(self.writer.stats),
            "jetstream": {
                **asdict(self.journal.stats),
                "connected": bool(self._nc and self._nc.is_connected),
                "restored": self.journal.restored,
                "stream_pending": stream_pending,
            },
        }
