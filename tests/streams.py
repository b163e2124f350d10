"""Clients of the gateway's live streams, as a browser or a script would use them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import websockets
from websockets.typing import Subprotocol


async def sse_messages(url: str, token: str) -> list[dict[str, Any]]:
    """Every ``data:`` payload of one SSE stream, read to its end, signed in with ``token``."""
    messages: list[dict[str, Any]] = []
    async with (
        httpx.AsyncClient(
            timeout=httpx.Timeout(120, read=60), headers={"Authorization": f"Bearer {token}"}
        ) as http,
        http.stream("GET", url) as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("data: "):
                messages.append(json.loads(line[6:]))
    return messages


async def websocket_messages(url: str, token: str) -> list[dict[str, Any]]:
    """Every JSON frame of one WebSocket stream, until the server closes it; the token offered
    as a browser would (``new WebSocket(url, ["bearer", token])``)."""
    protocols = [Subprotocol("bearer"), Subprotocol(token)]
    async with websockets.connect(url, subprotocols=protocols) as socket:
        return [json.loads(frame) async for frame in socket]
