"""A 30 MiB JSON body sent to a real gateway process, anonymous and then signed in.

Starts ``python -m mv_gateway`` (SQLite, no NATS needed for ``/healthz``), and for each case
sends the body over a raw socket while reading the answer (as curl does), with a health check
every 50 ms alongside. Prints the time to the answer, its status, the slowest health check and
the gateway's memory growth (peak resident memory over its resident memory before).

    uv run --no-sync python bench/gateway_edges.py
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from mv_gateway.auth.tokens import TOKEN_PREFIX, new_secret

MIB = 1024 * 1024
TOKEN = new_secret(TOKEN_PREFIX)  # registered as the admin token of the gateway started here


def _memory_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _send(port: int, head: bytes, body: bytes) -> tuple[int, float]:
    loop = asyncio.get_running_loop()
    with socket.create_connection(("127.0.0.1", port)) as connection:
        connection.setblocking(False)
        started = time.monotonic()

        async def send() -> None:
            with contextlib.suppress(OSError):
                await loop.sock_sendall(connection, head + body)

        sending = asyncio.create_task(send())
        answer = b""
        with contextlib.suppress(OSError):
            while not answer.count(b"\r\n") and (chunk := await loop.sock_recv(connection, 4096)):
                answer += chunk
        seconds = time.monotonic() - started
        sending.cancel()
    return int(answer.split()[1]) if answer else 0, seconds


async def _case(port: int, pid: int, body: bytes, signed: bool) -> None:
    headers = [
        "POST /project HTTP/1.1",
        "Host: gateway",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
    ]
    if signed:
        headers.append(f"Authorization: Bearer {TOKEN}")
    head = ("\r\n".join(headers) + "\r\n\r\n").encode()
    latencies: list[float] = []

    async def health(http: httpx.AsyncClient) -> None:
        while True:
            started = time.monotonic()
            await http.get("/healthz")
            latencies.append(time.monotonic() - started)
            await asyncio.sleep(0.05)

    before = _memory_kib(pid, "VmRSS")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
        checking = asyncio.create_task(health(http))
        await asyncio.sleep(0.5)
        status, seconds = await _send(port, head, body)
        await asyncio.sleep(1)
        checking.cancel()
    grown = (_memory_kib(pid, "VmHWM") - before) / 1024
    who = "signed in" if signed else "anonymous"
    print(
        f"{who:>9}: {status} after {seconds:.2f} s; slowest health check {max(latencies):.3f} s;"
        f" memory +{grown:.0f} MB (peak over before)"
    )


async def main() -> None:
    body = b"[" + b"1," * (15 * MIB) + b"1]"  # 30 MiB
    folder = Path(tempfile.mkdtemp(prefix="mv-bench-edges-"))
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{folder / 'gateway.db'}",
        "GATEWAY_PORT": str(port),
        "GATEWAY_ADMIN_TOKEN": TOKEN,
        "NATS_URL": f"nats://127.0.0.1:{_free_port()}",  # none: /healthz does not need it
        "LOG_LEVEL": "WARNING",
    }
    log = (folder / "gateway.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "mv_gateway", env=env, stdout=log, stderr=subprocess.STDOUT
    )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as http:
            for _ in range(1200):
                with contextlib.suppress(httpx.TransportError):
                    if (await http.get("/healthz")).status_code == 200:
                        break
                await asyncio.sleep(0.1)
        print(f"30 MiB JSON array to POST /project, gateway pid {process.pid}")
        await _case(port, process.pid, body, signed=False)
        await _case(port, process.pid, body, signed=True)
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
        log.close()


if __name__ == "__main__":
    asyncio.run(main())
