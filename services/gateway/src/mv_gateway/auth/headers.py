"""Security headers on every answer: the UI may load only the gateway's own scripts, styles and
data, be framed by no one, and leak no URL to other sites."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Swagger UI and ReDoc pages (FastAPI's) load their bundles from a CDN and run an inline script;
# they get a policy of their own, every other answer the strict one.
STRICT_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# Swagger UI's assets are the gateway's own (mv_gateway.ui.docs); its page starts it with an
# inline script and inline styles, so only those are added to the gateway's own origin.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
DOCS_PATHS = frozenset({"/api/swagger", "/docs/oauth2-redirect"})
# The self-contained HTML report (GET /test-history/{id}/report.html) carries its styles inline
# and runs no script: inline styles allowed, nothing else loaded.
REPORT_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
REPORT_SUFFIX = "/report.html"

COMMON = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Pure ASGI (not BaseHTTPMiddleware), so SSE streams pass through unbuffered."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path in DOCS_PATHS:
            csp = DOCS_CSP
        elif path.endswith(REPORT_SUFFIX):
            csp = REPORT_CSP
        else:
            csp = STRICT_CSP

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _OURS]
                headers += [*COMMON, (b"content-security-policy", csp.encode())]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


_OURS = frozenset([name for name, _ in COMMON] + [b"content-security-policy"])
