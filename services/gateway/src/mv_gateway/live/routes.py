"""Live metrics of running tests: Server-Sent Events and WebSocket, same payloads and filters.

A stream for one test ends with that test's ``end`` and then its ``summary``; what each stream
sends, and how the end and summary are also read from the store, is :mod:`.following`."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from mv_gateway.auth import READ, Permission, accept_signed_in
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.settings import Settings

from .following import Following
from .hub import ClientFilter, ClientQueue, LiveHub
from .messages import Include, LiveMessage

router = APIRouter(tags=["Live metrics"], route_class=ParsedBodyRoute)

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


SSE_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {
        "model": LiveMessage,
        "description": "A text/event-stream of LiveMessage events (k6, resources, alert, end, "
        "summary)",
        "content": {"text/event-stream": {"schema": {"$ref": "#/components/schemas/LiveMessage"}}},
    }
}


def _following(app_state: Any, wanted: ClientFilter) -> Following:
    settings: Settings = app_state.settings
    return Following(
        hub=app_state.live_hub,
        wanted=wanted,
        check_seconds=settings.sse_ping_seconds,
        summary_wait=settings.live_summary_wait_seconds,
        stored=getattr(app_state, "test_end", None),
    )


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
    ``specs``), ``alert`` (a live finding), ``end`` when the test ends and, last, ``summary``:
    whether the stored figures are whole (``complete``, ``incomplete_reason``), the overall
    figures and the details' URL, or ``stored: false`` when the summary did not come within
    LIVE_SUMMARY_WAIT_SECONDS of the end. The kind is inside each JSON message. Events are
    unnamed, so ``EventSource.onmessage`` receives every one; ``named=true`` names them by kind
    for ``addEventListener`` clients. ``: ping`` comments keep the connection open. The same
    payloads are served over WebSocket at ``/ws/k6-data``."""
    wanted = ClientFilter(test_id=test_id, include=include)
    return StreamingResponse(
        _sse_frames(_following(request.app.state, wanted), last_event_id, named=named),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _sse_frames(
    following: Following, last_event_id: int | None, *, named: bool = False
) -> AsyncIterator[bytes]:
    # Subscribing here, not in the route, ties the subscription to the stream's life: the
    # finally block runs however the stream ends (client gone, test summarised, shutdown).
    client = following.hub.subscribe(following.wanted, last_event_id)
    try:
        async for message in following.messages(client):
            if message is None:
                yield b": ping\n\n"
            else:
                yield message.named_sse_frame if named else message.sse_frame
    finally:
        following.hub.unsubscribe(client)


@router.websocket("/ws/k6-data")
async def k6_data_ws(
    websocket: WebSocket, test_id: TestIdQuery = None, include: IncludeQuery = Include.ALL
) -> None:
    """The SSE stream's messages as JSON text frames; closes (1000) after a test's summary.

    Signed in by the session cookie of the upgrade, or an API token offered as subprotocols
    ``bearer, mvt_…`` or sent as the first message ``{"token": "mvt_…"}``; else closed (1008)."""
    following = _following(websocket.app.state, ClientFilter(test_id=test_id, include=include))
    if await accept_signed_in(websocket, Permission.READ) is None:
        return
    client = following.hub.subscribe(following.wanted)
    closed = asyncio.create_task(_until_closed(websocket))
    sending = asyncio.create_task(_send(websocket, following, client))
    try:
        await asyncio.wait({sending, closed}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        following.hub.unsubscribe(client)
        for task in (sending, closed):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def _send(websocket: WebSocket, following: Following, client: ClientQueue) -> None:
    try:
        async for message in following.messages(client):
            if message is not None:
                await websocket.send_text(message.encoded)
    except WebSocketDisconnect:
        return  # gone while we sent: nothing to close
    # The stream's last message was sent (1000), or the gateway is shutting down: 1012 "service
    # restart" tells the client to reconnect (uvicorn may have closed it first).
    code = 1012 if following.hub.closed else 1000
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.close(code=code)


async def _until_closed(websocket: WebSocket) -> None:
    """Clients send nothing; reading notices when they go away."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
