"""Live streams end with their credential (before: a viewer token deleted kept its SSE stream
delivering, and a WebSocket was checked only when accepted): re-checked every
STREAM_RECHECK_SECONDS, an SSE stream ends with a ``closed`` event naming why and a WebSocket
with close code 4401; and one credential holds at most MAX_STREAMS_PER_CREDENTIAL streams."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from fastapi import FastAPI
from sqlalchemy import update

from gateway_tests.conftest import PATIENCE, bearer, bearer_subprotocols, until_live_clients
from gateway_tests.served_gateway import serve_gateway, signed_in
from mv_devstack.config import StackConfig
from mv_gateway.auth import Role
from mv_gateway.auth.guard import SESSION_COOKIE
from mv_gateway.auth.store import Accounts
from mv_gateway.auth.tables import User
from mv_gateway.live.routes import CREDENTIAL_ENDED


@pytest.fixture
async def gateway(stack: StackConfig, tmp_path: Path) -> AsyncIterator[tuple[str, FastAPI]]:
    async with serve_gateway(
        stack,
        f"sqlite+aiosqlite:///{tmp_path / 'streams.db'}",
        stream_recheck_seconds=0.5,
        max_streams_per_credential=2,
    ) as served:
        yield served


async def _viewer_token(app: FastAPI) -> tuple[int, str]:
    async with app.state.session_factory() as session, session.begin():
        token, secret = await Accounts(session).add_token("viewer", Role.VIEWER, "tests")
    return token.id, secret


async def _sse_until_closed(base: str, headers: dict[str, str]) -> list[tuple[str, Any]]:
    """(event name, data) of every event until the server ends the stream."""
    events: list[tuple[str, Any]] = []
    name = "message"
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream("GET", f"{base}/sse/k6-data", headers=headers) as response,
    ):
        assert response.status_code == 200
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                name = line.removeprefix("event: ")
            elif line.startswith("data: "):
                events.append((name, json.loads(line.removeprefix("data: "))))
                name = "message"
    return events


async def test_a_revoked_token_ends_its_streams(gateway: tuple[str, FastAPI]) -> None:
    base, app = gateway
    token_id, secret = await _viewer_token(app)
    sse = asyncio.create_task(_sse_until_closed(base, bearer(secret)))
    ws_url = base.replace("http://", "ws://") + "/ws/k6-data"
    async with websockets.connect(ws_url, subprotocols=bearer_subprotocols(secret)) as socket:
        await until_live_clients(app.state.live_hub, 2)
        await asyncio.sleep(1)
        assert not sse.done()  # still valid: streaming on
        async with signed_in(base) as admin:
            assert (await admin.delete(f"/auth/tokens/{token_id}")).status_code == 204
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), PATIENCE)
        assert socket.close_code == CREDENTIAL_ENDED
        assert (socket.close_reason or "").startswith("revoked: the API token was revoked")
    events = await asyncio.wait_for(sse, PATIENCE)
    assert events == [
        ("closed", {"kind": "closed", "reason": "revoked", "detail": "the API token was revoked"})
    ]
    async with httpx.AsyncClient(base_url=base, headers=bearer(secret)) as http:
        assert (await http.get("/sse/k6-data")).status_code == 401  # and it cannot reopen


async def test_a_disabled_user_and_an_expired_login_end_their_streams(
    gateway: tuple[str, FastAPI],
) -> None:
    base, app = gateway
    async with app.state.session_factory() as session, session.begin():
        accounts = Accounts(session)
        user = await accounts.add_user("watcher", "a long enough password 1", Role.VIEWER)
        cookie, _ = await accounts.open_session(user, timedelta(hours=1))
        short, _ = await accounts.open_session(user, timedelta(seconds=2))
    cookies = {"Cookie": f"{SESSION_COOKIE}={cookie}"}
    expiring = asyncio.create_task(_sse_until_closed(base, {"Cookie": f"{SESSION_COOKIE}={short}"}))
    assert [name for name, _ in await asyncio.wait_for(expiring, PATIENCE)] == ["closed"]
    assert expiring.result()[0][1]["reason"] == "expired"

    disabled = asyncio.create_task(_sse_until_closed(base, cookies))
    await asyncio.sleep(1)
    async with app.state.session_factory() as session, session.begin():
        await session.execute(update(User).where(User.id == user.id).values(disabled=True))
    [(name, data)] = await asyncio.wait_for(disabled, PATIENCE)
    assert (name, data["reason"]) == ("closed", "disabled")
    assert "watcher" in data["detail"]


async def test_one_credential_holds_a_bounded_number_of_streams(
    gateway: tuple[str, FastAPI],
) -> None:
    base, app = gateway
    _, secret = await _viewer_token(app)
    async with httpx.AsyncClient(base_url=base, headers=bearer(secret), timeout=10) as http:
        async with http.stream("GET", "/sse/k6-data") as one, http.stream("GET", "/sse/k6-data"):
            assert one.status_code == 200
            third = await http.get("/sse/k6-data")
            assert third.status_code == 429
            assert "MAX_STREAMS_PER_CREDENTIAL" in third.json()["detail"]
        for _ in range(50):  # the slots are free once the streams are gone
            if (await http.get("/live/stats")).json()["clients"] == 0:
                break
            await asyncio.sleep(0.1)
        async with http.stream("GET", "/sse/k6-data") as again:
            assert again.status_code == 200
