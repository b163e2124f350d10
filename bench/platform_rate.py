"""A platform test's request rate against bare k6's, same target, same machine, same run.

The figure the platform is judged by: a test posted to the gateway (``POST /load-testing``, the
fast metrics mode, every service of the stack and its metrics receiver running) keeps what share
of the request rate of ``k6 run`` of a three-line script? Both run 20 VUs, one GET, no think
time, for the same seconds, against the same loopback target; rounds alternate the two so drift
hits both alike, and the median of the rounds is taken. Two targets:

- ``go``: a tiny Go HTTP server (its own process, ``GOMAXPROCS=1``, a 2-byte answer), which also
  serves the OpenAPI document the platform analyses;
- ``python``: the demo API of the stack (``examples/demo-api``, FastAPI on uvicorn), its
  ``GET /products/{product_id}``.

Rates are k6's own (``http_reqs.rate`` of its end-of-test summary; the platform's from the
summary.json the local executor keeps), and so is k6's CPU per request (utime + stime of the k6
process, the platform's read from /proc every 0.1 s until it ends): on a machine shared with
other work the rates swing from round to round, the CPU per request much less. Per platform
round it also prints the CPU seconds the stack's own processes (services, receiver, NATS,
InfluxDB) used meanwhile, what the platform adds beside k6 on the same cores.

Needs the local stack with its admin token (``python -m mv_devstack up``):

    uv run --no-sync python bench/platform_rate.py [--vus 20] [--seconds 10] [--rounds 5]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from mv_devstack.config import StackConfig

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")

# Answers every path with "ok", and /openapi.json with the document of SPEC (env).
TARGET = """\
package main

import ("fmt"; "net"; "net/http"; "os"; "strconv"; "strings")

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil { panic(err) }
	port := strconv.Itoa(listener.Addr().(*net.TCPAddr).Port)
	spec := []byte(strings.Replace(os.Getenv("SPEC"), "__PORT__", port, 1))
	fmt.Println(port)
	os.Stdout.Sync()
	http.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/openapi.json" {
			w.Header().Set("Content-Type", "application/json")
			w.Write(spec)
			return
		}
		w.Header().Set("Content-Length", "2")
		w.Write([]byte("ok"))
	}))
}
"""
SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "bench target", "version": "1"},
    "servers": [{"url": "http://127.0.0.1:__PORT__"}],
    "paths": {
        "/bench/{id}": {
            "get": {
                "operationId": "bench",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}
                ],
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}

# The reference: what a person writes to load one URL with k6.
BARE = """\
import http from "k6/http";
export default function () {
  http.get(__ENV.TARGET);
}
"""


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (its threads included), 0 once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def stack_pids(config: StackConfig) -> dict[str, int]:
    """The stack's own processes, by their pid files."""
    found: dict[str, int] = {}
    for pid_file in sorted((config.dir / "run").glob("*.pid")):
        try:
            found[pid_file.stem] = int(pid_file.read_text().strip())
        except (OSError, ValueError):
            continue
    return found


@dataclass
class Target:
    name: str
    url: str  # what the bare script loads
    spec_url: str
    path: str
    path_params: dict[str, str]
    endpoint_id: int = 0


@dataclass
class Bench:
    config: StackConfig
    k6: str
    args: argparse.Namespace
    tmp: Path
    http: httpx.Client
    rates: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    cpu: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    stack_cpu: dict[tuple[str, str], list[float]] = field(default_factory=dict)

    def call(self, method: str, url: str, **kwargs: Any) -> Any:
        response = self.http.request(method, url, **kwargs)
        if response.status_code >= 400:
            sys.exit(f"{method} {url} answered {response.status_code}: {response.text}")
        return response.json()

    def analyse(self, target: Target) -> None:
        project = self.call("POST", "/project", json={"title": f"bench {target.name} target"})
        analysis = self.call(
            "POST", "/openapi/analyze", params={"wait": "true", "timeout": 60},
            json={"project_id": project["id"], "openapi_url": target.spec_url},
        )  # fmt: skip
        if analysis["status"] != "succeeded":
            sys.exit(f"analysis of {target.spec_url} failed: {analysis}")
        endpoints = self.call("GET", "/endpoint", params={"spec_id": analysis["spec_id"]})
        target.endpoint_id = next(
            e["id"] for e in endpoints if e["method"] == "GET" and e["path"] == target.path
        )

    def bare(self, target: Target) -> tuple[float, float]:
        """(requests per second, k6's CPU µs per request) of ``k6 run`` of the three lines."""
        summary = self.tmp / "bare-summary.json"
        command = [self.k6, "run", "--quiet", "--no-color", "--vus", str(self.args.vus),
                   "--duration", f"{self.args.seconds}s", "--summary-export", str(summary),
                   str(self.tmp / "bare.js")]  # fmt: skip
        env = {**os.environ, "TARGET": target.url, "K6_NO_USAGE_REPORT": "true"}
        # A session of its own, as the platform's k6 has (and a person's terminal gives): with the
        # kernel's autogroup scheduling a session is one scheduling group, so sharing the
        # target's would give the reference an edge no real run has.
        process = subprocess.Popen(
            command, env=env, stdout=subprocess.DEVNULL, start_new_session=True
        )
        # Wait for the exit without reaping, so /proc/<pid>/stat still holds k6's totals.
        os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
        used = cpu_seconds(process.pid)
        if process.wait() != 0:
            sys.exit("the reference k6 failed")
        reqs = json.loads(summary.read_text())["metrics"]["http_reqs"]
        return float(reqs["rate"]), used / int(reqs["count"]) * 1e6

    def platform(self, target: Target) -> tuple[float, float]:
        """The same of a platform test; k6's CPU read from /proc every 0.1 s until it ends (it
        is the test-runner's grandchild: its totals go when it exits)."""
        pids = stack_pids(self.config)
        before = {name: cpu_seconds(pid) for name, pid in pids.items()}
        scenario = {
            "name": "bench", "endpoint_id": target.endpoint_id, "executor": "constant-vus",
            "vus": self.args.vus, "duration": f"{self.args.seconds}s",
            "path_params": target.path_params, "think_time": 0,
        }  # fmt: skip
        created = self.call(
            "POST", "/load-testing", json={"title": f"bench {target.name}", "scenarios": [scenario]}
        )
        used = self.k6_cpu(self.config.k6_scripts_dir / "runs" / f"k6-{created['test_id']}")
        details = self.summary(int(created["test_history_id"]))
        for name, pid in pids.items():
            spent = cpu_seconds(pid) - before[name]
            self.stack_cpu.setdefault((target.name, name), []).append(spent)
        folder = Path(details["k6_script_file_name"]).parent
        reqs = json.loads((folder / "summary.json").read_text())["metrics"]["http_reqs"]
        return float(reqs["rate"]), used / int(reqs["count"]) * 1e6

    def k6_cpu(self, run: Path) -> float:
        """CPU seconds of the run's k6 (the child of the wrapper whose pid the runner wrote)."""
        deadline = time.monotonic() + self.args.seconds + 120
        k6 = None
        while k6 is None and time.monotonic() < deadline:
            with contextlib.suppress(OSError, ValueError):
                wrapper = int((run / "pid").read_text())
                children = Path(f"/proc/{wrapper}/task/{wrapper}/children").read_text().split()
                k6 = int(children[0]) if children else None
            time.sleep(0.05)
        used = 0.0
        while k6 is not None and time.monotonic() < deadline:
            now = cpu_seconds(k6)
            if now == 0.0 and not Path(f"/proc/{k6}").exists():
                return used
            used = max(used, now)
            time.sleep(0.1)
        sys.exit(f"no k6 of {run.name} seen ending")

    def summary(self, history_id: int) -> dict[str, Any]:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            details: dict[str, Any] = self.call("GET", f"/test-history/{history_id}/details")
            if details["figures"].get("total_requests") is not None:
                return details
            time.sleep(0.2)
        sys.exit(f"no summary of test {history_id} in time")

    def report(self, targets: list[Target]) -> None:
        print(f"{self.args.vus} VUs x {self.args.seconds}s, one GET, no think time; "
              f"median of {self.args.rounds} alternating rounds")  # fmt: skip
        print(f"{'target':<8}{'bare k6 req/s':>15}{'platform req/s':>16}{'ratio':>7}   rounds")
        for target in targets:
            bare = self.rates[(target.name, "bare")]
            platform = self.rates[(target.name, "platform")]
            ratio = statistics.median(platform) / statistics.median(bare)
            per_round = ", ".join(f"{p / b:.2f}" for b, p in zip(bare, platform, strict=True))
            print(f"{target.name:<8}{statistics.median(bare):>15.0f}"
                  f"{statistics.median(platform):>16.0f}{ratio:>7.2f}   {per_round}")  # fmt: skip
        print(f"{'target':<8}{'bare k6 µs/req':>15}{'platform µs/req':>16}{'ratio':>7}   "
              "k6's CPU per request (utime + stime)")  # fmt: skip
        for target in targets:
            bare_cpu = statistics.median(self.cpu[(target.name, "bare")])
            platform_cpu = statistics.median(self.cpu[(target.name, "platform")])
            print(f"{target.name:<8}{bare_cpu:>15.1f}{platform_cpu:>16.1f}"
                  f"{platform_cpu / bare_cpu:>7.2f}")  # fmt: skip
        for target in targets:
            used = {n: statistics.median(v) for (t, n), v in self.stack_cpu.items()
                    if t == target.name and max(v) >= 0.01}  # fmt: skip
            ranked = sorted(used.items(), key=lambda item: -item[1])
            print(f"{target.name}: the stack's CPU s per platform round (median): "
                  + ", ".join(f"{n} {s:.2f}" for n, s in ranked))  # fmt: skip


def build_target(tmp: Path) -> subprocess.Popen[str]:
    source = tmp / "target.go"
    source.write_text(TARGET)
    binary = tmp / "target"
    subprocess.run(["go", "build", "-o", str(binary), str(source)], check=True, cwd=tmp)
    return subprocess.Popen(
        [str(binary)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "GOMAXPROCS": "1", "SPEC": json.dumps(SPEC)},
        start_new_session=True,  # a server of its own, as the demo API and any real target
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vus", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--targets", default="go,python", help="go, python or both")
    args = parser.parse_args()
    config = StackConfig()
    k6 = config.k6_binary()
    if k6 is None:
        sys.exit("k6 not found: run scripts/bootstrap.sh")
    if not config.admin_token_file.exists():
        sys.exit("no stack: python -m mv_devstack up")
    with (
        tempfile.TemporaryDirectory() as scratch,
        httpx.Client(
            base_url=config.gateway_url, headers=config.admin_headers(), timeout=120
        ) as http,
    ):
        tmp = Path(scratch)
        (tmp / "bare.js").write_text(BARE)
        go = build_target(tmp)
        try:
            assert go.stdout is not None
            port = int(go.stdout.readline())
            targets = [
                Target("go", f"http://127.0.0.1:{port}/bench/1",
                       f"http://127.0.0.1:{port}/openapi.json", "/bench/{id}", {"id": "1"}),
                Target("python", f"{config.demo_url}/products/1", f"{config.demo_url}/docs",
                       "/products/{product_id}", {"product_id": "1"}),
            ]  # fmt: skip
            targets = [t for t in targets if t.name in args.targets.split(",")]
            bench = Bench(config, k6, args, tmp, http)
            for target in targets:
                bench.analyse(target)
            for round_ in range(args.rounds):
                for target in targets:
                    # Which goes first alternates too: the second of a pair runs on warmer caches.
                    order = ("bare", "platform") if round_ % 2 == 0 else ("platform", "bare")
                    for kind in order:
                        rate, cpu = (bench.bare if kind == "bare" else bench.platform)(target)
                        bench.rates.setdefault((target.name, kind), []).append(rate)
                        bench.cpu.setdefault((target.name, kind), []).append(cpu)
                        print(f"round {round_ + 1} {target.name:<6} {kind:<8} {rate:8.0f} req/s "
                              f"{cpu:6.1f} µs k6 CPU/request", flush=True)  # fmt: skip
            bench.report(targets)
        finally:
            go.terminate()
            go.wait()


if __name__ == "__main__":
    main()
