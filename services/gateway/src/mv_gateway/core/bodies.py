"""Request bodies the API can take: bounded in size (413 before the rest is read) and, when JSON,
free of the numbers JSON cannot hold (NaN, Infinity, 1e400: 422 naming the field).

Python's JSON parser accepts ``NaN``, ``Infinity`` and rounds ``1e400`` to infinity; such a value
then fails late (the 422 handler could not serialise the echoed input, a command could not be
encoded), so it is refused here, once, for every route, before FastAPI parses the body.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .echo import json_error

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
MAX_REPORTED = 20


class _NonFinite(float):
    """Marks where the parser met a number that is not finite (it is one, as a float)."""


def _constant(name: str) -> float:
    return _NonFinite(math.nan)


def _float(literal: str) -> float:
    value = float(literal)
    return value if math.isfinite(value) else _NonFinite(value)


def non_finite_paths(document: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(document, _NonFinite):
        yield path
    elif isinstance(document, dict):
        for key, value in document.items():
            yield from non_finite_paths(value, (*path, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from non_finite_paths(value, (*path, i))


class BodyLimits:
    """ASGI middleware: at most ``max_bytes`` of body, and JSON without non-finite numbers."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_bytes:
                await self._too_large(send)  # the rest is never read
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if b"json" in headers.get(b"content-type", b"") and (paths := _non_finite(body)):
            errors = [
                {
                    "loc": ["body", *p],
                    "msg": "must be a finite number (not NaN, Infinity or beyond 1.8e308)",
                    "type": "finite_number",
                }
                for p in paths[:MAX_REPORTED]
            ]
            await json_error(send, 422, errors)
            return

        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, send: Send) -> None:
        await json_error(
            send, 413, f"the request body is larger than {self.max_bytes} bytes (MAX_BODY_BYTES)"
        )


def _non_finite(body: bytes) -> list[tuple[Any, ...]]:
    try:
        document = json.loads(body, parse_constant=_constant, parse_float=_float)
    except ValueError:
        return []  # not JSON: FastAPI answers it
    return list(non_finite_paths(document))
