"""The whole gateway (lifespan, bus, GatewayServer) on a free loopback port, over a database of
either backend: for tests that must see what a client sees between two requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from fastapi import FastAPI
from pydantic import SecretStr

from gateway_tests.conftest import until_serving
from mv_devstack.config import StackConfig
from mv_devstack.workers import free_port
from mv_gateway.app import create_app
from mv_gateway.auth.tokens import TOKEN_PREFIX, new_secret
from mv_gateway.core.settings import Settings
from mv_gateway.server import GatewayServer

# Registered as an admin API token by every gateway served here (see signed_in).
ADMIN_TOKEN = new_secret(TOKEN_PREFIX)


def signed_in(base: str, timeout: float = 10) -> httpx.AsyncClient:
    """A client of a gateway served here, sending its admin token."""
    return httpx.AsyncClient(
        base_url=base, timeout=timeout, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"}
    )


@asynccontextmanager
async def serve_gateway(
    stack: StackConfig, database_url: str, **settings: Any
) -> AsyncIterator[tuple[str, FastAPI]]:
    """Yields the base URL and the app once ``GET /healthz`` answers."""
    port = free_port(stack.host, 29000, 30000)
    values: dict[str, Any] = {
        "database_url": database_url,
        "nats_url": stack.nats_url,
        "influxdb_host": stack.host,
        "influxdb_port": stack.influxdb_port,
        "gateway_port": port,
        "gateway_admin_token": SecretStr(ADMIN_TOKEN),
        **settings,
    }
    app = create_app(Settings(**values))
    server = GatewayServer(app, app.state.settings)
    serving = asyncio.create_task(server.serve())
    base = f"http://{stack.host}:{port}"
    try:
        await until_serving(server, base, "/healthz")
        yield base, app
    finally:
        server.should_exit = True
        await asyncio.wait_for(serving, 30)
