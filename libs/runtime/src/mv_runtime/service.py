"""Running a FastStream service process: structured logs, then serve until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from typing import TypeVar

from faststream import FastStream

from .logging import app_logger, configure_logging
from .settings import ServiceSettings

S = TypeVar("S", bound=ServiceSettings)


def run_service(name: str, settings: S, create_app: Callable[[S], FastStream]) -> None:
    configure_logging(name, settings.log_level, settings.log_format)
    app = create_app(settings)
    app.logger = app_logger()  # FastStream's start/stop lines in our format
    # FastStream.run installs the SIGTERM/SIGINT handlers and stops the broker cleanly.
    asyncio.run(app.run(log_level=logging.getLevelName(settings.log_level)))
