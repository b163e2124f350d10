"""``python -m mv_gateway``: serve the HTTP API with uvicorn until SIGTERM."""

from __future__ import annotations

from mv_runtime.logging import configure_logging

from .app import create_app
from .core.settings import Settings
from .server import GatewayServer


def main() -> None:
    settings = Settings()
    configure_logging("gateway", settings.log_level, settings.log_format)
    GatewayServer(create_app(settings), settings).run()


if __name__ == "__main__":
    main()
