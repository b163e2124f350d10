"""Live metrics of running tests: Server-Sent Events and WebSocket, same payloads and filters.

A stream for one test ends with that test's ``end``. The live ``end`` comes over core NATS and
can be missed (the gateway was down, NATS reconnecting), so the end is also derived from what
the gateway stored of the durable finished event: a stream for a test that has ended answers
its ``end`` at once (with or without Last-Event-ID), and an open stream checks at each
keep-alive whether its test has ended meanwhile."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from mv_gateway.auth import READ, Permission, accept_signed_in
from mv_gateway.core.settings import Settings

from .hub import ClientFilter, ClientQueue, HubClosed, LiveHub
from .messages import Include, LiveMessage, StoredEnd, end_message

# How the gateway finds a test's stored end (the app wires it from the history).
EndLookup = Callable[[str], Awaitable[StoredEnd | None]]

router = APIRouter(tags=["Live metrics"])

TestIdQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=64, description="Only this test; all running tests if absent"),
]
IncludeQuery = Annotated[
    Include, Query(description="all, k6_only (k6 figures) or resources_only (pods)")
]


class LiveStats(BaseModel):
    clients: int = Field(description="SSE and WebSocket clients connected to this gateway")
    running_tests: list[str] = Field(description="Tests with a live snapshot in the last minutes")
    dropped_total: int = Field(description="Messages slow clients lost since the gateway started")


@router.get("/live/stats", response_model=LiveStats, dependencies=[READ])
async def live_stats(request: Request) -> LiveStats:
    """How the live fan-out of this gateway is doing."""
    hub: LiveHub = request.app.state.live_hub
    return LiveStats(
        clients=hub.clients, running_tests=hub.running_tests(), dropped_total=hub.dropped_total
    )


def _stream_done(message: LiveMessage, wanted: ClientFilter) -> bool:
    """A stream for one test ends with that test's end message."""
    return message.kind == "end" and wanted.test_id is not None


SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": LiveMessage,
        "description": "A text/event-stream of LiveMessage events (k6, resources, end)",
        "content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/LiveMessage"}}},
    }
}


@router.get(
    "/sse/k6-data",
    response_class=StreamingResponse,
    responses=SSE_RESPONSE,
    dependencies=[READ],
)
async def k6_data_sse(
    request: Request,
    test_id: TestIdQuery = None,
    include: IncludeQuery = Include.ALL,
    last_event_id: Annotated[
        int | None, Header(ge=0, description="Resume after this event id (sent by EventSource)")
    ] = None,
    named: Annotated[
        bool, Query(description="Name each event by its kind (event: k6) instead of unnamed")
    ] = False,
) -> StreamingResponse:
    """Live figures every LIVE_INTERVAL: messages of kind ``k6`` (TPS, requests, errors, VUs,
    response times, per scenario), ``resources`` (per pod ``usage``, ``actual_usage``,
    ``specs``) and a last ``end`` when the test ends, the kind inside each JSON message.
    Events are unnamed, so ``EventSource.onmessage`` receives every one; ``named=true`` names
    them by kind for ``addEventListener`` clients. ``: ping`` comments keep the connection
    open. The same payloads are served over WebSocket at ``/ws/k6-data``."""
    hub: LiveHub = request.app.state.live_hub
    settings: Settings = request.app.state.settings
    wanted = ClientFilter(test_id=test_id, include=include)
    return StreamingResponse(
        _sse_frames(
            hub,
            wanted,
            last_event_id,
            settings.sse_ping_seconds,
            ended=getattr(request.app.state, "test_end", None),
            named=named,
        ),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _stored_end(
    hub: LiveHub, wanted: ClientFilter, ended: EndLookup | None
) -> LiveMessage | None:
    """The end message of the stream's test if the gateway has stored that it ended."""
    if wanted.test_id is None or ended is None:
        return None
    stored = await ended(wanted.test_id)
    if stored is None:
        return None
    message = end_message(stored.test_id, stored.at, stored.status, stored.reason)
    return message.model_copy(update={"seq": hub.sequence})


async def _sse_frames(
    hub: LiveHub,
    wanted: ClientFilter,
    last_event_id: int | None,
    ping_seconds: float,
    *,
    ended: EndLookup | None = None,
    named: bool = False,
) -> AsyncIterator[bytes]:
    # Subscribing here, not in the route, ties the subscription to the stream's life: the
    # finally block runs however the stream ends (client gone, test ended, shutdown).
    client = hub.subscribe(wanted, last_event_id)
    try:
        final = await _stored_end(hub, wanted, ended)
        while True:
            if final is not None and not len(client):
                # what it missed has been sent; the stored end closes the stream
                yield final.named_sse_frame if named else final.sse_frame
                return
            try:
                async with asyncio.timeout(ping_seconds):
                    message = await client.get()
            except TimeoutError:
                final = await _stored_end(hub, wanted, ended)
                if final is None:
                    yield b": ping\n\n"
                continue
            except HubClosed:
                return  # shutting down: EventSource reconnects, with Last-Event-ID, elsewhere
            yield message.named_sse_frame if named else message.sse_frame
            if _stream_done(message, wanted):
                return
    finally:
        hub.unsubscribe(client)


@router.websocket("/ws/k6-data")
async def k6_data_ws(
    websocket: WebSocket, test_id: TestIdQuery = None, include: IncludeQuery = Include.ALL
) -> None:
    """The SSE stream's messages as JSON text frames; closes (1000) after a test's end.

    Signed in by the session cookie of the upgrade, or an API token offered as subprotocols
    ``bearer, mvt_…`` or sent as the first message ``{"token": "mvt_…"}``; else closed (1008)."""
    hub: LiveHub = websocket.app.state.live_hub
    settings: Settings = websocket.app.state.settings
    ended: EndLookup | None = getattr(websocket.app.state, "test_end", None)
    wanted = ClientFilter(test_id=test_id, include=include)
    if await accept_signed_in(websocket, Permission.READ) is None:
        return
    client = hub.subscribe(wanted)
    closed = asyncio.create_task(_until_closed(websocket))
    try:
        await _send_until_done(
            websocket, client, wanted, closed, lambda: _stored_end(hub, wanted, ended),
            settings.sse_ping_seconds,
        )  # fmt: skip
    finally:
        hub.unsubscribe(client)
        closed.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await closed


async def _send_until_done(
    websocket: WebSocket,
    client: ClientQueue,
    wanted: ClientFilter,
    closed: asyncio.Task[None],
    stored_end: Callable[[], Awaitable[LiveMessage | None]],
    check_seconds: float,
) -> None:
    final = await stored_end()
    while not closed.done():
        if final is not None and not len(client):
            await websocket.send_text(final.encoded)
            await websocket.close(code=1000)
            return
        getting = asyncio.ensure_future(client.get())
        await asyncio.wait(
            {getting, closed}, timeout=check_seconds, return_when=asyncio.FIRST_COMPLETED
        )
        if not getting.done():
            getting.cancel()
            if closed.done():
                return
            final = await stored_end()  # silent for a while: has the test ended meanwhile?
            continue
        try:
            message = getting.result()
        except HubClosed:
            # 1012 "service restart" tells the client to reconnect; uvicorn may have sent it first
            with contextlib.suppress(WebSocketDisconnect, RuntimeError):
                await websocket.close(code=1012)
            return
        await websocket.send_text(message.encoded)
        if _stream_done(message, wanted):
            await websocket.close(code=1000)
            return


async def _until_closed(websocket: WebSocket) -> None:
    """Clients send nothing; reading notices when they go away."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
