"""The built single-page app under ``/ui/``: files from the dist folder, ``index.html`` for
every other path (the app routes in the browser), a clear 503 page when nothing is built."""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from mv_gateway.auth import PUBLIC

# Vite names bundles by content hash, so they never change under one name; index.html must be
# re-read on every visit to pick up a new build.
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"

NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Metric Vault: UI not built</title>
<style>body{{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}}
code{{background:#8882;padding:.1em .3em;border-radius:4px}}</style></head>
<body><h1>The web UI is not built</h1>
<p>The gateway looks for it in <code>{dist}</code> and found no <code>index.html</code>.</p>
<p>Build it from the repository with <code>scripts/bootstrap.sh</code> (or <code>make run</code>),
or by hand: <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>. Point the gateway at
another folder with <code>UI_DIST_DIR</code>.</p>
<p>The API works without it: <a href="/api/swagger">/api/swagger</a>.</p></body></html>
"""


def _accepts_gzip(request: Request) -> bool:
    return "gzip" in request.headers.get("accept-encoding", "")


def _file(path: Path, request: Request, cache: str) -> Response:
    # The build writes a .gz beside every compressible file, so nothing is compressed per request.
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    headers = {"Cache-Control": cache, "Vary": "Accept-Encoding"}
    packed = path.with_name(path.name + ".gz")
    if _accepts_gzip(request) and packed.is_file():
        headers["Content-Encoding"] = "gzip"
        return FileResponse(packed, media_type=media_type, headers=headers)
    return FileResponse(path, media_type=media_type, headers=headers)


def spa_router(dist: Path) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    root = dist.resolve()

    @router.get("/ui", dependencies=[PUBLIC])
    async def ui_slash() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=308)

    @router.get("/ui/{path:path}", dependencies=[PUBLIC])  # the sign-in page is among them
    async def ui(path: str, request: Request) -> Response:
        index = root / "index.html"
        if not index.is_file():
            return HTMLResponse(NOT_BUILT.format(dist=root), status_code=503)
        try:
            wanted = (root / path).resolve()
        except (ValueError, OSError):  # a NUL byte or a name the file system refuses
            return Response(status_code=404)
        if path and wanted.is_file() and wanted.is_relative_to(root):
            cache = IMMUTABLE if wanted.parent.name == "assets" else REVALIDATE
            return _file(wanted, request, cache)
        if path.startswith("assets/"):  # a missing bundle is a 404, not the app's HTML
            return Response(status_code=404)
        return _file(index, request, REVALIDATE)

    return router
