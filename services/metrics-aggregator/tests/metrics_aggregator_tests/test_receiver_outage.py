"""Metrics path, goal 4: a 60 s InfluxDB outage in a test loses no sample. Real k6 (fast mode:
remote write, native histograms, a push a second) runs 90 s into the receiver as its own
process, on a real NATS (JetStream) of this test's own; InfluxDB (its own too) is stopped 10 s
in and started 60 s later, and the receiver is killed (SIGKILL) and started again in the middle
of the outage, while everything it accepted is still unwritten. The stored counts equal k6's
own summary.

Figures are printed as "measured:" lines (run with -s).
"""

# The only value in the InfluxQL here is a uuid this module made.
# ruff: noqa: S608

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from mv_devstack.config import StackConfig
from mv_devstack.scratch import own_nats
from mv_devstack.servers import InfluxDB
from mv_devstack.workers import free_ports
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.receiver.settings import ReceiverSettings

from .databases import fresh_database
from .faults import eventually
from .test_receiver_k6 import SCENARIOS, SYSTEM_TAGS, serve_target

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]

DATABASE = "mv_test_receiver_outage"
SECONDS, DOWN_AT, DOWN_FOR, KILL_AT = 90, 10, 60, 40

SCRIPT = """
import http from 'k6/http';
const BASE = __ENV.BASE_URL;
export function fast() { http.get(`${BASE}/fast`, { tags: { name: '/fast' } }); }
export function flaky() { http.get(`${BASE}/flaky/${__ITER}`, { tags: { name: '/flaky/{n}' } }); }
export const options = {
  discardResponseBodies: true,
  thresholds: Object.fromEntries(%(scenarios)s.flatMap((s) => [
    [`http_reqs{scenario:${s}}`, ['count>=0']], [`http_req_failed{scenario:${s}}`, ['rate>=0']]])),
  scenarios: {
    s01_fast: { executor: 'constant-arrival-rate', rate: 80, timeUnit: '1s', duration: '%(d)ss',
                preAllocatedVUs: 4, exec: 'fast' },
    s02_flaky: { executor: 'constant-arrival-rate', rate: 40, timeUnit: '1s', duration: '%(d)ss',
                 preAllocatedVUs: 4, exec: 'flaky' },
  },
};
export function handleSummary(data) { return { [__ENV.SUMMARY_FILE]: JSON.stringify(data) }; }
"""


@pytest.fixture
def own_influxdb(stack: StackConfig, tmp_path: Path) -> Iterator[StackConfig]:
    """An InfluxDB of this test (its own folder and ports), which it stops and starts."""
    http, rpc, receiver = free_ports(stack.host, 29100, 30000, 3)
    own = stack.model_copy(
        update={
            "dir": tmp_path / "stack",
            "influxdb_port": http,
            "influxdb_rpc_port": rpc,
            "gateway_port": receiver,  # borrowed: the receiver's port
        }
    )
    InfluxDB(own).start()
    yield own
    InfluxDB(own).process.stop()


@pytest.fixture
def nats_url(stack: StackConfig, tmp_path: Path) -> Iterator[str]:
    with own_nats(stack, tmp_path / "nats") as config:
        yield config.nats_url


class Receiver:
    """``python -m mv_metrics_aggregator.receiver`` as the deployment runs it."""

    def __init__(self, settings: ReceiverSettings, log: Path) -> None:
        self.settings = settings
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None
        self.stats_url = f"http://{settings.receiver_host}:{settings.receiver_port}/stats"

    def start(self) -> None:
        env = {
            **os.environ,
            "NATS_URL": self.settings.nats_url,
            "INFLUXDB_HOST": self.settings.influxdb_host,
            "INFLUXDB_PORT": str(self.settings.influxdb_port),
            "INFLUXDB_DATABASE": self.settings.influxdb_database,
            "RECEIVER_HOST": self.settings.receiver_host,
            "RECEIVER_PORT": str(self.settings.receiver_port),
            "LOG_FORMAT": "console",
        }
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "mv_metrics_aggregator.receiver"],
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)

    def stats(self) -> dict[str, Any]:
        try:
            with urllib.request.urlopen(self.stats_url, timeout=5) as response:  # noqa: S310
                body: dict[str, Any] = json.load(response)
                return body
        except OSError:
            return {}

    async def ready(self) -> bool:
        stats = await asyncio.to_thread(self.stats)
        return bool(stats.get("jetstream", {}).get("restored"))


@pytest.fixture
async def setup(own_influxdb: StackConfig) -> AsyncIterator[InfluxClient]:
    """The test's database on its own InfluxDB."""
    async with fresh_database(own_influxdb, DATABASE) as client:
        yield client


async def test_a_60s_influxdb_outage_and_a_killed_receiver_lose_no_request(
    stack: StackConfig,
    own_influxdb: StackConfig,
    setup: InfluxClient,
    nats_url: str,
    tmp_path: Path,
) -> None:
    k6 = stack.k6_binary()
    if k6 is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    influxdb = InfluxDB(own_influxdb)
    settings = ReceiverSettings(
        nats_url=nats_url,
        influxdb_host=own_influxdb.host,
        influxdb_port=own_influxdb.influxdb_port,
        influxdb_database=DATABASE,
        receiver_host="127.0.0.1",
        receiver_port=own_influxdb.gateway_port,
    )
    receiver = Receiver(settings, tmp_path / "receiver.log")
    receiver.start()
    test_id = str(uuid.uuid4())
    script, summary = tmp_path / "script.js", tmp_path / "summary.json"
    script.write_text(SCRIPT % {"scenarios": json.dumps(SCENARIOS), "d": SECONDS})
    env = settings.k6_env(native_histograms=True)
    try:
        await eventually(receiver.ready, 30)
        with serve_target() as base_url:
            process = await asyncio.create_subprocess_exec(
                k6, "run", "--quiet", "--no-color", "-o", "experimental-prometheus-rw",
                "--tag", f"testid={test_id}", str(script),
                env={**os.environ, **env, "BASE_URL": base_url, "SUMMARY_FILE": str(summary),
                     "K6_SYSTEM_TAGS": SYSTEM_TAGS, "K6_NO_USAGE_REPORT": "true"},
                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
            )  # fmt: skip
            output = asyncio.create_task(process.communicate())
            await asyncio.sleep(DOWN_AT)
            await asyncio.to_thread(influxdb.process.stop)
            down = time.monotonic()
            await asyncio.sleep(KILL_AT - DOWN_AT)
            before_kill = await asyncio.to_thread(receiver.stats)
            receiver.kill()
            receiver.start()
            await eventually(receiver.ready, 30)
            restarted = time.monotonic()
            await asyncio.sleep(max(0.0, DOWN_FOR - (restarted - down)))
            while_down = await asyncio.to_thread(receiver.stats)
            await asyncio.to_thread(influxdb.start)
            back = time.monotonic()
            out, _ = await asyncio.wait_for(output, timeout=SECONDS + 60)
            ended = time.monotonic()
        assert process.returncode == 0, out.decode()[-3000:]

        async def written() -> bool:
            stats = await asyncio.to_thread(receiver.stats)
            return stats.get("pending") == 0

        await eventually(written, 60)
        drained = time.monotonic()
        after = await asyncio.to_thread(receiver.stats)
    finally:
        receiver.stop()
    k6_metrics: dict[str, Any] = json.loads(summary.read_text())["metrics"]
    (result,) = await setup.query(
        "SELECT SUM(requests) AS requests, SUM(failed) AS failed FROM mv_requests"
        f" WHERE testid = '{test_id}' GROUP BY scenario"
    )
    stored = {series.tags["scenario"]: series.first() for series in result}
    made = int(k6_metrics["http_reqs"]["values"]["count"])
    print(
        "measured: InfluxDB down",
        round(back - down, 1),
        "s of a",
        SECONDS,
        "s run, receiver killed and restarted in",
        round(restarted - down - (KILL_AT - DOWN_AT), 1),
        "s; k6 made",
        made,
        "requests, stored",
        sum(int(s["requests"]) for s in stored.values()),
        "; pushes pending before the kill",
        before_kill.get("pending"),
        "and just before InfluxDB came back",
        while_down.get("pending"),
        "; all written",
        round(drained - ended, 1),
        "s after k6 ended (",
        round(drained - back, 1),
        "s after InfluxDB was back)",
    )
    assert before_kill["pending"] > 0  # accepted, not written: what the kill could have lost
    assert while_down["jetstream"]["restored_tests"] >= 1
    assert while_down["influxdb"]["failed_writes"] > 0
    assert after["jetstream"]["failed_publishes"] == 0
    assert sorted(stored) == sorted(SCENARIOS)
    for scenario in SCENARIOS:
        reqs = k6_metrics[f"http_reqs{{scenario:{scenario}}}"]["values"]
        failed = k6_metrics[f"http_req_failed{{scenario:{scenario}}}"]["values"]
        assert stored[scenario]["requests"] == reqs["count"], scenario
        assert stored[scenario]["failed"] == failed["passes"], scenario
    assert stored["s02_flaky"]["failed"] > 0
