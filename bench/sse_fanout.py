"""Live fan-out under load: N concurrent SSE clients on one running test.

A real gateway process (uvicorn) on the stack's NATS, signed in as every stream must be: an
admin API token of its own (``GATEWAY_ADMIN_TOKEN``), sent by every client, with room for all
the streams on that one credential (``MAX_STREAMS_PER_CREDENTIAL``). A publisher sends live
snapshots on core NATS every second (the fast mode's cadence), each stamped with its publication
time; N raw-socket SSE clients record when each one arrives. Prints delivery lag p50/p99/max
and the gateway's CPU time and peak memory, for 1 client (the reference) and for N clients, and
the ratio between them.

    uv run --no-sync python bench/sse_fanout.py            # 1 and 1000 clients
    uv run --no-sync python bench/sse_fanout.py --clients 200 --snapshots 40
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
from faststream.nats import NatsBroker

from mv_contracts.metrics import LiveFigures, LiveSnapshot, LiveSnapshotEvent
from mv_contracts.subjects import LIVE_METRICS
from mv_devstack.config import StackConfig
from mv_devstack.servers import NatsServer
from mv_devstack.workers import free_port
from mv_runtime.bus import Bus

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
# The gateway's admin token for this run (mv_gateway.auth.tokens' prefix), made afresh each run.
TOKEN = "mvt_" + secrets.token_urlsafe(32)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


async def sse_client(
    host: str, port: int, test_id: str, lags: list[float], ready: asyncio.Event, done: int
) -> None:
    """A minimal SSE reader: one signed-in request, then one lag per data line."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(
        f"GET /sse/k6-data?test_id={test_id}&include=k6_only HTTP/1.1\r\nHost: {host}\r\n"
        f"Authorization: Bearer {TOKEN}\r\nAccept: text/event-stream\r\n\r\n".encode()
    )
    await writer.drain()
    status = await reader.readline()
    if not status.startswith(b"HTTP/1.1 200"):
        raise SystemExit(f"the stream was refused: {status.decode(errors='replace').strip()}")
    ready.set()
    seen = 0
    while seen < done:
        line = await reader.readline()
        if not line:
            break
        if line.startswith(b"data: "):
            message = json.loads(line[6:])
            if message["kind"] == "k6":
                sent = datetime.fromisoformat(message["k6"]["at"])
                lags.append((datetime.now(UTC) - sent).total_seconds() * 1000)
                seen += 1
    writer.close()


async def measure(
    config: StackConfig, gateway_port: int, pid: int, clients: int, snapshots: int, every: float
) -> dict[str, float]:
    test_id = f"bench-{uuid4().hex[:8]}"
    lags: list[float] = []
    readies = [asyncio.Event() for _ in range(clients)]
    readers = [
        asyncio.create_task(sse_client(config.host, gateway_port, test_id, lags, r, snapshots))
        for r in readies
    ]
    await asyncio.wait_for(asyncio.gather(*(r.wait() for r in readies)), 120)
    await asyncio.sleep(0.5)
    broker = NatsBroker(config.nats_url)
    cpu_before = cpu_seconds(pid)
    own_before = cpu_seconds(os.getpid())
    started = time.perf_counter()
    async with broker:
        await broker.connect()
        bus = Bus(broker)
        for n in range(snapshots):
            figures = LiveFigures(tps=n, requests_total=n, failed_total=0, error_rate=0)
            snapshot = LiveSnapshot(
                test_id=test_id, at=datetime.now(UTC), window_seconds=every, overall=figures
            )
            event = LiveSnapshotEvent(correlation_id=test_id, payload=snapshot)
            await bus.publish(LIVE_METRICS, event, test_id=test_id)
            await asyncio.sleep(every)
        await asyncio.wait_for(asyncio.gather(*readers), 120)
    elapsed = time.perf_counter() - started
    lags.sort()
    return {
        "clients": clients,
        "delivered": len(lags),
        "expected": clients * snapshots,
        "p50_ms": statistics.median(lags),
        "p99_ms": lags[int(len(lags) * 0.99) - 1] if len(lags) > 1 else lags[0],
        "max_ms": lags[-1],
        "gateway_cpu_s": cpu_seconds(pid) - cpu_before,
        "gateway_cpu_pct": 100 * (cpu_seconds(pid) - cpu_before) / elapsed,
        "gateway_peak_rss_mb": peak_rss_mb(pid),
        "clients_cpu_s": cpu_seconds(os.getpid()) - own_before,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--snapshots", type=int, default=20)
    parser.add_argument("--every", type=float, default=1.0, help="seconds between snapshots")
    args = parser.parse_args()

    config = StackConfig()
    NatsServer(config).start()
    port = free_port(config.host, 31000, 32000)
    with tempfile.TemporaryDirectory() as scratch:
        env = {
            **os.environ,
            "NATS_URL": config.nats_url,
            "DATABASE_URL": f"sqlite+aiosqlite:///{scratch}/bench.db",
            "GATEWAY_HOST": config.host,
            "GATEWAY_PORT": str(port),
            "LOG_LEVEL": "WARNING",
            "GATEWAY_ADMIN_USERNAME": "admin",
            "GATEWAY_ADMIN_PASSWORD": secrets.token_urlsafe(18),
            "GATEWAY_ADMIN_TOKEN": TOKEN,
            "MAX_STREAMS_PER_CREDENTIAL": str(args.clients + 10),
        }
        gateway = await asyncio.create_subprocess_exec(sys.executable, "-m", "mv_gateway", env=env)
        try:
            headers = {"Authorization": f"Bearer {TOKEN}"}
            async with httpx.AsyncClient(timeout=2, headers=headers) as http:
                for _ in range(300):
                    try:
                        health = (await http.get(f"http://{config.host}:{port}/")).json()
                        if health["components"]["nats"]["reachable"]:
                            break
                    except (httpx.HTTPError, ValueError):
                        pass
                    await asyncio.sleep(0.2)
                else:
                    raise SystemExit("the gateway did not come up within 60 s")
            rows = [
                await measure(config, port, gateway.pid, n, args.snapshots, args.every)
                for n in (1, args.clients)
            ]
        finally:
            gateway.terminate()
            await gateway.wait()

    print(f"SSE fan-out: {args.snapshots} snapshots every {args.every}s, one gateway process")
    print(f"{'clients':>8}{'delivered':>12}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}"
          f"{'gw CPU s':>10}{'gw CPU %':>10}{'gw RSS MB':>11}{'clients CPU s':>15}")  # fmt: skip
    for r in rows:
        print(
            f"{r['clients']:>8.0f}{r['delivered']:>7.0f}/{r['expected']:<5.0f}"
            f"{r['p50_ms']:>8.1f}{r['p99_ms']:>9.1f}{r['max_ms']:>9.1f}"
            f"{r['gateway_cpu_s']:>10.2f}{r['gateway_cpu_pct']:>10.1f}{r['gateway_peak_rss_mb']:>11.1f}"
            f"{r['clients_cpu_s']:>15.2f}"
        )
    reference, loaded = rows
    print(
        f"ratio {args.clients}/1 clients: p50 x{loaded['p50_ms'] / reference['p50_ms']:.1f}, "
        f"p99 x{loaded['p99_ms'] / reference['p99_ms']:.1f}, "
        f"gateway CPU x{loaded['gateway_cpu_s'] / max(reference['gateway_cpu_s'], 0.01):.1f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
