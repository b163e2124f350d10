"""A browser opening ``/`` lands on the UI; curl, probes and API clients keep the health JSON."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send


def wants_html(accept: str) -> bool:
    """True when ``text/html`` is asked for explicitly: browsers send it first, and a bare
    ``*/*`` (curl, httpx, Kubernetes probes) must still get JSON."""
    return any(part.split(";")[0].strip() == "text/html" for part in accept.split(","))


class BrowserHomeRedirect:
    """Pure ASGI (no BaseHTTPMiddleware), so SSE and WebSocket traffic passes untouched."""

    def __init__(self, app: ASGIApp, target: str) -> None:
        self.app = app
        self.target = target

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/"
            and scope["method"] in ("GET", "HEAD")
            and wants_html(Headers(scope=scope).get("accept", ""))
        ):
            response = RedirectResponse(scope.get("root_path", "") + self.target, status_code=307)
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
