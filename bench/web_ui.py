"""Web UI budgets, measured in Debian's Chromium (headless, Playwright):

1. first load of /ui/: the JavaScript and CSS sent (gzipped bytes, as transferred) and the time
   until the board is drawn (budget: ~300 KB of gzipped JavaScript);
2. a project page with 1,200 endpoints: time until the list is drawn and usable, a search
   keystroke until the list shows the result, and frame times while scrolling (budget: 1 s);
3. a live run of 6 scenarios followed for an hour at 1 s resolution (3,600 snapshots, sent
   faster than real time): the page's CPU per update at the start and at the end of the hour,
   which must not grow with the length of the series;
4. the page's CPU per second of real time while it follows a run half an hour in, figures
   every 5 s (the original period) against every second (the fast mode): the charts that move
   every second must cost no more than the 5 s updates did.

The UI is the real build (web/dist, served by the gateway's own /ui/ router); the API behind it
is synthetic, so the figures are the page's own and not the database's.

    uv run --no-sync python bench/web_ui.py [--endpoints 1200] [--points 3600] [--rate 40]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import uvicorn
from fastapi import FastAPI, Query
from fastapi.responses import StreamingResponse
from playwright.sync_api import Page, sync_playwright

from mv_gateway.core.settings import Settings
from mv_gateway.ui.spa import spa_router

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCENARIOS = [f"s{i:02d}" for i in range(1, 7)]
NOW = datetime.now(UTC)
# What the synthetic /sse/k6-data sends, set by each measurement: the run's start, seconds
# between snapshots, how many are history (sent at once, as a replay) and the rate of the rest.
STREAM: dict[str, Any] = {}


def endpoint(i: int) -> dict[str, Any]:
    resource = f"resource{i // 8}"
    method = ["GET", "POST", "PUT", "DELETE", "GET", "PATCH", "GET", "GET"][i % 8]
    return {
        "id": i + 1, "spec_id": 1, "method": method, "path": f"/v1/{resource}/{{id}}/items{i}",
        "operation_id": f"op{i}", "summary": f"Operation {i} on {resource}", "description": None,
        "deprecated": False, "removed": False, "tags": [f"tag{i % 40}"], "security": [],
        "parameters": [{"name": "id", "location": "path", "required": True,
                        "schema": {"type": "integer"}, "example": 0}],
        "request_body": None,
    }  # fmt: skip


def figures(i: int) -> dict[str, Any]:
    return {
        "tps": 100 + (i % 50), "requests_total": i * 100, "failed_total": i, "error_rate": 0.01,
        "vus": 10, "response_time_avg": 20 + i % 7, "response_time_p95": 40 + i % 11,
        "response_time_p99": 60 + i % 13,
    }  # fmt: skip


def api(endpoints: int) -> FastAPI:
    """Answers what the pages ask for, shaped as the gateway's OpenAPI document says."""
    app = FastAPI()
    app.include_router(spa_router(Settings().ui_dist_dir))
    rows = [endpoint(i) for i in range(endpoints)]
    project = {"id": 1, "title": "Bench", "summary": None, "description": None,
               "created_at": NOW.isoformat()}  # fmt: skip

    @app.get("/project")
    async def projects() -> list[dict[str, Any]]:
        return [project]

    @app.get("/project/1")
    async def one_project() -> dict[str, Any]:
        return project

    @app.get("/project/1/servers")
    async def servers() -> list[dict[str, Any]]:
        return []  # a project of its own, not a namespace's

    @app.get("/openapi")
    async def specs() -> list[dict[str, Any]]:
        return [{"id": 1, "project_id": 1, "title": "Big API", "version": "1", "description": None,
                 "openapi_version": "3.1.0", "base_url": "http://bench", "source_url": None,
                 "analysed_at": NOW.isoformat()}]  # fmt: skip

    @app.get("/endpoint")
    async def list_endpoints(offset: int = 0, limit: int = 100) -> list[dict[str, Any]]:
        return rows[offset : offset + limit]

    @app.get("/test-history/simple")
    async def board() -> list[dict[str, Any]]:
        return []

    @app.get("/test-history/projects/1")
    async def history() -> dict[str, Any]:
        return {"project_id": 1, "total": 0, "offset": 0, "limit": 50, "sort": "tested_at",
                "order": "desc", "items": []}  # fmt: skip

    @app.get("/test-history/projects/1/trend")
    async def trend() -> dict[str, Any]:
        return {"project_id": 1, "runs": [], "scenarios": []}

    @app.get("/test-history/1/details")
    async def details() -> dict[str, Any]:
        scenarios: list[dict[str, Any]] = [
            {"id": n, "name": f"scenario {n}", "scenario_tag": tag, "endpoint_id": n,
             "endpoint": None, "executor": "ramping-vus", "think_time": 0,
             "response_time_target": None, "error_rate_target": None, "figures": {},
             "stages": [{"id": n, "duration": "1h", "target": 10}]}
            for n, tag in enumerate(SCENARIOS, start=1)
        ]  # fmt: skip
        return {
            "id": 1, "test_id": "bench", "title": "An hour of six scenarios", "description": None,
            "project_id": 1, "project_title": "Bench", "status": "running", "status_reason": None,
            "executor": "local", "target_tps": None, "tested_at": STREAM["started"].isoformat(),
            "completed_at": None, "is_completed": False, "job_name": None,
            "k6_script_file_name": None, "figures": {}, "scenarios": scenarios, "resources": [],
        }  # fmt: skip

    @app.get("/sse/k6-data")
    async def live(test_id: str = Query()) -> StreamingResponse:
        started, every, history = STREAM["started"], STREAM["every"], STREAM["history"]
        count, pace = STREAM["points"], STREAM["rate"]

        async def frames() -> AsyncIterator[bytes]:
            for i in range(count):
                at = (started + timedelta(seconds=i * every)).isoformat()
                snapshot = {"test_id": test_id, "at": at, "window_seconds": every,
                            "overall": figures(i),
                            "scenarios": [{"name": s, "figures": figures(i + n)}
                                          for n, s in enumerate(SCENARIOS)]}  # fmt: skip
                message = {"seq": i + 1, "kind": "k6", "at": at, "test_id": test_id,
                           "test_ids": [test_id], "k6": snapshot}  # fmt: skip
                yield f"id: {i + 1}\nevent: k6\ndata: {json.dumps(message)}\n\n".encode()
                if i >= history:
                    await asyncio.sleep(1 / pace)
            await asyncio.sleep(3600)  # no end event: the page keeps following

        return StreamingResponse(frames(), media_type="text/event-stream")

    return app


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
    finally:
        server.should_exit = True
        server.force_exit = True  # the live stream never ends by itself
        thread.join(10)


def first_load(page: Page, base: str) -> None:
    sent: dict[str, int] = {"script": 0, "stylesheet": 0}

    def count(response: Any) -> None:
        kind = response.request.resource_type
        if kind in sent and response.url.startswith(base):
            sent[kind] += response.request.sizes()["responseBodySize"]

    page.on("response", count)
    page.goto(f"{base}/ui/", wait_until="commit")
    page.get_by_role("heading", name="Board").wait_for()
    drawn = page.evaluate("performance.now()")
    page.wait_for_load_state("networkidle")  # every response counted
    page.remove_listener("response", count)
    print(f"first load of /ui/: JavaScript {sent['script'] / 1024:.1f} KB gzipped "
          f"(budget 300 KB), CSS {sent['stylesheet'] / 1024:.1f} KB; board drawn after "
          f"{drawn:.0f} ms")  # fmt: skip


def project_page(page: Page, base: str, endpoints: int, runs: int = 5) -> None:
    ready = []
    for _ in range(runs):
        page.goto("about:blank")
        page.goto(f"{base}/ui/projects/1")
        page.get_by_text(f"{endpoints} of {endpoints} endpoints").wait_for(timeout=30_000)
        page.locator(".virtual-row").first.wait_for()
        ready.append(page.evaluate("performance.now()"))
    search_ms = page.evaluate(
        """() => new Promise((done) => {
            const input = document.querySelector('input[type=search]');
            const count = input.closest('.browser').querySelector('p[aria-live]');
            const before = count.textContent, started = performance.now();
            new MutationObserver((_, observer) => {
              if (count.textContent !== before) {
                observer.disconnect();
                requestAnimationFrame(() => done(performance.now() - started));
              }
            }).observe(count, { childList: true, characterData: true, subtree: true });
            input.value = 'resource42';
            input.dispatchEvent(new Event('input', { bubbles: true }));
        })"""
    )
    page.locator("input[type=search]").fill("")
    page.get_by_text(f"{endpoints} of {endpoints} endpoints").wait_for()
    frames = page.evaluate(
        """() => new Promise((done) => {
            const box = document.querySelector('.virtual');
            const gaps = []; let last = performance.now(), step = 0;
            const tick = (now) => {
              gaps.push(now - last); last = now;
              box.scrollTop = (++step) * 300;
              const more = box.scrollTop + box.clientHeight < box.scrollHeight && step < 400;
              if (more) requestAnimationFrame(tick); else done(gaps.slice(1));
            };
            requestAnimationFrame(tick);
        })"""
    )
    frames = sorted(frames)
    p95 = frames[int(len(frames) * 0.95) - 1] if frames else float("nan")
    print(f"project page, {endpoints} endpoints: drawn and usable after "
          f"{statistics.median(ready):.0f} ms (median of {runs}; budget 1000 ms); a search "
          f"keystroke shows its result in {search_ms:.1f} ms; scrolling the whole list: "
          f"{len(frames)} frames, p95 {p95:.1f} ms, max {frames[-1]:.1f} ms")  # fmt: skip


def live_run(page: Page, base: str, points: int, rate: float) -> None:
    STREAM.update(started=NOW - timedelta(seconds=5), every=1, history=0, points=points, rate=rate)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def cpu() -> float:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return float(metrics["TaskDuration"])

    page.goto(f"{base}/ui/tests/1")
    chart = "figure.chart[aria-label='Requests per second']"
    points_now = f"() => +(document.querySelector({chart!r})?.dataset.points ?? 0)"

    def wait_for(count: int) -> tuple[float, float]:
        page.wait_for_function(f"{points_now[6:]} >= {count}", timeout=points / rate * 3000)
        return cpu(), float(page.evaluate(points_now))

    window = min(300, points // 4)
    checkpoints = [wait_for(n) for n in (window, 2 * window, points - window, points)]
    (c0, n0), (c1, n1), (c2, n2), (c3, n3) = checkpoints
    start = (c1 - c0) * 1000 / max(n1 - n0, 1)
    end = (c3 - c2) * 1000 / max(n3 - n2, 1)
    heap = page.evaluate("performance.memory ? performance.memory.usedJSHeapSize : 0") / 2**20
    print(
        f"live run, 6 scenarios, {points} points at 1 s resolution (sent at {rate:g}/s): "
        f"page CPU per update {start:.2f} ms near the start, {end:.2f} ms near the end "
        f"(at one update a second: {end / 10:.2f}% of a core); JS heap {heap:.0f} MB"
    )


def cadence(page: Page, base: str, every: float, minutes: float, seconds: float) -> float:
    """Page CPU (ms) per second of real time following a run ``minutes`` in, a snapshot every
    ``every`` seconds (the run so far replayed at the page's opening)."""
    history = int(minutes * 60 / every)
    started = datetime.now(UTC) - timedelta(seconds=history * every)
    points = history + int(seconds / every) + 10
    STREAM.update(started=started, every=every, history=history, points=points, rate=1 / every)
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable")

    def cpu() -> float:
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        return float(metrics["TaskDuration"])

    page.goto("about:blank")
    page.goto(f"{base}/ui/tests/1")
    chart = "figure.chart[aria-label='Requests per second']"
    page.wait_for_function(
        f"+(document.querySelector({chart!r})?.dataset.points ?? 0) >= {history}", timeout=60_000
    )
    page.wait_for_timeout(2000)  # the replay drawn and settled
    before, start = cpu(), time.monotonic()
    page.wait_for_timeout(seconds * 1000)
    return (cpu() - before) * 1000 / (time.monotonic() - start)


def cadences(page: Page, minutes: float, seconds: float, base: str) -> None:
    slow, fast = (cadence(page, base, every, minutes, seconds) for every in (5, 1))
    print(f"following a run {minutes:g} min in, for {seconds:g} s: page CPU {slow:.1f} ms per "
          f"second with a figure every 5 s, {fast:.1f} ms with one every second "
          f"(ratio {fast / slow:.2f})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--endpoints", type=int, default=1200)
    parser.add_argument("--points", type=int, default=3600)
    parser.add_argument("--rate", type=float, default=40, help="snapshots sent per second")
    parser.add_argument("--minutes", type=float, default=30, help="run so far, when followed")
    parser.add_argument("--follow", type=float, default=20, help="seconds followed per cadence")
    parser.add_argument("--parts", default="load,project,live,cadence", help="which to measure")
    args = parser.parse_args()
    if not (Settings().ui_dist_dir / "index.html").is_file():
        raise SystemExit("the UI is not built: scripts/web.sh build")
    with served(api(args.endpoints)) as base, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="en-US")
        parts = args.parts.split(",")
        if "load" in parts:
            first_load(page, base)
        if "project" in parts:
            project_page(page, base, args.endpoints)
        if "live" in parts:
            live_run(page, base, args.points, args.rate)
        if "cadence" in parts:
            cadences(page, args.minutes, args.follow, base)
        browser.close()


if __name__ == "__main__":
    main()
