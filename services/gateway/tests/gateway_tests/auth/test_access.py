"""Every route declares who may call it, and means it: the route table walked, each route
called without a credential, and with each role's token (real SQLite and PostgreSQL, over
ASGI); the same rules checked once against the real server, WebSocket included."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

import httpx
import pytest
import websockets
from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, APIWebSocketRoute, _iter_routes_with_context
from starlette.routing import Mount, Route

from gateway_tests.conftest import LiveGateway, bearer, bearer_subprotocols
from mv_gateway.auth import Permission, Role, public
from mv_gateway.auth.roles import allows

# FastAPI's own pages: the OpenAPI document describes the API (no data in it) and Swagger UI
# must load it before anyone can paste a token into its Authorize dialog.
DOCUMENTATION = {"/api/openapi.json", "/api/swagger", "/docs/oauth2-redirect"}
# Checked inside the handler (a WebSocket carries no headers from a browser): see below.
WEBSOCKETS = {"/ws/k6-data"}
# Streams until the test ends: only the refusals are called here.
STREAMS = {"/sse/k6-data"}


def _declared(dependant: Dependant) -> set[Permission | str]:
    found: set[Permission | str] = set()
    for sub in dependant.dependencies:
        if sub.call is public:
            found.add("public")
        permission = getattr(sub.call, "permission", None)
        if isinstance(permission, Permission):
            found.add(permission)
        found |= _declared(sub)
    return found


def _table(app: FastAPI) -> list[tuple[str, str, Permission | str]]:
    """(method, path, what it declares) of every HTTP route; fails on a route declaring none,
    or two, and on a kind of route this test does not know.

    FastAPI keeps an included router as one entry of ``app.routes``; its private
    ``_iter_routes_with_context`` is what the app itself matches requests with, so the paths
    and dependencies seen here are the effective ones (prefixes and router-level dependencies
    included)."""
    rows = []
    for route, context in _iter_routes_with_context(app.routes):
        effective: Any = context or route
        if isinstance(route, APIRoute):
            declared = _declared(effective.dependant or route.dependant)
            path = effective.path
            assert len(declared) == 1, f"{path} declares {declared or 'no permission'}"
            rows += [(method, path, next(iter(declared))) for method in effective.methods or ()]
        elif isinstance(route, APIWebSocketRoute):
            socket: Any = (context and context.starlette_route) or route
            assert socket.path in WEBSOCKETS, f"{socket.path}: a WebSocket not checked here"
        elif isinstance(route, Route):
            assert route.path in DOCUMENTATION, f"{route.path} is not an APIRoute"
        else:
            assert isinstance(route, Mount), route
            assert route.path == "/api/swagger-assets", route.path  # Swagger UI's files, open
    return rows


def _concrete(path: str) -> str:
    """A path to call: ids of nothing, so that admins' calls delete nothing (tokens included)."""
    return re.sub(r"\{[^}]+\}", "987654321", path)


def test_the_route_table_is_complete(client: httpx.AsyncClient) -> None:
    app: FastAPI = client._transport.app  # type: ignore[attr-defined]
    table = _table(app)
    declared = {(m, p): d for m, p, d in table}
    open_routes = sorted(k for k, v in declared.items() if v == "public")
    assert open_routes == [
        ("GET", "/"),
        ("GET", "/api/swagger"),  # the documentation page; the document itself is open too
        ("GET", "/healthz"),
        ("GET", "/readyz"),  # the gateway's own readiness, for a load balancer
        ("GET", "/ui"),  # the web UI's files: its sign-in page must load
        ("GET", "/ui/{path:path}"),
        ("POST", "/auth/login"),
        ("POST", "/plans/{plan_id}/trigger"),  # checks the plan's own trigger token (401)
    ]
    assert declared[("DELETE", "/project/{project_id}")] is Permission.ADMIN
    assert declared[("POST", "/load-testing")] is Permission.TEST
    assert declared[("GET", "/test-history/simple")] is Permission.READ
    assert len(table) > 30


async def test_every_route_refuses_whom_it_should(
    anonymous: httpx.AsyncClient, tokens: dict[Role, str]
) -> None:
    app: FastAPI = anonymous._transport.app  # type: ignore[attr-defined]
    # A route that documents a 503 (the service it asks is not running in this test, such as
    # GET /storage without a metrics-aggregator) may answer it; no other 5xx.
    documented = {
        (method.upper(), path): set(operation.get("responses", {}))
        for path, operations in app.openapi()["paths"].items()
        for method, operation in operations.items()
    }
    checked = 0
    for method, path, needs in _table(app):
        if needs == "public":
            continue
        url = _concrete(path)
        nobody = await anonymous.request(method, url)
        assert nobody.status_code == 401, (method, path, nobody.text)
        assert nobody.headers["www-authenticate"] == "Bearer"
        for role in Role:
            assert isinstance(needs, Permission)
            if path in STREAMS and allows(role, needs):
                continue
            answer = await anonymous.request(method, url, headers=bearer(tokens[role]))
            if allows(role, needs):
                assert answer.status_code not in (401, 403), (role, method, path, answer.text)
                unavailable = answer.status_code == 503 and "503" in documented.get(
                    (method, path), set()
                )
                assert answer.status_code < 500 or unavailable, (role, method, path, answer.text)
            else:
                assert answer.status_code == 403, (role, method, path, answer.text)
                assert needs.value in answer.json()["detail"]
            checked += 1
    assert checked > 80  # routes by roles


async def test_a_wrong_or_malformed_credential_is_401(anonymous: httpx.AsyncClient) -> None:
    for headers in (
        bearer("mvt_not-a-token"), {"Authorization": "Basic YWRtaW46YWRtaW4="},
        {"Cookie": "mv_session=mvs_forged"},
    ):  # fmt: skip
        assert (await anonymous.get("/project", headers=headers)).status_code == 401


async def test_the_real_server_refuses_and_admits(live_gateway: LiveGateway) -> None:
    async with httpx.AsyncClient(base_url=live_gateway.base) as http:
        # public: 503 here (no other service beats), never 401
        assert (await http.get("/")).status_code == 503
        assert (await http.get("/readyz")).status_code == 200
        assert (await http.get("/healthz")).status_code == 200
        assert (await http.get("/api/openapi.json")).status_code == 200
        assert (await http.get("/project")).status_code == 401
        assert (await http.post("/project", json={"title": "x"})).status_code == 401
        signed_in = await http.get("/project", headers=live_gateway.headers)
        assert signed_in.status_code == 200
        viewer = await http.post(
            "/auth/tokens", json={"name": "ro", "role": "viewer"}, headers=live_gateway.headers
        )
        assert viewer.status_code == 201
        viewer_token = viewer.json()["token"]
        refused = await http.post("/project", json={"title": "x"}, headers=bearer(viewer_token))
        assert refused.status_code == 403
        assert signed_in.headers["content-security-policy"].startswith("default-src 'self'")
        assert signed_in.headers["x-content-type-options"] == "nosniff"

    ws = live_gateway.base.replace("http://", "ws://") + "/ws/k6-data"
    async with websockets.connect(ws) as nobody:  # no credential in the handshake or message
        await nobody.send("hello")
        with pytest.raises(websockets.ConnectionClosed):
            await nobody.recv()
        assert nobody.close_code == 1008
    async with websockets.connect(ws, subprotocols=bearer_subprotocols(viewer_token)) as socket:
        assert socket.subprotocol == "bearer"  # the token is never echoed back
        await _until_subscribed(live_gateway)
    async with websockets.connect(ws) as socket:
        await socket.send(json.dumps({"token": viewer_token}))
        await _until_subscribed(live_gateway)


async def _until_subscribed(gateway: LiveGateway) -> None:
    for _ in range(100):
        if gateway.app.state.live_hub.clients >= 1:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the WebSocket signed in by its first message was not subscribed")


async def test_a_browser_session_signs_in_sse_and_websocket(live_gateway: LiveGateway) -> None:
    """The cookie of a login opens the live streams; a WebSocket upgrade with that cookie from
    a page of another origin is refused (cross-site WebSocket hijacking)."""
    password = "a long passphrase for live"
    async with httpx.AsyncClient(base_url=live_gateway.base, timeout=10) as http:
        made = await http.post(
            "/auth/users",
            json={"username": "watcher", "password": password, "role": "viewer"},
            headers=live_gateway.headers,
        )
        assert made.status_code == 201
        login = await http.post("/auth/login", json={"username": "watcher", "password": password})
        assert login.status_code == 200
        cookie = f"mv_session={http.cookies['mv_session']}"
        async with http.stream("GET", "/sse/k6-data", headers={"Cookie": cookie}) as stream:
            assert stream.status_code == 200

    ws = live_gateway.base.replace("http://", "ws://") + "/ws/k6-data"
    own = {"Cookie": cookie, "Origin": live_gateway.base}
    async with websockets.connect(ws, additional_headers=own):
        await _until_subscribed(live_gateway)
    foreign = {"Cookie": cookie, "Origin": "https://evil.example"}
    async with websockets.connect(ws, additional_headers=foreign) as socket:
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), 10)
        assert socket.close_code == 1008
