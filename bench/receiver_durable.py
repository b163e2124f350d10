"""What the durable receiver costs per push: each push stored on JetStream before k6 is answered,
then written to InfluxDB (the receiver's one write path).

Each round starts ``python -m mv_metrics_aggregator.receiver`` against the local
stack's NATS and InfluxDB, and posts pushes k6 v2.2.0 really sent (``fixtures/remote_write``,
native histograms, one k6 run of two scenarios) one after another on one keep-alive connection,
as one k6 runner does, cycled over ``--tests`` test ids, through a NATS server of its own (a
receiver of ``make run`` must not take the pushes). After the last push it waits until
everything is in InfluxDB (``/stats`` pending 0), then reads the CPU time (utime + stime,
``/proc``) the receiver, ``nats-server`` and ``influxd`` spent, per push and per request the
pushes carried, and the wall time a push waited for its answer.

    uv run --no-sync python bench/receiver_durable.py [--pushes 2000] [--rounds 2] [--tests 10]

Figures: see the README, "Metrics path" (durable receiver).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

import nats
from nats.js.errors import NotFoundError

from mv_contracts.subjects import POINTS_STREAM_NAME
from mv_devstack.config import REPO_ROOT, StackConfig
from mv_devstack.scratch import own_nats
from mv_devstack.servers import InfluxDB, NatsServer
from mv_metrics_aggregator.receiver.compact import Compactor
from mv_metrics_aggregator.receiver.remote_write import decode, encode

DATABASE = "mv_bench_receiver_durable"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FIXTURES = (
    REPO_ROOT / "services/metrics-aggregator/tests/metrics_aggregator_tests/fixtures/remote_write"
)


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def get_json(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        body: dict[str, Any] = json.loads(response.read())
        return body


def influx(stack: StackConfig, query: str) -> None:
    data = urllib.parse.urlencode({"q": query}).encode()
    urllib.request.urlopen(f"{stack.influxdb_url}/query", data=data, timeout=30).close()  # noqa: S310


async def delete_stream(url: str) -> None:
    nc = await nats.connect(url)
    with contextlib.suppress(NotFoundError):
        await nc.jetstream().delete_stream(POINTS_STREAM_NAME)
    await nc.close()


async def stream_bytes_per_push(url: str) -> float:
    nc = await nats.connect(url)
    info = await nc.jetstream().stream_info(POINTS_STREAM_NAME)
    await nc.close()
    return info.state.bytes / max(info.state.messages, 1)


def bodies(tests: int) -> tuple[list[bytes], float]:
    """The pushes, cycled over ``tests`` ids, and the requests a push carries on average."""
    files = sorted(FIXTURES.glob("native-*.bin"))
    out, requests = [], 0
    compactor = Compactor()
    for index in range(tests):
        for path in files:
            request = decode(path.read_bytes())
            for series in request.timeseries:
                for label in series.labels:
                    if label.name == "testid":
                        label.value = f"bench-{index}"
            out.append(encode(request))
            for line in compactor.lines(request):
                if line.startswith("mv_requests,"):
                    requests += int(line.split("requests=", 1)[1].split("i", 1)[0])
    return out, requests / len(out)


def start(stack: StackConfig, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NATS_URL": stack.nats_url, "INFLUXDB_HOST": stack.host,
           "INFLUXDB_PORT": str(stack.influxdb_port), "INFLUXDB_DATABASE": DATABASE,
           "RECEIVER_HOST": stack.host, "RECEIVER_PORT": str(port),
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "mv_metrics_aggregator.receiver"], env=env)
    deadline = time.monotonic() + 30
    while True:
        try:
            stats = get_json(f"http://{stack.host}:{port}/stats")
            if stats["jetstream"]["restored"]:
                return process
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            sys.exit("the receiver did not start")
        time.sleep(0.2)


def run(stack: StackConfig, pushes: list[bytes], args: argparse.Namespace) -> dict[str, float]:
    process = start(stack, args.port)
    pids = {"receiver": process.pid, "nats-server": NatsServer(stack).process.pid(),
            "influxd": InfluxDB(StackConfig()).process.pid()}  # fmt: skip
    connection = http.client.HTTPConnection(stack.host, args.port)
    headers = {"Content-Encoding": "snappy", "Content-Type": "application/x-protobuf"}

    def post(body: bytes) -> None:
        connection.request("POST", "/api/v1/write", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        if response.status != 204:
            sys.exit(f"push answered {response.status}")

    try:
        for body in pushes[: len(pushes) // 10]:  # warm up
            post(body)
        before = {name: cpu_seconds(pid) for name, pid in pids.items() if pid}
        started = time.perf_counter()
        for i in range(args.pushes):
            post(pushes[i % len(pushes)])
        posting = time.perf_counter() - started
        deadline = time.monotonic() + 60
        while get_json(f"http://{stack.host}:{args.port}/stats")["pending"]:
            if time.monotonic() > deadline:
                sys.exit("not written within 60 s")
            time.sleep(0.05)
        result = {
            f"{name} µs/push": (cpu_seconds(pid) - before[name]) / args.pushes * 1e6
            for name, pid in pids.items()
            if pid
        }
        result["answer µs"] = posting / args.pushes * 1e6
        result["stream B/push"] = asyncio.run(stream_bytes_per_push(stack.nats_url))
        return result
    finally:
        connection.close()
        process.terminate()
        process.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pushes", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--tests", type=int, default=10)
    parser.add_argument("--port", type=int, default=19092)
    args = parser.parse_args()
    if InfluxDB(StackConfig()).process.pid() is None:
        sys.exit("InfluxDB of the stack is not running: python -m mv_devstack up --servers-only")
    pushes, per_push = bodies(args.tests)
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory() as scratch, own_nats(StackConfig(), Path(scratch)) as stack:
        influx(stack, f'CREATE DATABASE "{DATABASE}"')
        try:
            for _ in range(args.rounds):
                asyncio.run(delete_stream(stack.nats_url))
                results.append(run(stack, pushes, args))
        finally:
            influx(stack, f'DROP DATABASE "{DATABASE}"')
    print(f"{args.pushes} pushes x {args.rounds} rounds, {args.tests} tests, {per_push:.0f} "
          "requests per push (k6's native-histogram fixtures); median per push")  # fmt: skip
    keys = list(results[0])
    print("".join(f"{k:>22}" for k in keys) + f"{'receiver ns/request':>22}")
    medians = {k: statistics.median(r[k] for r in results) for k in keys}
    per_request = medians["receiver µs/push"] / per_push * 1e3
    print("".join(f"{medians[k]:>22.0f}" for k in keys) + f"{per_request:>22.0f}")


if __name__ == "__main__":
    main()
