"""A deadline for a request's headers, which uvicorn does not have.

uvicorn times out an idle keep-alive connection, but not one that is sending its headers: a
client that connects and trickles a byte now and then (or nothing at all) holds a connection,
and its memory, for as long as it likes, and a few hundred such clients hold them all. Here a
connection must finish its request line and headers within ``HEADER_READ_SECONDS`` of connecting,
or of the first byte of its next request on a kept-alive connection; else it is answered 408
and closed. The body has its own deadline (``BODY_READ_SECONDS``, in ``core.bodies``).
"""

from __future__ import annotations

import asyncio

import structlog
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

log = structlog.get_logger()

TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 33\r\nconnection: close\r\n\r\nthe request headers came too late"
)


class HeaderDeadline(HttpToolsProtocol):
    """uvicorn's HTTP/1.1 protocol (httptools) with a header deadline of ``header_seconds``."""

    header_seconds = 10.0
    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_seconds, self._too_late)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_late(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            log.info("request headers too late, connection closed", client=self.client)
            self.transport.write(TIMED_OUT)
            self.transport.close()


def with_header_deadline(seconds: float) -> type[HeaderDeadline]:
    """The protocol class to give uvicorn (``Config(http=...)``) for this deadline."""
    return type("HeaderDeadline", (HeaderDeadline,), {"header_seconds": seconds})
