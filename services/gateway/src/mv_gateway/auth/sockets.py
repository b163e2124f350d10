"""Signing in a WebSocket: browsers cannot set headers on one, so besides the session cookie
of the upgrade request a client may send its API token as a subprotocol
(``Sec-WebSocket-Protocol: bearer, mvt_…``) or as the first message (``{"token": "mvt_…"}``).
Never in the URL: URLs end up in logs and browser history.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from urllib.parse import urlsplit

from fastapi import WebSocket, WebSocketDisconnect, status
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from .guard import SESSION_COOKIE, identify
from .principal import Principal
from .roles import Permission
from .store import Accounts
from .streams import Credential
from .tokens import TOKEN_PREFIX

BEARER_SUBPROTOCOL = "bearer"
FIRST_MESSAGE_SECONDS = 5.0


def _offered_token(websocket: WebSocket) -> str | None:
    offered = websocket.scope.get("subprotocols") or []
    if BEARER_SUBPROTOCOL in offered:
        return next((p for p in offered if p.startswith(TOKEN_PREFIX)), None)
    authorization = websocket.headers.get("authorization", "")
    scheme, _, value = authorization.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


def _same_origin(websocket: WebSocket) -> bool:
    """A cookie-signed upgrade must come from a page of this gateway (browsers do not apply the
    same-origin policy to WebSocket, only send Origin)."""
    origin = websocket.headers.get("origin")
    return origin is None or urlsplit(origin).netloc == websocket.headers.get("host")


async def accept_signed_in(
    websocket: WebSocket, permission: Permission
) -> tuple[Principal, Credential] | None:
    """Accept the socket when it carries a credential granting ``permission``: who it is, and
    the credential (for :func:`.streams.watch`); else close it (1008, policy violation) and
    return None."""
    sessions: async_sessionmaker[AsyncSession] = websocket.app.state.session_factory
    token = _offered_token(websocket)
    cookie = websocket.cookies.get(SESSION_COOKIE) if _same_origin(websocket) else None
    subprotocol = BEARER_SUBPROTOCOL if token and websocket.scope.get("subprotocols") else None
    if token is None and cookie is None:
        await websocket.accept()
        token = await _first_message_token(websocket)
    else:
        await websocket.accept(subprotocol=subprotocol)
    async with sessions() as session:
        principal = await identify(Accounts(session), token, None if token else cookie)
    if principal is None or not principal.may(permission):
        reason = "not signed in" if principal is None else f"needs {permission.value}"
        with contextlib.suppress(WebSocketDisconnect, RuntimeError):
            await websocket.close(code=status.WS_1008_POLICY_VIOLATION, reason=reason)
        return None
    if principal.kind == "token":
        websocket.app.state.token_usage.used(principal.id)
    return principal, Credential(token=token) if token else Credential(cookie=cookie)


async def _first_message_token(websocket: WebSocket) -> str | None:
    try:
        async with asyncio.timeout(FIRST_MESSAGE_SECONDS):
            text = await websocket.receive_text()
    except (TimeoutError, WebSocketDisconnect, KeyError):
        return None
    with contextlib.suppress(ValueError, AttributeError):
        token = json.loads(text).get("token")
        return token if isinstance(token, str) else None
    return None
