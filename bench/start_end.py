"""How quickly a test starts and ends, step by step: from ``POST /load-testing`` to k6's first
request, and from k6's last request to the stored summary, for one k6 runner and for a test split
over two (started paused, resumed together), in the fast metrics mode, through the whole stack.

The target is a Go server on loopback that notes the wall-clock time of the first and the last
request it answered (``/stats``); the stack's steps are read from what each one leaves: the
run's ``script.js`` written (the script generated), each runner's ``pid`` written (k6 spawned),
its ``exit_code`` written (k6 ended, after its handleSummary), and a signed-in SSE stream opened
before the POST: the first live figure, the ``end`` event and the ``summary`` event (sent once
the gateway stored it). Script generation alone is also timed in this process.

Needs the local stack with its admin token (``python -m mv_devstack up``):

    uv run --no-sync python bench/start_end.py [--rounds 3] [--seconds 4]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench.platform_rate import SPEC
from mv_devstack.config import StackConfig
from mv_test_runner.script import generate_script

TARGET = """\
package main

import ("fmt"; "net"; "net/http"; "os"; "strconv"; "strings"; "sync"; "time")

func main() {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil { panic(err) }
	port := strconv.Itoa(listener.Addr().(*net.TCPAddr).Port)
	spec := []byte(strings.Replace(os.Getenv("SPEC"), "__PORT__", port, 1))
	var lock sync.Mutex
	var first, last, count int64
	fmt.Println(port)
	os.Stdout.Sync()
	http.Serve(listener, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/openapi.json":
			w.Write(spec)
		case "/stats":
			lock.Lock()
			fmt.Fprintf(w, `{"first": %d, "last": %d, "count": %d}`, first, last, count)
			first, last, count = 0, 0, 0
			lock.Unlock()
		default:
			now := time.Now().UnixNano()
			lock.Lock()
			if first == 0 { first = now }
			last = now
			count++
			lock.Unlock()
			w.Write([]byte("ok"))
		}
	}))
}
"""

STEPS = [
    ("POST -> script written", "post", "script"),
    ("script -> k6 spawned (last runner)", "script", "spawned"),
    ("k6 spawned -> first request", "spawned", "first"),
    ("POST -> first request", "post", "first"),
    ("first request -> first live figure", "first", "live"),
    ("last request -> k6 ended (handleSummary)", "last", "exited"),
    ("k6 ended -> end event", "exited", "end"),
    ("end event -> summary stored", "end", "summary"),
    ("last request -> summary stored", "last", "summary"),
]


async def follow(
    gateway: tuple[str, dict[str, str]],
    seen: dict[str, dict[str, float]],
    ready: asyncio.Event,
    ours: list[str],
) -> None:
    """Per test, when its first live figure with requests, its end and its summary came; until
    the summary of ``ours`` (filled in once the POST answers: other tests of a shared stack may
    be streaming, and a new stream first gets each running test's last figure). ``gateway``:
    its URL and an admin's headers."""
    url, headers = gateway
    async with (
        httpx.AsyncClient(headers=headers, timeout=httpx.Timeout(60, read=None)) as http,
        http.stream("GET", f"{url}/sse/k6-data?include=k6_only") as response,
    ):
        ready.set()
        async for line in response.aiter_lines():
            if not line.startswith("data: "):
                continue
            message = json.loads(line[len("data: ") :])
            kind, now, test = message["kind"], time.time(), seen.setdefault(message["test_id"], {})
            if kind == "k6" and message["k6"]["overall"]["requests_total"] > 0:
                test.setdefault("live", now)
            elif kind in ("end", "summary"):
                test.setdefault(kind, now)
                if kind == "summary" and message["test_id"] in ours:
                    return


def mtime(path: Path) -> float:
    return path.stat().st_mtime


async def one_run(
    config: StackConfig,
    http: httpx.AsyncClient,
    target: str,
    scenario: dict[str, Any],
    runners: int,
) -> dict[str, float]:
    streamed: dict[str, dict[str, float]] = {}
    ready, ours = asyncio.Event(), list[str]()
    gateway = (config.gateway_url, config.admin_headers())
    following = asyncio.create_task(follow(gateway, streamed, ready, ours))
    await asyncio.wait_for(ready.wait(), 30)
    await asyncio.sleep(0.2)
    body = {"title": f"start and end, {runners} runner(s)", "scenarios": [scenario],
            "parallelism": runners}  # fmt: skip
    posted = time.time()
    created = (await http.post("/load-testing", json=body)).raise_for_status().json()
    ours.append(created["test_id"])
    await asyncio.wait_for(following, 180)
    seen = {"post": posted, **streamed[created["test_id"]]}
    stats = (await http.get(f"{target}/stats")).json()
    seen["first"], seen["last"] = stats["first"] / 1e9, stats["last"] / 1e9
    run = config.k6_scripts_dir / "runs" / f"k6-{created['test_id']}"
    folders = sorted(run.glob(f"{run.name}-*")) or [run]
    seen["script"] = mtime(run / "script.js")
    seen["spawned"] = max(mtime(f / "pid") for f in folders)
    seen["exited"] = max(mtime(f / "exit_code") for f in folders)
    return seen


def generation_ms(scenario: dict[str, Any]) -> float:
    """The script's generation alone (the test-runner's generate_script), in this process."""
    from mv_contracts.runs import TestRunRequest

    request = TestRunRequest.model_validate({
        "test_id": "bench", "title": "bench", "project_id": 1, "base_url": "http://127.0.0.1:9",
        "scenarios": [{**scenario, "endpoint": {"method": "GET", "path": "/bench/{id}",
                                                "path_params": {"id": "1"}}}],
    })  # fmt: skip
    start = time.perf_counter()
    for _ in range(200):
        generate_script(request)
    return (time.perf_counter() - start) / 200 * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--vus", type=int, default=4)
    args = parser.parse_args()
    config = StackConfig()
    if not config.admin_token_file.exists():
        sys.exit("no stack: python -m mv_devstack up")
    with tempfile.TemporaryDirectory() as scratch:
        source = Path(scratch) / "target.go"
        source.write_text(TARGET)
        binary = Path(scratch) / "target"
        subprocess.run(["go", "build", "-o", str(binary), str(source)], check=True, cwd=scratch)
        go = subprocess.Popen(
            [str(binary)], stdout=subprocess.PIPE, text=True, start_new_session=True,
            env={**os.environ, "GOMAXPROCS": "1", "SPEC": json.dumps(SPEC)},
        )  # fmt: skip
        try:
            assert go.stdout is not None
            target = f"http://127.0.0.1:{int(go.stdout.readline())}"
            asyncio.run(run_all(config, target, args))
        finally:
            go.terminate()
            go.wait()


async def run_all(config: StackConfig, target: str, args: argparse.Namespace) -> None:
    async with httpx.AsyncClient(
        base_url=config.gateway_url, headers=config.admin_headers(), timeout=120
    ) as http:
        await runs_of(config, http, target, args)


async def runs_of(
    config: StackConfig, http: httpx.AsyncClient, target: str, args: argparse.Namespace
) -> None:
    project = (await http.post("/project", json={"title": "bench start and end"})).json()
    document = {"project_id": project["id"], "openapi_url": f"{target}/openapi.json"}
    wait: dict[str, str | int] = {"wait": "true", "timeout": 60}
    analysis = (await http.post("/openapi/analyze", params=wait, json=document)).json()
    endpoints = (await http.get("/endpoint", params={"spec_id": analysis["spec_id"]})).json()
    scenario = {
        "name": "bench", "endpoint_id": endpoints[0]["id"], "executor": "constant-vus",
        "vus": args.vus, "duration": f"{args.seconds}s", "path_params": {"id": "1"},
        "think_time": 0.01,
    }  # fmt: skip
    runs: dict[int, list[dict[str, float]]] = {1: [], 2: []}
    for _ in range(args.rounds):
        for runners in runs:
            runs[runners].append(await one_run(config, http, target, scenario, runners))
    print(f"{args.vus} VUs x {args.seconds}s, fast mode; seconds, median of {args.rounds} runs")
    print(f"{'step':<44}{'1 runner':>10}{'2 runners':>11}")
    for label, start, end in STEPS:
        cells = [statistics.median(r[end] - r[start] for r in runs[n]) for n in runs]
        print(f"{label:<44}" + "".join(f"{c:>10.3f} " for c in cells))
    fields = {k: v for k, v in scenario.items() if k not in ("endpoint_id", "path_params")}
    print(f"script generation alone (generate_script): {generation_ms(fields):.2f} ms")


if __name__ == "__main__":
    main()
