"""Live metrics of running tests: Server-Sent Events and WebSocket, same payloads and filters.

A stream for one test ends with that test's ``end`` and then its ``summary``; what each stream
sends, and how the end and summary are also read from the store, is :mod:`.following`."""

from __future__ import annotations

import asyncio
import contextlib
import json
from asyncio import Task
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import (
    APIRouter,
    Header,
    HTTPException,
    Query,
    Request,
    WebSocket,
    WebSocketDisconnect,
    status,
)
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from mv_gateway.auth import READ, Permission, accept_signed_in
from mv_gateway.auth.streams import (
    Credential,
    Ended,
    Slot,
    StreamSlots,
    credential_of,
    watch,
)
from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.settings import Settings

from .following import Following
from .hub import ClientFilter, ClientQueue, LiveHub
from .messages import Include, LiveMessage

# The WebSocket close code of a stream whose credential ended (4000-4999: the application's;
# 4401 reads as HTTP's 401).
CREDENTIAL_ENDED = 4401

router = APIRouter(tags=["Live metrics"], route_class=ParsedBodyRoute)

TestIdQuery = Annotated[
    str | None,
    Query(min_length=1, max_length=64, description="Only this test; all running tests if absent"),
]
IncludeQuery = Annotated[
    Include, Query(description="all, k6_only (k6 figures) or resources_only (pods)")
]
IntervalQuery = Annotated[
    float | None,
    Query(
        ge=1,
        le=3600,
        description="Seconds between k6 snapshots sent (e.g. 5, the original period); absent: "
        "every snapshot, each second in the fast metrics mode",
    ),
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


def _until_credential_ends(
    app_state: Any, credential: Credential, client: ClientQueue
) -> Task[Ended]:
    """Watches the stream's credential; when it ends, so does the client's queue, and with it
    the stream (the task's result says why)."""
    settings: Settings = app_state.settings
    watching = asyncio.create_task(
        watch(
            app_state.session_factory, credential, Permission.READ, settings.stream_recheck_seconds
        )
    )

    def ended(task: Task[Ended]) -> None:
        if not task.cancelled():
            client.end()

    watching.add_done_callback(ended)
    return watching


def _too_many(app_state: Any) -> str:
    slots: StreamSlots = app_state.stream_slots
    return (
        f"this credential holds {slots.per_credential} live streams open already"
        " (MAX_STREAMS_PER_CREDENTIAL)"
    )


def _ended_frame(ended: Ended) -> bytes:
    """The last event of a stream whose credential ended: named, so EventSource clients that
    listen for ``closed`` learn why, and not a LiveMessage (it carries no figures)."""
    data = json.dumps({"kind": "closed", "reason": ended.code, "detail": ended.detail})
    return f"event: closed\ndata: {data}\n\n".encode()


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
    interval: IntervalQuery = None,
    last_event_id: Annotated[
        int | None, Header(ge=0, description="Resume after this event id (sent by EventSource)")
    ] = None,
    named: Annotated[
        bool, Query(description="Name each event by its kind (event: k6) instead of unnamed")
    ] = False,
    replay: Annotated[
        bool,
        Query(
            description="With test_id and no Last-Event-ID: first every k6 snapshot and alert "
            "of the test so far (a page opened mid-test draws the whole run), then live"
        ),
    ] = False,
) -> StreamingResponse:
    """Live figures every second in the fast metrics mode (every LIVE_INTERVAL in the precise
    mode; ``interval=5`` sends one each 5 s): messages of kind ``k6`` (TPS, requests, errors, VUs,
    response times, per scenario), ``resources`` (per pod ``usage``, ``actual_usage``,
    ``specs``), ``alert`` (a live finding), ``end`` when the test ends and, last, ``summary``:
    whether the stored figures are whole (``complete``, ``incomplete_reason``), the overall
    figures and the details' URL, or ``stored: false`` when the summary did not come within
    LIVE_SUMMARY_WAIT_SECONDS of the end. The kind is inside each JSON message. Events are
    unnamed, so ``EventSource.onmessage`` receives every one; ``named=true`` names them by kind
    for ``addEventListener`` clients. ``: ping`` comments keep the connection open. The same
    payloads are served over WebSocket at ``/ws/k6-data``."""
    wanted = ClientFilter(test_id=test_id, include=include, interval=interval)
    credential = credential_of(request)
    slot = request.app.state.stream_slots.take(credential)
    if slot is None:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, _too_many(request.app.state))
    following = _following(request.app.state, wanted)
    return StreamingResponse(
        _sse_frames(following, last_event_id, named, (request.app.state, credential), slot, replay),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )


async def _sse_frames(
    following: Following,
    last_event_id: int | None,
    named: bool = False,
    signed_in: tuple[Any, Credential] | None = None,  # the app's state, the stream's credential
    slot: Slot | None = None,
    replay: bool = False,
) -> AsyncIterator[bytes]:
    # Subscribing here, not in the route, ties the subscription to the stream's life: the
    # finally block runs however the stream ends (client gone, test summarised, shutdown,
    # credential ended). The slot is held by this frame for as long.
    client = following.hub.subscribe(following.wanted, last_event_id, replay)
    watching = None if signed_in is None else _until_credential_ends(*signed_in, client)
    try:
        async for message in following.messages(client):
            if message is None:
                yield b": ping\n\n"
            else:
                yield message.named_sse_frame if named else message.sse_frame
        if watching is not None and watching.done():
            yield _ended_frame(watching.result())
    finally:
        del slot
        if watching is not None:
            watching.cancel()
        following.hub.unsubscribe(client)


@router.websocket("/ws/k6-data")
async def k6_data_ws(
    websocket: WebSocket,
    test_id: TestIdQuery = None,
    include: IncludeQuery = Include.ALL,
    interval: IntervalQuery = None,
) -> None:
    """The SSE stream's messages as JSON text frames; closes (1000) after a test's summary.

    Signed in by the session cookie of the upgrade, or an API token offered as subprotocols
    ``bearer, mvt_…`` or sent as the first message ``{"token": "mvt_…"}``; else closed (1008)."""
    state = websocket.app.state
    wanted = ClientFilter(test_id=test_id, include=include, interval=interval)
    following = _following(state, wanted)
    signed_in = await accept_signed_in(websocket, Permission.READ)
    if signed_in is None:
        return
    _, credential = signed_in
    slot = state.stream_slots.take(credential)
    if slot is None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason="too many streams")
        return
    client = following.hub.subscribe(following.wanted)
    watching = _until_credential_ends(state, credential, client)
    closed = asyncio.create_task(_until_closed(websocket))
    sending = asyncio.create_task(_send(websocket, following, client, watching))
    try:
        await asyncio.wait({sending, closed}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        following.hub.unsubscribe(client)
        for task in (sending, closed, watching):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        del slot


async def _send(
    websocket: WebSocket, following: Following, client: ClientQueue, watching: Task[Ended]
) -> None:
    try:
        async for message in following.messages(client):
            if message is not None:
                await websocket.send_text(message.encoded)
    except WebSocketDisconnect:
        return  # gone while we sent: nothing to close
    # The stream's last message was sent (1000), the credential ended (4401, with why: an
    # application code, so the client knows not to reconnect with it), or the gateway is
    # shutting down: 1012 "service restart" tells the client to reconnect (uvicorn may have
    # closed it first).
    code, reason = (1012 if following.hub.closed else 1000), ""
    if watching.done():
        ended: Ended = watching.result()
        code, reason = CREDENTIAL_ENDED, f"{ended.code}: {ended.detail}"[:120]
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        await websocket.close(code=code, reason=reason)


async def _until_closed(websocket: WebSocket) -> None:
    """Clients send nothing; reading notices when they go away."""
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            await websocket.receive_text()
