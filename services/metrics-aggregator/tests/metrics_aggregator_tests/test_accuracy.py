"""Our summary against k6's own end-of-test summary of the same real k6 run.

Counts must agree exactly; min, max and avg within 0.1 %; percentiles within 1 % or 0.5 ms,
whichever is larger. Two runs: k6's default (url written as a field) and url as a tag.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from mv_contracts.metrics import MetricFigures, TestSummary
from mv_contracts.runs import TEST_ID_TAG
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.precise import PRECISE

# --- the target: a loopback HTTP server with fast, slow and failing answers


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        parts = self.path.strip("/").split("/")
        kind, number = parts[0], int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
        status = 200
        if kind == "slow":
            time.sleep(random.uniform(0.005, 0.04))
        elif kind == "flaky":
            time.sleep(random.uniform(0.0, 0.01))
            status = 500 if number % 3 == 0 else 200
        elif kind != "fast":
            status = 404
        body = b'{"ok": true}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@contextmanager
def serve() -> Iterator[str]:
    """The base URL of a target running on 127.0.0.1 for the duration of the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


# --- k6: the script, run with the InfluxDB output and handleSummary

SCENARIOS = ("s01_fast", "s02_slow", "s03_flaky")
TREND_STATS = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "count"]

SCRIPT = """
import http from 'k6/http';
import exec from 'k6/execution';

const BASE = __ENV.BASE_URL;
function get(path, name) {
  // As a generated script in the precise mode: InfluxDB keeps one point per series and
  // timestamp, and one VU's samples never share a timestamp.
  exec.vu.metrics.tags.vu_id = String(exec.vu.idInTest);
  http.get(`${BASE}${path}`, { tags: { name: name, endpoint: `GET ${name}` } });
}
export function fast() { get(`/fast/${__ITER}`, '/fast/{n}'); }
export function slow() { get(`/slow/${__ITER}`, '/slow/{n}'); }
export function flaky() { get(`/flaky/${__ITER}`, '/flaky/{n}'); }

const SCENARIOS = %(scenarios)s;
const thresholds = {};
for (const s of SCENARIOS) {
  thresholds[`http_req_duration{scenario:${s}}`] = ['max>=0'];
  thresholds[`http_reqs{scenario:${s}}`] = ['count>=0'];
  thresholds[`http_req_failed{scenario:${s}}`] = ['rate>=0'];
}
export const options = {
  summaryTrendStats: %(stats)s,
  thresholds: thresholds,
  scenarios: {
    s01_fast: { executor: 'constant-vus', vus: 3, duration: '%(duration)s', exec: 'fast' },
    s02_slow: {
      executor: 'constant-arrival-rate', rate: 60, timeUnit: '1s', duration: '%(duration)s',
      preAllocatedVUs: 6, exec: 'slow',
    },
    s03_flaky: {
      executor: 'per-vu-iterations', vus: 2, iterations: 150, maxDuration: '%(duration)s',
      exec: 'flaky',
    },
  },
};
export function handleSummary(data) {
  return { [__ENV.SUMMARY_FILE]: JSON.stringify(data) };
}
"""


async def run_k6(
    k6: str,
    base_url: str,
    influx_url: str,
    test_id: str,
    workdir: Path,
    *,
    duration: str = "3s",
    url_as_tag: bool = False,
) -> dict[str, Any]:
    """Run the script once; k6's own end-of-test summary (handleSummary data) is returned."""
    script = workdir / "script.js"
    summary = workdir / "summary.json"
    script.write_text(
        SCRIPT
        % {
            "scenarios": json.dumps(SCENARIOS),
            "stats": json.dumps(TREND_STATS),
            "duration": duration,
        }
    )
    env = {
        **os.environ,
        "BASE_URL": base_url,
        "SUMMARY_FILE": str(summary),
        "K6_NO_USAGE_REPORT": "true",
    }
    if url_as_tag:
        # k6 writes url as a field by default; this makes it a tag: queries must not care.
        env["K6_INFLUXDB_TAGS_AS_FIELDS"] = "vu"
    process = await asyncio.create_subprocess_exec(
        k6,
        "run",
        "--quiet",
        "--no-color",
        "--out",
        f"influxdb={influx_url}",
        "--tag",
        f"{TEST_ID_TAG}={test_id}",
        str(script),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"k6 exited {process.returncode}: {output.decode()[-3000:]}")
    data: dict[str, Any] = json.loads(summary.read_text())
    return data


# --- the comparison

PERCENTILE_KEYS = {"med": "p50", "p(90)": "p90", "p(95)": "p95", "p(99)": "p99"}


def close(ours: float | None, theirs: float, relative: float, absolute: float = 0.0) -> bool:
    assert ours is not None
    return abs(ours - theirs) <= max(abs(theirs) * relative, absolute)


def k6_values(data: dict[str, Any], metric: str, scenario: str | None) -> dict[str, float]:
    key = f"{metric}{{scenario:{scenario}}}" if scenario else metric
    values: dict[str, float] = data["metrics"][key]["values"]
    return values


def assert_agrees(ours: MetricFigures, data: dict[str, Any], scenario: str | None) -> None:
    reqs = k6_values(data, "http_reqs", scenario)
    failed = k6_values(data, "http_req_failed", scenario)
    durations = k6_values(data, "http_req_duration", scenario)
    where = scenario or "overall"
    assert ours.total_requests == reqs["count"], where
    assert ours.failed_requests == failed["passes"], where
    assert ours.avg_error_rate is not None
    assert close(ours.avg_error_rate, failed["rate"], 1e-9), where
    for stat, mine in (
        ("min", ours.min_response_time),
        ("max", ours.max_response_time),
        ("avg", ours.avg_response_time),
    ):
        assert close(mine, durations[stat], 0.001), (where, stat, mine, durations[stat])
    for stat, name in PERCENTILE_KEYS.items():
        mine = getattr(ours, f"{name}_response_time")
        assert close(mine, durations[stat], 0.01, 0.5), (where, stat, mine, durations[stat])


@pytest.fixture(scope="module", params=["url-as-field", "url-as-tag"])
async def run(
    request: pytest.FixtureRequest, stack: StackConfig, tmp_path_factory: pytest.TempPathFactory
) -> tuple[TestSummary, dict[str, Any]]:
    k6 = stack.k6_binary()
    if k6 is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    test_id = str(uuid.uuid4())
    started = datetime.now(UTC)
    with serve() as base_url:
        data = await run_k6(
            k6,
            base_url,
            f"{stack.influxdb_url}/{stack.influxdb_database}",
            test_id,
            tmp_path_factory.mktemp("k6"),
            url_as_tag=request.param == "url-as-tag",
        )
    finished = datetime.now(UTC)
    client = InfluxClient(stack.influxdb_url, stack.influxdb_database)
    try:
        margin = timedelta(seconds=5)
        summary = await PRECISE.summarise(client, test_id, (started - margin, finished + margin))
    finally:
        await client.aclose()
    return summary, data


async def test_overall_figures_agree_with_k6(run: tuple[TestSummary, dict[str, Any]]) -> None:
    summary, data = run
    assert summary.empty_reason is None
    assert summary.overall.failed_requests > 0  # the flaky scenario fails a third of its calls
    assert_agrees(summary.overall, data, None)


async def test_scenario_figures_agree_with_k6(run: tuple[TestSummary, dict[str, Any]]) -> None:
    summary, data = run
    assert [s.name for s in summary.scenarios] == list(SCENARIOS)
    for scenario in summary.scenarios:
        assert_agrees(scenario.figures, data, scenario.name)


async def test_vus_and_tps_come_from_the_run(run: tuple[TestSummary, dict[str, Any]]) -> None:
    summary, data = run
    vus = data["metrics"]["vus"]["values"]
    overall = summary.overall
    assert overall.max_vus == vus["max"]
    assert overall.min_vus is not None
    assert overall.min_vus <= vus["min"]
    assert overall.avg_tps is not None
    assert overall.max_tps is not None
    assert overall.min_tps is not None
    assert overall.min_tps <= overall.max_tps
    assert overall.test_duration is not None
    # Requests over the active seconds; k6's rate divides by its whole run, a little longer.
    assert overall.avg_tps == pytest.approx(overall.total_requests / overall.test_duration)
    assert overall.avg_tps >= data["metrics"]["http_reqs"]["values"]["rate"] * 0.9


async def test_stored_series_count_every_request_of_the_run(
    run: tuple[TestSummary, dict[str, Any]],
) -> None:
    summary, data = run
    assert summary.series is not None
    step = summary.series.step_seconds
    total = data["metrics"]["http_reqs"]["values"]["count"]
    assert round(sum(summary.series.overall.tps) * step) == total
    for scenario in summary.scenarios:
        steps = summary.series.scenarios[scenario.name].tps
        assert round(sum(steps) * step) == scenario.figures.total_requests
