"""Real k6 pushes to our receiver, which writes to the real InfluxDB: the stored counts equal
k6's own end-of-test summary of the same run, overall and per scenario (trend stats, native
histograms, and trend stats with InfluxDB unreachable for the whole run, written afterwards
from the receiver's stream on the real NATS)."""

# The only value in the InfluxQL here is a uuid this module made.
# ruff: noqa: S608

from __future__ import annotations

import asyncio
import json
import os
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientSession, web

from mv_devstack.config import StackConfig
from mv_devstack.scratch import own_nats
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.receiver.durable import DurablePath
from mv_metrics_aggregator.receiver.server import COMPACTOR, DURABLE
from mv_metrics_aggregator.receiver.settings import ReceiverSettings

from .faults import eventually
from .loopback import running_receiver

DATABASE = "mv_test_receiver_k6"
SCENARIOS = ("s01_fast", "s02_flaky")
SYSTEM_TAGS = "status,method,name,scenario,expected_response,error_code"

SCRIPT = """
import http from 'k6/http';
const BASE = __ENV.BASE_URL;
export function fast() { http.get(`${BASE}/fast`, { tags: { name: '/fast' } }); }
export function flaky() { http.get(`${BASE}/flaky/${__ITER}`, { tags: { name: '/flaky/{n}' } }); }
export const options = {
  discardResponseBodies: true,
  // Thresholds on the submetrics make k6 report them per scenario in its summary.
  thresholds: Object.fromEntries(%(scenarios)s.flatMap((s) => [
    [`http_reqs{scenario:${s}}`, ['count>=0']], [`http_req_failed{scenario:${s}}`, ['rate>=0']],
    [`http_req_duration{scenario:${s}}`, ['max>=0']]])),
  scenarios: {
    s01_fast: { executor: 'constant-vus', vus: 3, duration: '3s', exec: 'fast' },
    s02_flaky: { executor: 'constant-arrival-rate', rate: 200, timeUnit: '1s', duration: '3s',
                 preAllocatedVUs: 4, exec: 'flaky' },
  },
};
export function handleSummary(data) { return { [__ENV.SUMMARY_FILE]: JSON.stringify(data) }; }
"""


class Target(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        number = self.path.rsplit("/", 1)[-1]
        failing = self.path.startswith("/flaky/") and number.isdigit() and int(number) % 4 == 0
        self.send_response(500 if failing else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        del format, args


@contextmanager
def serve_target() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Target)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def module_nats(stack: StackConfig, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with own_nats(stack, tmp_path_factory.mktemp("nats")) as config:
        yield config.nats_url


@pytest.fixture(scope="module")
async def receiver(
    stack: StackConfig, module_nats: str
) -> AsyncIterator[tuple[web.Application, ReceiverSettings]]:
    async with running_receiver(stack, DATABASE, module_nats) as (app, settings):
        yield app, settings


async def run_k6(k6: str, env: dict[str, str], test_id: str, workdir: Path) -> dict[str, Any]:
    script, summary = workdir / "script.js", workdir / "summary.json"
    script.write_text(SCRIPT % {"scenarios": json.dumps(SCENARIOS)})
    with serve_target() as base_url:
        process = await asyncio.create_subprocess_exec(
            k6, "run", "--quiet", "--no-color", "-o", "experimental-prometheus-rw",
            "--tag", f"testid={test_id}", str(script),
            env={**os.environ, **env, "BASE_URL": base_url, "SUMMARY_FILE": str(summary),
                 "K6_SYSTEM_TAGS": SYSTEM_TAGS, "K6_NO_USAGE_REPORT": "true"},
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 0, output.decode()[-3000:]
    metrics: dict[str, Any] = json.loads(summary.read_text())["metrics"]
    return metrics


async def pending_is(durable: DurablePath, count: int) -> bool:
    return bool((await durable.stats())["pending"] == count)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port  # nothing listens once the socket is closed


@pytest.fixture(scope="module", params=["trend", "native", "influxdb-away"])
async def run(
    request: pytest.FixtureRequest,
    receiver: tuple[web.Application, ReceiverSettings],
    stack: StackConfig,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[dict[str, dict[str, float]], dict[str, Any], str]:
    app, settings = receiver
    k6 = stack.k6_binary()
    if k6 is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    test_id = str(uuid.uuid4())
    env = settings.k6_env(native_histograms=request.param == "native")
    durable = app[DURABLE]
    writer = durable.writer
    reachable, failed_writes = writer.client, writer.stats.failed_writes
    if request.param == "influxdb-away":
        writer.client = InfluxClient(f"http://127.0.0.1:{closed_port()}", DATABASE, max_retry=0)
    k6_summary = await run_k6(k6, env, test_id, tmp_path_factory.mktemp("k6"))
    if request.param == "influxdb-away":
        assert (await durable.stats())["pending"] > 0
        assert writer.stats.failed_writes > failed_writes
        away, writer.client = writer.client, reachable  # InfluxDB is back
        await away.aclose()
    assert await eventually(lambda: pending_is(durable, 0), 30)
    client = InfluxClient(stack.influxdb_url, DATABASE)
    try:
        (result,) = await client.query(
            "SELECT SUM(requests) AS requests, SUM(failed) AS failed,"
            " SUM(duration_count) AS duration_count, SUM(duration_sum) AS duration_sum,"
            " MIN(duration_min) AS duration_min, MAX(duration_max) AS duration_max"
            f" FROM mv_requests WHERE testid = '{test_id}' GROUP BY scenario"
        )
    finally:
        await client.aclose()
    stored = {series.tags["scenario"]: series.first() for series in result}
    return stored, k6_summary, request.param


async def test_counts_in_influxdb_equal_k6s_own_summary(
    run: tuple[dict[str, dict[str, float]], dict[str, Any], str],
) -> None:
    stored, k6, mode = run
    assert sorted(stored) == sorted(SCENARIOS)
    for scenario in SCENARIOS:
        reqs = k6[f"http_reqs{{scenario:{scenario}}}"]["values"]
        failed = k6[f"http_req_failed{{scenario:{scenario}}}"]["values"]
        assert stored[scenario]["requests"] == reqs["count"], (mode, scenario)
        assert stored[scenario]["failed"] == failed["passes"], (mode, scenario)
        assert stored[scenario]["duration_count"] == reqs["count"], (mode, scenario)
    assert sum(s["requests"] for s in stored.values()) == k6["http_reqs"]["values"]["count"]
    assert sum(s["failed"] for s in stored.values()) == k6["http_req_failed"]["values"]["passes"]
    assert stored["s02_flaky"]["failed"] > 0
    assert stored["s01_fast"]["failed"] == 0


async def test_mean_min_and_max_equal_k6s_own_summary(
    run: tuple[dict[str, dict[str, float]], dict[str, Any], str],
) -> None:
    stored, k6, mode = run
    for scenario in SCENARIOS:
        durations = k6[f"http_req_duration{{scenario:{scenario}}}"]["values"]
        ours = stored[scenario]
        mean = ours["duration_sum"] / ours["duration_count"]
        assert mean == pytest.approx(durations["avg"], rel=1e-9)
        if mode != "native":  # native histograms carry neither
            assert ours["duration_min"] == pytest.approx(durations["min"], rel=1e-9)
            assert ours["duration_max"] == pytest.approx(durations["max"], rel=1e-9)


async def test_the_receiver_saw_the_pushes(
    run: tuple[dict[str, dict[str, float]], dict[str, Any], str],
    receiver: tuple[web.Application, ReceiverSettings],
) -> None:
    del run
    app, _ = receiver
    stats = app[COMPACTOR].stats
    assert stats.pushes >= 3  # a push a second for 3 s, and the last one at the end
    assert stats.untagged == 0
    assert app[DURABLE].writer.stats.dropped == 0
    assert app[DURABLE].journal.stats.failed_publishes == 0
    assert (await app[DURABLE].stats())["pending"] == 0


async def test_a_body_that_is_not_remote_write_is_refused_with_the_reason(
    receiver: tuple[web.Application, ReceiverSettings],
) -> None:
    _, settings = receiver
    url = settings.k6_env()["K6_PROMETHEUS_RW_SERVER_URL"]
    async with ClientSession() as session:
        async with session.post(
            url, data=b"not snappy", headers={"Content-Encoding": "snappy"}
        ) as r:
            assert r.status == 400
            (problem,) = (await r.json())["detail"]
            assert problem["loc"] == ["body"]
            assert "not snappy" in problem["msg"]
        async with session.post(url, data=b"{}", headers={"Content-Encoding": "gzip"}) as r:
            assert r.status == 415
            assert (await r.json())["detail"][0]["loc"] == ["Content-Encoding"]
