"""Request bodies, bounded before anything reads them, and parsed once.

Order matters: a body is the cheapest thing for an anonymous client to send and the dearest to
take (32 MiB read, parsed and walked before the route said 401 stalled every other request for
seconds). So, for POST, PUT and PATCH, before a byte of the body is read:
1. a declared ``Content-Length`` over the limit is a 413;
2. the route's credential is checked (:data:`Admit`, given by the auth feature): 401 or 403
   unread; routes open to anyone (login) get the much smaller ``MAX_PUBLIC_BODY_BYTES``;
then the body is read while counted (chunked bodies too: 413 the moment it passes the limit)
within ``BODY_READ_SECONDS`` (408), and a JSON body is parsed by :func:`.parsing.parse`, once:
the routes read the document from the request scope (:class:`ParsedBodyRoute`) instead of
parsing it again. Anything the parser refuses is a 422 naming where and why.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .echo import json_error
from .parsing import BodyRefused, parse

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
PARSED_KEY = "mv.parsed_json"  # the scope key routes read the parsed document from


@dataclass(frozen=True, slots=True)
class Admission:
    """What the route of a request says before its body is read."""

    guarded: bool  # it needs a credential (and so may take the larger body limit)
    refusal: tuple[int, Any, dict[str, str]] | None = None  # status, detail, headers


# The auth feature's check of a request's credential, from its scope alone (no body).
Admit = Callable[[Scope], Awaitable[Admission]]


async def _everyone(_scope: Scope) -> Admission:
    return Admission(guarded=True)


@dataclass(frozen=True, slots=True)
class BodyRules:
    max_bytes: int
    max_public_bytes: int
    max_depth: int
    read_seconds: float


class BodyLimits:
    """ASGI middleware applying :class:`BodyRules` to every request with a body."""

    def __init__(self, app: ASGIApp, rules: BodyRules, admit: Admit = _everyone) -> None:
        self.app = app
        self.rules = rules
        self.admit = admit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        limit, setting = self.rules.max_bytes, "MAX_BODY_BYTES"
        declared = headers.get(b"content-length", b"")
        if declared.isdigit() and int(declared) > limit:
            await _too_large(send, limit, setting)
            return
        admission = await self.admit(scope)
        if admission.refusal is not None:
            status, detail, extra = admission.refusal
            await json_error(send, status, detail, extra)
            return
        if not admission.guarded:
            limit, setting = self.rules.max_public_bytes, "MAX_PUBLIC_BODY_BYTES"
            if declared.isdigit() and int(declared) > limit:
                await _too_large(send, limit, setting)
                return
        try:
            async with asyncio.timeout(self.rules.read_seconds):
                body = await _read(receive, limit)
        except _Gone:
            return
        except TimeoutError:
            detail = f"the body did not arrive within {self.rules.read_seconds:g} s"
            await json_error(send, 408, detail + " (BODY_READ_SECONDS)")
            return
        if body is None:
            await _too_large(send, limit, setting)  # the rest is never read
            return
        if body and _is_json(headers.get(b"content-type")):
            try:
                # On the event loop: json.loads holds the GIL throughout, so a thread would not
                # let the loop run meanwhile; MAX_BODY_BYTES bounds the pause.
                scope[PARSED_KEY] = parse(body, self.rules.max_depth)
            except BodyRefused as refused:
                await json_error(send, 422, refused.errors)
                return
        await self.app(scope, _replaying(body, receive), send)


class _Gone(Exception):
    """The client went away while sending its body."""


async def _read(receive: Receive, limit: int) -> bytes | None:
    """The whole body, or None once it passes ``limit`` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise _Gone
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _is_json(content_type: bytes | None) -> bool:
    """As FastAPI decides to parse JSON: application/json, application/*+json, or no type."""
    if content_type is None:
        return True
    kind = content_type.split(b";", 1)[0].strip().lower()
    return kind == b"application/json" or (
        kind.startswith(b"application/") and kind.endswith(b"+json")
    )


def _replaying(body: bytes, receive: Receive) -> Receive:
    replayed = False

    async def replay() -> Message:
        nonlocal replayed
        if replayed:
            return await receive()
        replayed = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


async def _too_large(send: Send, limit: int, setting: str) -> None:
    await json_error(send, 413, f"the request body is larger than {limit} bytes ({setting})")


class _ParsedRequest(Request):
    """A request whose JSON the middleware parsed: ``json()`` answers it without parsing."""

    def __init__(self, scope: Scope, receive: Receive, send: Send) -> None:
        super().__init__(scope, receive, send)
        if PARSED_KEY in scope:
            self._json = scope[PARSED_KEY]


class ParsedBodyRoute(APIRoute):
    """The route class of every router: its handler reads the body parsed by :class:`BodyLimits`
    (the FastAPI way to change the request a route sees)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def parsed_once(request: Request) -> Response:
            return await handler(_ParsedRequest(request.scope, request.receive, request._send))

        return parsed_once
