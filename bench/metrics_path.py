"""k6's request rate and CPU per request with each metrics path, side by side in one run.

Same load for every configuration: 20 VUs, one GET, no think time, against a tiny Go HTTP
server on loopback (``mv_devstack.loopback``: its own process, ``GOMAXPROCS=1``, fixed 2-byte
answer, keep-alive; its CPU per request is printed so one can see it is not the bottleneck).
The same ``K6_SYSTEM_TAGS`` as the test-runner's for all, ``none`` included. Configurations:

- ``none``: no output (the ceiling);
- ``influxdb``: today's output, ``-o influxdb`` with the test-runner's settings, into the real
  InfluxDB of the local stack;
- ``csv``: ``-o csv`` to a file (every sample, the raw-sample reference);
- ``prw-trend``: ``-o experimental-prometheus-rw`` with trend stats into OUR receiver
  (``python -m mv_metrics_aggregator.receiver``), which writes compact points to that InfluxDB;
- ``prw-native``: the same with native histograms;
- ``prw-platform``: what the test-runner runs in the fast mode (``Settings.k6_output``: native
  histograms, its push interval and its own, leaner ``K6_SYSTEM_TAGS``), into the same receiver.

Rounds alternate the configurations so drift hits them all alike. Per configuration the median
of the rounds: k6's req/s and CPU per request (utime + stime from ``/proc/<pid>/stat``, read
after k6 exited and before it is reaped), each against ``none`` of the same run; the CPU per
request of InfluxDB (``influxd``) and of our receiver, and the receiver's CPU per pushed series
sample. After each receiver run the requests stored in InfluxDB are compared with k6's summary.

    uv run --no-sync python bench/metrics_path.py [--vus 20] [--seconds 10] [--rounds 2]

Figures: see the README, "Metrics path" (four runs of 2026-12-01) and "Metrics modes" (the
prw-platform row, one run of 2026-12-01).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from mv_contracts.runs import MetricsMode
from mv_devstack.config import REPO_ROOT, StackConfig
from mv_devstack.loopback import build_target, start_target
from mv_devstack.scratch import own_nats
from mv_devstack.servers import InfluxDB
from mv_metrics_aggregator.receiver.compact import Compactor
from mv_metrics_aggregator.receiver.remote_write import decode
from mv_metrics_aggregator.receiver.settings import ReceiverSettings
from mv_test_runner.settings import Settings as RunnerSettings

DATABASE = "mv_bench_metrics_path"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
FIXTURES = (
    REPO_ROOT / "services/metrics-aggregator/tests/metrics_aggregator_tests/fixtures/remote_write"
)

SCRIPT = """\
import http from "k6/http";
export const options = { discardResponseBodies: true };
export default function () {
  http.get(__ENV.TARGET, { tags: { name: "/bench/{id}" } });
}
"""


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its threads included), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def influx(stack: StackConfig, query: str, db: str | None = None) -> dict[str, object]:
    data = urllib.parse.urlencode({"q": query, **({"db": db} if db else {})}).encode()
    with urllib.request.urlopen(f"{stack.influxdb_url}/query", data=data, timeout=30) as r:  # noqa: S310
        result: dict[str, object] = json.loads(r.read())
        return result


def get_json(url: str) -> dict[str, dict[str, int]]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310
        result: dict[str, dict[str, int]] = json.loads(response.read())
        return result


@dataclass
class Run:
    rate: float
    requests: int
    k6_cpu: float  # µs per request
    influx_cpu: float
    receiver_cpu: float | None = None
    receiver_per_sample: float | None = None
    receiver_per_push: float | None = None
    exact: bool | None = None


@dataclass
class Bench:
    stack: StackConfig
    k6: str
    script: Path
    target: str
    receiver: ReceiverSettings
    receiver_pid: int
    influx_pid: int
    args: argparse.Namespace
    tmp: Path
    results: dict[str, list[Run]] = field(default_factory=dict)

    def configurations(self) -> dict[str, tuple[list[str], dict[str, str]]]:
        runner = RunnerSettings(
            influxdb_host=self.stack.host, influxdb_port=self.stack.influxdb_port
        )
        influx_env = runner.influxdb_output_env()
        url = f"{self.stack.influxdb_url}/{DATABASE}"
        prw = ["-o", "experimental-prometheus-rw"]
        receiver = f"http://{self.receiver.receiver_host}:{self.receiver.receiver_port}"
        platform = runner.model_copy(update={"metrics_receiver_url": receiver})
        fast = platform.k6_output(MetricsMode.FAST)
        return {
            "none": ([], {}),
            "influxdb": (["-o", f"influxdb={url}"], influx_env),
            "csv": (["-o", f"csv={self.tmp / 'samples.csv'}"], {}),
            "prw-trend": (prw, self.receiver.k6_env()),
            "prw-native": (prw, self.receiver.k6_env(native_histograms=True)),
            "prw-platform": (list(fast.args), fast.env),
        }

    def run(self, name: str, output: list[str], env: dict[str, str]) -> Run:
        test_id = f"bench-{uuid.uuid4().hex[:8]}"
        summary = self.tmp / "summary.json"
        system_tags = RunnerSettings().k6_system_tags
        command = [self.k6, "run", "--quiet", "--no-color", "--vus", str(self.args.vus),
                   "--duration", f"{self.args.seconds}s", "--summary-export", str(summary),
                   "--tag", f"testid={test_id}", *output, str(self.script)]  # fmt: skip
        # The runner's system tags unless the configuration brings its own (prw-platform).
        full_env = {**os.environ, "K6_SYSTEM_TAGS": system_tags, **env, "TARGET": self.target,
                    "K6_NO_USAGE_REPORT": "true"}  # fmt: skip
        receiver_before = cpu_seconds(self.receiver_pid)
        received_before = get_json(self.receiver_stats)["received"]
        influx_before = cpu_seconds(self.influx_pid)
        process = subprocess.Popen(command, env=full_env, stdout=subprocess.DEVNULL)
        # Wait for the exit without reaping, so /proc/<pid>/stat still holds k6's totals.
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        k6_cpu = cpu_seconds(process.pid)
        if process.wait() != 0:
            sys.exit(f"k6 failed in {name}")
        reqs = json.loads(summary.read_text())["metrics"]["http_reqs"]
        count = int(reqs["count"])
        run = Run(float(reqs["rate"]), count, k6_cpu / count * 1e6, 0.0)
        if name.startswith("prw"):
            self.wait_written()
            stats = get_json(self.receiver_stats)["received"]
            receiver_cpu = cpu_seconds(self.receiver_pid) - receiver_before
            run.receiver_cpu = receiver_cpu / count * 1e6
            run.receiver_per_sample = receiver_cpu / (stats["series"] - received_before["series"])
            run.receiver_per_sample *= 1e6
            run.receiver_per_push = (
                receiver_cpu / (stats["pushes"] - received_before["pushes"]) * 1e6
            )
            run.exact = self.stored_requests(test_id) == count
        time.sleep(1)  # InfluxDB's own flush of what it was sent (influxdb output)
        if name == "influxdb":
            run.exact = self.stored_requests(test_id, raw=True) == count
        run.influx_cpu = (cpu_seconds(self.influx_pid) - influx_before) / count * 1e6
        return run

    @property
    def receiver_stats(self) -> str:
        return f"http://{self.receiver.receiver_host}:{self.receiver.receiver_port}/stats"

    def wait_written(self) -> None:
        deadline = time.monotonic() + 30
        while get_json(self.receiver_stats)["pending"] and time.monotonic() < deadline:
            time.sleep(0.1)

    def stored_requests(self, test_id: str, *, raw: bool = False) -> int:
        what = "COUNT(value) FROM http_reqs" if raw else "SUM(requests) FROM mv_requests"
        body = influx(self.stack, f"SELECT {what} WHERE testid = '{test_id}'", DATABASE)
        series = body["results"][0].get("series")  # type: ignore[index]
        return int(series[0]["values"][0][1]) if series else 0

    def report(self) -> None:
        base = self.results["none"]
        rate0 = statistics.median(r.rate for r in base)
        cpu0 = statistics.median(r.k6_cpu for r in base)
        print(f"k6 {self.args.vus} VUs x {self.args.seconds}s, median of {self.args.rounds} rounds")
        print(f"{'output':<12}{'req/s':>8}{'vs none':>8}{'k6 us/req':>10}{'vs none':>8}"
              f"{'influxd':>9}{'receiver':>9}{'/sample':>8}{'/push':>7}"
              "  stored=k6  rounds")  # fmt: skip
        for name, runs in self.results.items():
            rate = statistics.median(r.rate for r in runs)
            cpu = statistics.median(r.k6_cpu for r in runs)
            influx_cpu = statistics.median(r.influx_cpu for r in runs)
            receiver = [r.receiver_cpu for r in runs if r.receiver_cpu is not None]
            per_sample = [r.receiver_per_sample for r in runs if r.receiver_per_sample is not None]
            per_push = [r.receiver_per_push for r in runs if r.receiver_per_push is not None]
            exact = {r.exact for r in runs} - {None}
            print(
                f"{name:<12}{rate:>8.0f}{rate / rate0:>8.2f}{cpu:>10.1f}{cpu / cpu0:>8.2f}"
                f"{influx_cpu:>9.1f}"
                f"{statistics.median(receiver) if receiver else float('nan'):>9.1f}"
                f"{statistics.median(per_sample) if per_sample else float('nan'):>8.0f}"
                f"{statistics.median(per_push) if per_push else float('nan'):>7.0f}"
                f"  {'-' if not exact else 'yes' if exact == {True} else 'NO':<9}  "
                + ", ".join(f"{r.rate:.0f}" for r in runs)
            )
        print(
            "CPU µs per request of k6, influxd and the receiver; the receiver's CPU µs per pushed"
        )
        print("series sample and per push; stored=k6: requests in InfluxDB = k6's summary count")


def decode_cost() -> None:
    """The receiver's work per push in this process: protobuf (upb) decoding, then compaction."""
    bodies = [path.read_bytes() for path in sorted(FIXTURES.glob("trend-*.bin"))]
    messages = [decode(body) for body in bodies]
    series = sum(len(m.timeseries) for m in messages) / len(messages)
    rounds = 500
    start = time.process_time()
    for _ in range(rounds):
        for body in bodies:
            decode(body)
    decoding = (time.process_time() - start) / (rounds * len(bodies)) * 1e6
    start = time.process_time()
    for _ in range(rounds):
        compactor = Compactor()
        for message in messages:
            compactor.lines(message)
    compacting = (time.process_time() - start) / (rounds * len(bodies)) * 1e6
    print(f"receiver in process, captured k6 pushes of {series:.0f} series: decode "
          f"{decoding:.0f} µs/push (snappy+protobuf), "
          f"compact {compacting:.0f} µs/push")  # fmt: skip


def start_receiver(
    stack: StackConfig, settings: ReceiverSettings, nats_url: str
) -> subprocess.Popen[bytes]:
    env = {**os.environ, "NATS_URL": nats_url, "INFLUXDB_HOST": stack.host,
           "INFLUXDB_PORT": str(stack.influxdb_port), "INFLUXDB_DATABASE": DATABASE,
           "RECEIVER_HOST": settings.receiver_host, "RECEIVER_PORT": str(settings.receiver_port),
           "LOG_LEVEL": "WARNING"}  # fmt: skip
    process = subprocess.Popen([sys.executable, "-m", "mv_metrics_aggregator.receiver"], env=env)
    deadline = time.monotonic() + 30
    while True:
        try:
            stats = get_json(f"http://{settings.receiver_host}:{settings.receiver_port}/stats")
            if stats.get("jetstream", {}).get("restored", True):  # its durable buffer is ready
                return process
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            sys.exit("the receiver did not start")
        time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vus", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--receiver-port", type=int, default=19091)
    args = parser.parse_args()
    stack = StackConfig()
    k6 = stack.k6_binary()
    if k6 is None:
        sys.exit("k6 not found: run scripts/bootstrap.sh")
    influx_pid = InfluxDB(stack).process.pid()
    if influx_pid is None:
        sys.exit("InfluxDB of the stack is not running: python -m mv_devstack up --servers-only")
    influx(stack, f'CREATE DATABASE "{DATABASE}"')
    settings = ReceiverSettings(receiver_host=stack.host, receiver_port=args.receiver_port)
    # A NATS of its own: a receiver of `make run` on the stack's would share the durable consumer
    # and take some of the pushes.
    with tempfile.TemporaryDirectory() as scratch, own_nats(stack, Path(scratch) / "n") as nats:
        tmp = Path(scratch)
        target, target_url = start_target(build_target(tmp))
        receiver = start_receiver(stack, settings, nats.nats_url)
        try:
            script = tmp / "bench.js"
            script.write_text(SCRIPT)
            bench = Bench(stack, k6, script, f"{target_url}/bench/1", settings,
                          receiver.pid, influx_pid, args, tmp)  # fmt: skip
            configurations = bench.configurations()
            bench.results = {name: [] for name in configurations}
            target_before = cpu_seconds(target.pid)
            for _ in range(args.rounds):
                for name, (output, env) in configurations.items():
                    bench.results[name].append(bench.run(name, output, env))
                    (tmp / "samples.csv").unlink(missing_ok=True)
            requests = sum(r.requests for runs in bench.results.values() for r in runs)
            bench.report()
            target_cpu = (cpu_seconds(target.pid) - target_before) / requests * 1e6
            print(f"target (Go, GOMAXPROCS=1): {target_cpu:.1f} µs CPU per request")
            decode_cost()
        finally:
            for process in (receiver, target):
                process.terminate()
                process.wait()
            influx(stack, f'DROP DATABASE "{DATABASE}"')


if __name__ == "__main__":
    main()
