"""``python -m mv_gateway``: serve the HTTP API with uvicorn until SIGTERM."""

from __future__ import annotations

import uvicorn

from mv_runtime.logging import configure_logging

from .app import create_app
from .settings import Settings


def main() -> None:
    settings = Settings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    uvicorn.run(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_config=None,  # keep our structured logging
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
