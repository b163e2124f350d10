"""k6's achieved request rate with the InfluxDB output versus without it, in the same run.

A tiny asyncio HTTP server (its own process, fixed 2-byte answer, keep-alive) is the target on
loopback; k6 (constant-vus) hammers it for a few seconds per configuration:

- ``none``: no output at all (the ceiling);
- ``k6-defaults``: ``-o influxdb`` with k6's default settings (all system tags as tags);
- ``ours``: ``-o influxdb`` with the test-runner's settings (``Settings.influxdb_output_env``);
- a few variants of push interval / concurrent writes / system tags, to choose ours from.

Rounds alternate the configurations so drift hits them all alike; the median rate per
configuration and its ratio to ``none`` are printed, and k6's own CPU time per request (user +
system, from the child's rusage), which a busy shared machine disturbs much less than the rate.
Samples go to a scratch database that is dropped afterwards.

    uv run --no-sync python bench/k6_output.py [--vus 20] [--seconds 5] [--rounds 2] [--only ...]

Figures (2026-11-22, k6 v2.2.0, InfluxDB 1.6, 2 shared cores at load average 6-11, 20 VUs x 4 s):

    run                       req/s vs none    k6 CPU us/req vs none
    6 rounds: k6-defaults         0.57              2.00
              ours                0.64              1.60
              ours+push5s         0.83              1.63
    3 rounds: k6-defaults         0.47              2.24
              ours                0.61              1.76
              ours+writes1/8      0.57 / 0.84       1.85 / 2.24

The request rate swings 2-5x between identical runs on this busy machine, so only the CPU cost
per request is read: the InfluxDB output roughly doubles it; keeping only the system tags the
aggregator and people use (status, method, name, scenario, expected_response, error_code) saves
about a fifth of that; a longer push interval or other concurrent-write counts change nothing
measurable. Chosen: push every 1 s (live snapshots every 5 s need fresh points), 4 concurrent
writes (k6's default), reduced system tags, vu/iter/url stored as fields, not tags.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from mv_devstack.config import StackConfig
from mv_test_runner.settings import Settings

DATABASE = "mv_bench_k6_output"

SERVER = r"""
import asyncio, sys
RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"
class Echo(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport, self.buffer = transport, b""
    def data_received(self, data):
        self.buffer += data
        while b"\r\n\r\n" in self.buffer:
            _, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
            self.transport.write(RESPONSE)
async def main():
    server = await asyncio.get_running_loop().create_server(Echo, "127.0.0.1", int(sys.argv[1]))
    print("ready", flush=True)
    await server.serve_forever()
asyncio.run(main())
"""

SCRIPT = """\
import http from "k6/http";
export const options = { discardResponseBodies: true };
export default function () {
  http.get(__ENV.TARGET, { tags: { name: "/bench/{id}", endpoint: "GET /bench/{id}" } });
}
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def influx_query(stack: StackConfig, query: str) -> None:
    data = urllib.parse.urlencode({"q": query}).encode()
    urllib.request.urlopen(f"{stack.influxdb_url}/query", data=data, timeout=30).read()  # noqa: S310


def configurations(stack: StackConfig) -> dict[str, dict[str, str] | None]:
    ours = Settings(influxdb_host=stack.host, influxdb_port=stack.influxdb_port)
    env = ours.influxdb_output_env()
    return {
        "none": None,
        "k6-defaults": {},
        "ours": env,
        "ours+push2s": env | {"K6_INFLUXDB_PUSH_INTERVAL": "2s"},
        "ours+push5s": env | {"K6_INFLUXDB_PUSH_INTERVAL": "5s"},
        "ours+writes1": env | {"K6_INFLUXDB_CONCURRENT_WRITES": "1"},
        "ours+writes8": env | {"K6_INFLUXDB_CONCURRENT_WRITES": "8"},
        "all-system-tags": {k: v for k, v in env.items() if k != "K6_SYSTEM_TAGS"},
    }


def run_k6(
    k6: str,
    script: Path,
    target: str,
    output: str | None,
    env: dict[str, str] | None,
    args: argparse.Namespace,
) -> tuple[float, float]:
    """(requests per second, k6 CPU microseconds per request)."""
    summary = script.with_suffix(".summary.json")
    command = [k6, "run", "--quiet", "--no-color", "--vus", str(args.vus),
               "--duration", f"{args.seconds}s", "--summary-export", str(summary),
               "--tag", "testid=bench"]  # fmt: skip
    if env is not None and output:
        command += ["-o", output]
    full_env = {**os.environ, **(env or {}), "TARGET": target}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run([*command, str(script)], env=full_env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    requests = json.loads(summary.read_text())["metrics"]["http_reqs"]
    return float(requests["rate"]), cpu / float(requests["count"]) * 1e6


def report(
    rates: dict[str, list[float]], cpus: dict[str, list[float]], args: argparse.Namespace
) -> None:
    ceiling, floor = statistics.median(rates["none"]), statistics.median(cpus["none"])
    print(f"k6 {args.vus} VUs x {args.seconds}s, median of {args.rounds} rounds, loopback target")
    print(
        f"{'configuration':<22}{'req/s':>7}{'vs none':>9}{'CPU us/req':>12}{'vs none':>9}   req/s"
    )
    for name, values in rates.items():
        rate, cpu = statistics.median(values), statistics.median(cpus[name])
        runs = ", ".join(f"{v:.0f}" for v in values)
        print(
            f"{name:<22}{rate:>7.0f}{rate / ceiling:>9.2f}{cpu:>12.0f}{cpu / floor:>9.2f}   {runs}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vus", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="configurations to run (none is always run)")
    args = parser.parse_args()
    stack = StackConfig()
    k6 = stack.k6_binary()
    if k6 is None:
        sys.exit("k6 not found: run scripts/bootstrap.sh")
    influx_query(stack, f'CREATE DATABASE "{DATABASE}"')
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, str(port)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        server.stdout.readline()
        target = f"http://127.0.0.1:{port}/bench/1"
        output = f"influxdb={stack.influxdb_url}/{DATABASE}"
        chosen = {
            name: env
            for name, env in configurations(stack).items()
            if name == "none" or not args.only or name in args.only
        }
        rates: dict[str, list[float]] = {name: [] for name in chosen}
        cpus: dict[str, list[float]] = {name: [] for name in chosen}
        with tempfile.TemporaryDirectory() as tmp:
            script = Path(tmp) / "bench.js"
            script.write_text(SCRIPT)
            for _ in range(args.rounds):
                for name, env in chosen.items():
                    rate, cpu = run_k6(k6, script, target, output, env, args)
                    rates[name].append(rate)
                    cpus[name].append(cpu)
                    time.sleep(1)
        report(rates, cpus, args)
    finally:
        server.terminate()
        server.wait()
        influx_query(stack, f'DROP DATABASE "{DATABASE}"')


if __name__ == "__main__":
    main()
