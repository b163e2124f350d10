"""uvicorn for the gateway: live streams end first when the server shuts down, and request
headers have a deadline (:mod:`.deadlines`)."""

from __future__ import annotations

import socket

import uvicorn
from fastapi import FastAPI

from .core.settings import Settings
from .deadlines import with_header_deadline
from .live import LiveHub


class GatewayServer(uvicorn.Server):
    """An open SSE or WebSocket stream never finishes by itself, so uvicorn's graceful shutdown
    would wait on it until its timeout; closing the hub first ends every stream at once and the
    clients reconnect (EventSource with Last-Event-ID) to another replica."""

    def __init__(self, app: FastAPI, settings: Settings) -> None:
        super().__init__(
            uvicorn.Config(
                app,
                host=settings.gateway_host,
                port=settings.gateway_port,
                log_config=None,  # keep our structured logging
                # uvicorn would believe X-Forwarded-For from any loopback peer; the app's
                # ForwardedFor believes only TRUSTED_PROXIES.
                proxy_headers=False,
                timeout_graceful_shutdown=settings.shutdown_grace_seconds,
                http=with_header_deadline(settings.header_read_seconds),
            )
        )
        self._hub: LiveHub = app.state.live_hub

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self._hub.close()
        await super().shutdown(sockets)
