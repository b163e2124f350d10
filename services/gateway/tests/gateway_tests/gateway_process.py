"""The gateway as its own process (``python -m mv_gateway``) on a free loopback port: for the
tests of what a client can do to the server itself (its event loop, its connections)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

from mv_devstack.config import StackConfig
from mv_devstack.workers import free_port
from mv_gateway.auth.tokens import TOKEN_PREFIX, new_secret


@dataclass(frozen=True)
class GatewayProcess:
    host: str
    port: int
    token: str  # an admin API token
    pid: int

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@asynccontextmanager
async def gateway_process(
    stack: StackConfig, folder: Path, **settings: str
) -> AsyncIterator[GatewayProcess]:
    """Yields once ``GET /healthz`` answers; ``settings`` are environment variables."""
    port = free_port(stack.host, 29000, 30000)
    token = new_secret(TOKEN_PREFIX)
    env = {
        **os.environ,
        **stack.service_environment(),
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'gateway.db'}",
        "GATEWAY_PORT": str(port),
        "GATEWAY_ADMIN_TOKEN": token,
        "LOG_FORMAT": "console",
        **settings,
    }
    log = (folder / "gateway.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mv_gateway", env=env, stdout=log, stderr=subprocess.STDOUT
    )
    gateway = GatewayProcess(stack.host, port, token, process.pid)
    try:
        async with httpx.AsyncClient(base_url=gateway.base, timeout=5) as http:
            for _ in range(1200):  # imports alone take seconds on a busy machine
                assert process.returncode is None, (folder / "gateway.log").read_text()
                try:
                    if (await http.get("/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                await asyncio.sleep(0.1)
            else:
                raise AssertionError("the gateway process did not start")
        yield gateway
    finally:
        if process.returncode is None:  # a test may have killed it
            with contextlib.suppress(ProcessLookupError):
                process.terminate()
        await asyncio.wait_for(process.wait(), 30)
        log.close()


def rss_kib(pid: int) -> int:
    """The resident memory of a process, in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError(f"no VmRSS for {pid}")
