"""Swagger UI from assets the gateway serves (the PyPI ``swagger-ui-bundle-v2`` package ships
swagger-ui's dist), so the API docs work in an air-gapped cluster. FastAPI's own page loads
them from a CDN and stays blank offline."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path  # type: ignore[import-untyped]

from mv_gateway.auth import PUBLIC

ASSETS = "/api/swagger-assets"


def install_docs(app: FastAPI) -> None:
    docs_url, openapi_url = app.docs_url, app.openapi_url
    if docs_url is None or openapi_url is None:
        return
    # FastAPI registered its CDN page in its constructor; ours replaces it at the same path.
    app.router.routes[:] = [r for r in app.router.routes if getattr(r, "path", None) != docs_url]
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-assets")

    @app.get(docs_url, include_in_schema=False, dependencies=[PUBLIC])
    async def swagger() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{ASSETS}/swagger-ui-bundle.js",
            swagger_css_url=f"{ASSETS}/swagger-ui.css",
            swagger_favicon_url=f"{ASSETS}/favicon-32x32.png",
            oauth2_redirect_url=app.swagger_ui_oauth2_redirect_url,
        )
