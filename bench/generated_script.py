"""What k6 pays per request for the platform's generated script, against hand-written scripts.

The same k6 command for every variant (20 VUs, one GET, no think time, no output at all, k6's
default system tags) against the Go loopback target of bench/metrics_path.py; only the script
differs:

- ``three-line``: ``http.get(__ENV.TARGET)`` in a default function, what a person writes;
- ``generated``: the test-runner's script of a one-scenario test request (``generate_script``:
  its options, thresholds, response callback and handleSummary included);
- ``hand-params``: the three-line script with constant params (a header and the two tags the
  platform puts on a request) built once at module scope, k6's idiomatic way to add them;
- ``per-request``: the same params built anew on every request (an object per call, headers
  merged with ``Object.assign``, per-request tags), what a script pays for building per call.

Rounds alternate the variants; per variant the median of k6's request rate and of its CPU per
request (utime + stime of the k6 process, read after it exited and before it is reaped).

    uv run --no-sync python -m bench.generated_script [--vus 20] [--seconds 5] [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.metrics_path import cpu_seconds
from mv_contracts.runs import TestRunRequest
from mv_devstack.config import StackConfig
from mv_devstack.loopback import build_target, start_target
from mv_test_runner.script import generate_script

THREE_LINE = """\
import http from "k6/http";
export default function () {
  http.get(__ENV.TARGET);
}
"""
HAND_PARAMS = """\
import http from "k6/http";
const TAGS = { name: "/bench/{id}", endpoint: "GET /bench/{id}" };
const PARAMS = { headers: { Accept: "*/*" }, tags: TAGS };
export default function () {
  http.get(__ENV.TARGET, PARAMS);
}
"""
PER_REQUEST = """\
import http from "k6/http";
const TAGS = { name: "/bench/{id}", endpoint: "GET /bench/{id}" };
const CALL = { headers: { Accept: "*/*" }, tags: TAGS };
export default function () {
  const params = { headers: Object.assign({}, CALL.headers, {}), tags: CALL.tags };
  http.request("GET", __ENV.TARGET, null, params);
}
"""


def generated(target: str, vus: int, seconds: int) -> str:
    request = TestRunRequest.model_validate({
        "test_id": "bench", "title": "bench", "project_id": 1, "base_url": target,
        "scenarios": [{"name": "bench", "executor": "constant-vus", "vus": vus,
                       "duration": f"{seconds}s",
                       "endpoint": {"method": "GET", "path": "/bench/{id}",
                                    "path_params": {"id": "1"}}}],
    })  # fmt: skip
    return generate_script(request).text


def run(k6: str, script: Path, target: str, args: argparse.Namespace) -> tuple[float, float]:
    """(requests per second, k6 CPU µs per request) of one run."""
    summary = script.with_suffix(".summary.json")
    command = [k6, "run", "--quiet", "--no-color", "--summary-export", str(summary)]
    if script.stem != "generated":  # the generated script brings its own scenario
        command += ["--vus", str(args.vus), "--duration", f"{args.seconds}s"]
    env = {**os.environ, "TARGET": f"{target}/bench/1", "K6_NO_USAGE_REPORT": "true"}
    process = subprocess.Popen(  # its own session: a scheduling group, as a terminal's k6 has
        [*command, str(script)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    os.waitid(os.P_PID, process.pid, os.WEXITED | os.WNOWAIT)
    used = cpu_seconds(process.pid)
    if process.wait() != 0:
        sys.exit(f"k6 failed with {script.name}")
    reqs = json.loads(summary.read_text())["metrics"]["http_reqs"]
    return float(reqs["rate"]), used / int(reqs["count"]) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vus", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    k6 = StackConfig().k6_binary()
    if k6 is None:
        sys.exit("k6 not found: run scripts/bootstrap.sh")
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        process, target = start_target(build_target(tmp))
        try:
            made = generated(target, args.vus, args.seconds)
            texts = {"three-line": THREE_LINE, "generated": made, "hand-params": HAND_PARAMS,
                     "per-request": PER_REQUEST}  # fmt: skip
            scripts = {name: tmp / f"{name}.js" for name in texts}
            for name, text in texts.items():
                scripts[name].write_text(text)
            results: dict[str, list[tuple[float, float]]] = {name: [] for name in texts}
            for _ in range(args.rounds):
                for name, script in scripts.items():
                    results[name].append(run(k6, script, target, args))
        finally:
            process.terminate()
            process.wait()
    rate0 = statistics.median(r for r, _ in results["three-line"])
    cpu0 = statistics.median(c for _, c in results["three-line"])
    print(f"k6, {args.vus} VUs x {args.seconds}s, no output; median of {args.rounds} rounds")
    print(f"{'script':<13}{'req/s':>8}{'ratio':>7}{'k6 µs/req':>11}{'ratio':>7}   rates")
    for name, runs in results.items():
        rate = statistics.median(r for r, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        print(f"{name:<13}{rate:>8.0f}{rate / rate0:>7.2f}{cpu:>11.1f}{cpu / cpu0:>7.2f}   "
              + ", ".join(f"{r:.0f}" for r, _ in runs))  # fmt: skip


if __name__ == "__main__":
    main()
