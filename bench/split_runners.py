"""Throughput of one test on 1 versus 2 local k6 runners (execution segments), on this machine.

The load is the same for both: constant VUs (split between the runners by their segments), one
GET, no think time, against the Go loopback target of bench/metrics_path.py, no k6 output (the
runners' own rate, what splitting changes). The runners start paused and are resumed together
with the test-runner's own protocol (``executors.together``); requests are k6's own counts
(``--summary-export``), summed. Rounds alternate 1 and 2 runners so drift hits both alike.

    uv run --no-sync python -m bench.split_runners [--vus 20] [--seconds 8] [--rounds 3]

Run it in a private network namespace like the tests (``unshare -n``, loopback up).

Figures (2026-12-01, k6 v2.2.0, 20 VUs x 6 s, 3 rounds, 2 cores shared with other work at load
average 1.3-3.8):

    round        1 runner               2 runners
    1            22,523 req/s 55.3 µs   24,893 req/s 59.0 µs
    2            19,440 req/s 54.8 µs   14,605 req/s 60.4 µs
    3            20,028 req/s 55.2 µs   15,979 req/s 61.2 µs
    median       20,028 req/s 55.2 µs   15,979 req/s 60.4 µs

One k6 already uses both cores (Go schedules its VUs on every core), so a second runner on the
same 2 cores adds no capacity: the rate is 0.80x (1.1x in the quietest round) and the CPU per
request about 9 % more (two processes, two of every per-process cost). Splitting pays where each
runner gets cores of its own: on Kubernetes, one runner per node (``one_runner_per_node``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bench.metrics_path import SCRIPT
from mv_devstack.config import StackConfig
from mv_devstack.loopback import build_target, start_target
from mv_test_runner.executors.segments import segment_args
from mv_test_runner.executors.together import Runner, start_together


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


async def one_round(
    k6: str, folder: Path, target: str, runners: int, vus: int, seconds: int
) -> tuple[float, float]:
    """(requests per second, k6 CPU µs per request) of one run on ``runners`` k6."""
    script = folder / "bench.js"
    script.write_text(SCRIPT)
    processes, apis = [], []
    for index in range(1, runners + 1):
        address = f"127.0.0.{index + 1}:6565"
        summary = folder / f"summary-{runners}-{index}.json"
        args = ["run", "--quiet", "--no-color", "--vus", str(vus), "--duration", f"{seconds}s"]
        args += [*segment_args(index, runners), "--summary-export", str(summary)]
        if runners > 1:
            args += ["--paused", "--address", address]
        processes.append(
            await asyncio.create_subprocess_exec(
                k6,
                *args,
                str(script),
                env={"TARGET": target, "PATH": "/usr/bin:/bin"},
                stdout=asyncio.subprocess.DEVNULL,
                stderr=asyncio.subprocess.DEVNULL,
            )
        )
        apis.append(Runner(index, f"r{index}", f"http://{address}"))

    async def ended(_runner: Runner) -> str | None:
        return None

    cpu = children_cpu()
    if runners > 1:
        await start_together(apis, ended, ready_within=30)
    started = time.monotonic()
    await asyncio.gather(*(p.wait() for p in processes))
    elapsed = time.monotonic() - started
    cpu = children_cpu() - cpu
    requests = sum(
        json.loads((folder / f"summary-{runners}-{i}.json").read_text())["metrics"]["http_reqs"][
            "count"
        ]
        for i in range(1, runners + 1)
    )
    return requests / min(elapsed, seconds + 1), cpu / requests * 1e6


async def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--vus", type=int, default=20)
    parser.add_argument("--seconds", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=3)
    options = parser.parse_args()
    k6 = StackConfig().k6_binary()
    if k6 is None:
        raise SystemExit("k6 is not installed: run scripts/bootstrap.sh")
    results: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory() as scratch:
        tmp = Path(scratch)
        target, base_url = start_target(build_target(tmp))
        try:
            url = f"{base_url}/bench/1"
            for _ in range(options.rounds):
                for runners in (1, 2):
                    figures = await one_round(k6, tmp, url, runners, options.vus, options.seconds)
                    results[runners].append(figures)
                    print(f"{runners} runner(s): {figures[0]:,.0f} req/s, {figures[1]:.1f} µs/req")
        finally:
            target.terminate()
    for runners, rounds in results.items():
        rate = statistics.median(r[0] for r in rounds)
        cpu = statistics.median(r[1] for r in rounds)
        print(f"median, {runners} runner(s): {rate:,.0f} req/s, k6 CPU {cpu:.1f} µs/request")


if __name__ == "__main__":
    asyncio.run(main())
