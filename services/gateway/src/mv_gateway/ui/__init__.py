"""The web UI and the API docs, served by the gateway from files on disk, never from a CDN.

``install(app)`` is the one call the app factory makes: it mounts the built single-page app at
``/ui/``, sends browsers that open ``/`` there (API clients keep the health JSON), and swaps
FastAPI's CDN-loading Swagger UI page for one whose assets the gateway serves itself.
"""

from __future__ import annotations

from fastapi import FastAPI

from mv_gateway.core.settings import Settings

from .docs import install_docs
from .redirect import BrowserHomeRedirect
from .spa import spa_router


def install(app: FastAPI) -> None:
    settings: Settings = app.state.settings
    app.include_router(spa_router(settings.ui_dist_dir))
    install_docs(app)
    app.add_middleware(BrowserHomeRedirect, target="/ui/")
