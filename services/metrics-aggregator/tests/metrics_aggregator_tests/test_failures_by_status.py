"""Failed requests by HTTP status and k6 error code, in both metrics modes, against the target's
own count of what it answered: real k6 writes every sample to InfluxDB (precise) and pushes
to our receiver (fast) in the same run; the summaries and the live snapshots of both modes
must hold, per scenario, exactly the 500s and 404s the target sent.
"""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from mv_contracts.metrics import FailureCount, LiveSnapshot, TestSummary
from mv_contracts.runs import TEST_ID_TAG
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.aggregate import LiveRead
from mv_metrics_aggregator.fast import FAST
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.precise import PRECISE

from .loopback import running_receiver
from .test_accuracy_fast import SYSTEM_TAGS, wait_stored

DATABASE = "mv_test_failures_by_status"
SCRIPT = """
import http from 'k6/http';
import { sleep } from 'k6';
export const options = {
  scenarios: {
    s01_flaky: { executor: 'constant-vus', vus: 2, duration: '3s', exec: 'flaky' },
    s02_steady: { executor: 'constant-vus', vus: 1, duration: '3s', exec: 'steady' },
  },
};
export function flaky() { http.get(`${__ENV.BASE_URL}/flaky`); sleep(0.01); }
export function steady() { http.get(`${__ENV.BASE_URL}/steady`); sleep(0.02); }
export function handleSummary(data) { return { [__ENV.SUMMARY_FILE]: JSON.stringify(data) }; }
"""


class Target:
    """``/flaky``: 500 to every 5th request, 404 to every 7th of the others, else 200;
    ``/steady``: 404 to every 10th. It counts what it answered, per path."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.answered: dict[str, Counter[int]] = {"/flaky": Counter(), "/steady": Counter()}

    async def handle(self, request: web.Request) -> web.Response:
        path = request.path
        self.calls[path] += 1
        n = self.calls[path]
        if path == "/flaky":
            status = 500 if n % 5 == 0 else 404 if n % 7 == 0 else 200
        else:
            status = 404 if n % 10 == 0 else 200
        self.answered[path][status] += 1
        return web.Response(status=status, text="ok")

    def failures(self, path: str) -> dict[tuple[str, str | None], int]:
        # k6 sets error_code 1000 + status on a 4xx or 5xx answer.
        return {
            (str(status), str(1000 + status)): count
            for status, count in self.answered[path].items()
            if status >= 400
        }


def kinds(failures: list[FailureCount]) -> dict[tuple[str, str | None], int]:
    return {(f.status, f.error_code): f.count for f in failures}


@pytest.fixture(scope="module")
async def run(stack: StackConfig, tmp_path_factory: pytest.TempPathFactory) -> Any:
    k6 = stack.k6_binary()
    if k6 is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    target = Target()
    app = web.Application()
    app.router.add_get("/{path}", target.handle)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    test_id = str(uuid.uuid4())
    workdir = tmp_path_factory.mktemp("k6")
    script, summary_file = workdir / "script.js", workdir / "summary.json"
    script.write_text(SCRIPT)
    async with running_receiver(stack, DATABASE) as (_, receiver):
        started = datetime.now(UTC) - timedelta(seconds=5)
        env = {
            **os.environ,
            **receiver.k6_env(native_histograms=True),
            "BASE_URL": f"http://127.0.0.1:{port}",
            "SUMMARY_FILE": str(summary_file),
            "K6_SYSTEM_TAGS": SYSTEM_TAGS,
            "K6_NO_USAGE_REPORT": "true",
        }
        samples = f"{stack.influxdb_url}/{stack.influxdb_database}"
        process = await asyncio.create_subprocess_exec(
            k6, "run", "--quiet", "--no-color", "-o", "experimental-prometheus-rw",
            "-o", f"influxdb={samples}", "--tag", f"{TEST_ID_TAG}={test_id}", str(script),
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )  # fmt: skip
        output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
        await runner.cleanup()
        assert process.returncode == 0, output.decode()[-3000:]
        k6_summary = json.loads(await asyncio.to_thread(Path(summary_file).read_text))
        total = int(k6_summary["metrics"]["http_reqs"]["values"]["count"])
        fast_client = InfluxClient(stack.influxdb_url, DATABASE)
        precise_client = InfluxClient(stack.influxdb_url, stack.influxdb_database)
        await wait_stored(fast_client, test_id, started, total)
        await wait_stored(precise_client, test_id, started, total, fast=False)
        end = datetime.now(UTC) + timedelta(seconds=5)
        window = timedelta(seconds=5)
        results = {
            "fast": (
                await FAST.summarise(fast_client, test_id, (started, end), None),
                await FAST.live_snapshot(fast_client, LiveRead(test_id, started, end, window)),
            ),
            "precise": (
                await PRECISE.summarise(precise_client, test_id, (started, end)),
                await PRECISE.live_snapshot(
                    precise_client, LiveRead(test_id, started, end, window)
                ),
            ),
        }
        await fast_client.aclose()
        await precise_client.aclose()
    return target, results


@pytest.mark.parametrize("mode", ["fast", "precise"])
async def test_failures_by_status_equal_the_targets_own_counts(
    run: tuple[Target, dict[str, tuple[TestSummary, LiveSnapshot]]], mode: str
) -> None:
    target, results = run
    summary, live = results[mode]
    flaky, steady = target.failures("/flaky"), target.failures("/steady")
    assert flaky[("500", "1500")] > 0
    assert flaky[("404", "1404")] > 0
    stored = {s.name: kinds(s.failures) for s in summary.scenarios}
    assert stored == {"s01_flaky": flaky, "s02_steady": steady}
    assert kinds(summary.failures) == dict(Counter(flaky) + Counter(steady))
    # Most frequent first.
    assert summary.scenarios[0].failures[0].status == "500"
    streamed = {s.name: kinds(s.failures) for s in live.scenarios}
    assert streamed == stored
    assert kinds(live.failures) == kinds(summary.failures)
