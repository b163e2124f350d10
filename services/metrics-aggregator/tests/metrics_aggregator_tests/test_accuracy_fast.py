"""The fast metrics mode against k6's own end-of-test summary of the same real k6 runs: real k6
pushing native histograms to our receiver, which writes compact points to the real InfluxDB.

- one runner, 2·10^5 requests (``MV_ACCURACY_REQUESTS`` sets another size): counts equal
  k6's; the percentiles are k6's own (``k6_summary``); without k6's summary, the percentiles,
  min and max read from the merged histograms are within ``HISTOGRAM_ERROR_BOUND`` of k6's;
- two runners (two k6 processes, one test id, runner tags 1 and 2), each also writing every
  sample to InfluxDB: counts equal the sum of both k6 summaries, min/max their exact merge, and
  the merged-histogram percentiles within the bound of the exact ones over both runners' samples
  (the precise path's summary of the same requests).
"""

from __future__ import annotations

import asyncio
import json
import os
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mv_contracts.lifecycle import K6Counts, RequestCounts, ResponseTimes
from mv_contracts.metrics import (
    HISTOGRAM_ERROR_BOUND,
    MetricFigures,
    PercentileSource,
    TestSummary,
)
from mv_contracts.runs import RUNNER_TAG, TEST_ID_TAG
from mv_devstack.config import StackConfig
from mv_devstack.loopback import build_target, serve_target
from mv_metrics_aggregator import completeness
from mv_metrics_aggregator.aggregate import OVERALL, LiveRead
from mv_metrics_aggregator.definitions import Bounds, ns
from mv_metrics_aggregator.fast import FAST
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.precise import PRECISE
from mv_metrics_aggregator.receiver.settings import ReceiverSettings

from .loopback import running_receiver

DATABASE = "mv_test_accuracy_fast"
# Every count is exact at any size, so `make test` keeps this one short; the README's figures are
# from 10^6 (about 70 s of k6 here).
REQUESTS = int(os.environ.get("MV_ACCURACY_REQUESTS", "200000"))
SCENARIOS = ("s01_fast", "s02_flaky")
SYSTEM_TAGS = "status,method,name,scenario,expected_response,error_code"
PERCENTILES = {"p(50)": 50, "p(90)": 90, "p(95)": 95, "p(99)": 99}
# A sample on a bucket's bound may land in the next bucket after k6's ms -> s division.
BOUND = HISTOGRAM_ERROR_BOUND + 1e-9
# Every sample written to InfluxDB (the precise path) is a point; two samples of one series with
# the same nanosecond timestamp are one point there (InfluxDB keeps the last), so at thousands a
# second a few fold: its counts are read within this share of k6's exact ones. The compact points
# of the fast path never fold (one per series and second) and are compared exactly.
FOLDED = 1e-3

SCRIPT = """
import http from 'k6/http';
import { sleep } from 'k6';
const BASE = __ENV.BASE_URL;
const THINK = %(think)s;
export function fast() {
  http.get(`${BASE}/fast`, { tags: { name: '/fast' } });
  if (THINK) { sleep(THINK); }
}
export function flaky() { http.get(`${BASE}/fail/${__ITER}`, { tags: { name: '/fail/{n}' } }); }
const FAST = Math.round(%(requests)d * 0.9);
export const options = {
  discardResponseBodies: true,
  summaryTrendStats: ['count', 'min', 'max', 'avg', 'p(50)', 'p(90)', 'p(95)', 'p(99)'],
  // Thresholds on the submetrics make k6 report them per scenario in its summary.
  thresholds: Object.fromEntries(%(scenarios)s.flatMap((s) => [
    [`http_reqs{scenario:${s}}`, ['count>=0']], [`http_req_failed{scenario:${s}}`, ['rate>=0']],
    [`http_req_duration{scenario:${s}}`, ['max>=0']]])),
  scenarios: {
    s01_fast: { executor: 'shared-iterations', vus: %(vus)d, iterations: FAST,
                maxDuration: '240s', exec: 'fast' },
    s02_flaky: { executor: 'shared-iterations', vus: 2, iterations: %(requests)d - FAST,
                 maxDuration: '240s', exec: 'flaky' },
  },
};
export function handleSummary(data) { return { [__ENV.SUMMARY_FILE]: JSON.stringify(data) }; }
"""


async def run_k6(
    k6: str,
    receiver: ReceiverSettings,
    base_url: str,
    test_id: str,
    workdir: Path,
    *,
    requests: int,
    vus: int,
    runner: int | None = None,
    samples_to: str | None = None,
) -> dict[str, Any]:
    """One k6 run pushing to ``receiver`` (and every sample to ``samples_to``, an InfluxDB
    database URL); k6's own summary (handleSummary data) of it."""
    script, summary = workdir / "script.js", workdir / "summary.json"
    # Every sample into InfluxDB is ~12 points a request: paced, so InfluxDB keeps up.
    think = 0.001 if samples_to else 0
    text = SCRIPT % {
        "scenarios": json.dumps(SCENARIOS),
        "requests": requests,
        "vus": vus,
        "think": think,
    }
    script.write_text(text)
    outputs = ["-o", "experimental-prometheus-rw"]
    if samples_to:
        outputs += ["-o", f"influxdb={samples_to}"]
    tags = ["--tag", f"{TEST_ID_TAG}={test_id}"]
    if runner is not None:
        tags += ["--tag", f"{RUNNER_TAG}={runner}"]
    env = {
        **os.environ,
        **receiver.k6_env(native_histograms=True),
        "BASE_URL": base_url,
        "SUMMARY_FILE": str(summary),
        "K6_SYSTEM_TAGS": SYSTEM_TAGS,
        "K6_NO_USAGE_REPORT": "true",
    }
    process = await asyncio.create_subprocess_exec(
        k6, "run", "--quiet", "--no-color", *outputs, *tags, str(script), env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    output, _ = await asyncio.wait_for(process.communicate(), timeout=400)
    assert process.returncode == 0, output.decode()[-3000:]
    data: dict[str, Any] = json.loads(summary.read_text())["metrics"]
    return data


def _values(k6: dict[str, Any], metric: str, scenario: str | None) -> dict[str, float]:
    values: dict[str, float] = k6[f"{metric}{{scenario:{scenario}}}" if scenario else metric][
        "values"
    ]
    return values


def request_counts(k6: dict[str, Any], scenario: str | None, percentiles: bool) -> RequestCounts:
    durations = _values(k6, "http_req_duration", scenario)
    wanted = PERCENTILES if percentiles else {}
    return RequestCounts(
        requests=int(_values(k6, "http_reqs", scenario)["count"]),
        failed=int(_values(k6, "http_req_failed", scenario)["passes"]),
        response_time=ResponseTimes(
            count=int(durations["count"]),
            min=durations["min"],
            max=durations["max"],
            avg=durations["avg"],
            **{f"p{p}": durations[key] for key, p in wanted.items()},
        ),
    )


def k6_counts(k6: dict[str, Any], *, percentiles: bool = True) -> K6Counts:
    """K6Counts as the runner makes them from one k6 summary."""
    return K6Counts(
        overall=request_counts(k6, None, percentiles),
        scenarios={s: request_counts(k6, s, percentiles) for s in SCENARIOS},
    )


def _merge(parts: list[RequestCounts]) -> RequestCounts:
    times = [p.response_time for p in parts if p.response_time]
    count = sum(t.count for t in times)
    return RequestCounts(
        requests=sum(p.requests for p in parts),
        failed=sum(p.failed for p in parts),
        response_time=ResponseTimes(
            count=count,
            min=min(t.min for t in times if t.min is not None),
            max=max(t.max for t in times if t.max is not None),
            avg=sum((t.avg or 0) * t.count for t in times) / count,
        ),
    )


def summed(runs: list[K6Counts]) -> K6Counts:
    """Several runners' counts: what the runner's ``summed()`` gives (no percentiles)."""
    return K6Counts(
        overall=_merge([r.overall for r in runs]),
        scenarios={s: _merge([r.scenarios[s] for r in runs]) for s in SCENARIOS},
        runners=len(runs),
    )


async def wait_stored(
    client: InfluxClient, test_id: str, start: datetime, expected: int, *, fast: bool = True
) -> None:
    """Until InfluxDB holds ``expected`` requests (every sample: all but ``FOLDED`` of them):
    the receiver and k6's InfluxDB output write in the background."""
    bounds = Bounds(test_id, ns(start), ns(datetime.now(UTC) + timedelta(minutes=1)))
    deadline = time.monotonic() + 180  # a condition, not a sleep: ends as soon as it holds
    count = FAST.stored_requests if fast else PRECISE.stored_requests
    enough = expected if fast else expected * (1 - FOLDED)
    while (await count(client, bounds)).get(OVERALL, 0) < enough:
        assert time.monotonic() < deadline, "the receiver did not write every request"
        await asyncio.sleep(0.5)


def within(ours: float | None, exact: float, bound: float = BOUND) -> bool:
    assert ours is not None
    return abs(ours - exact) <= bound * abs(exact)


def groups(summary: TestSummary) -> dict[str | None, MetricFigures]:
    return {None: summary.overall} | {s.name: s.figures for s in summary.scenarios}


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_target(tmp_path_factory.mktemp("target"))


@pytest.fixture(scope="module")
def k6(stack: StackConfig) -> str:
    binary = stack.k6_binary()
    if binary is None:
        pytest.fail("k6 is not installed: run scripts/bootstrap.sh")
    return binary


OneRun = tuple[dict[str, Any], TestSummary, TestSummary, datetime, str]


@pytest.fixture(scope="module")
async def one_runner(
    stack: StackConfig, k6: str, target: Path, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """One runner, ``REQUESTS`` requests: k6's summary, our summary with k6's response times
    and our summary without them (percentiles from histograms)."""
    test_id = str(uuid.uuid4())
    async with running_receiver(stack, DATABASE) as (_, receiver):
        client = InfluxClient(stack.influxdb_url, DATABASE)
        started = datetime.now(UTC) - timedelta(seconds=5)
        with serve_target(target) as base_url:
            data = await run_k6(
                k6, receiver, base_url, test_id, tmp_path_factory.mktemp("k6"),
                requests=REQUESTS, vus=20,
            )  # fmt: skip
        await wait_stored(client, test_id, started, int(data["http_reqs"]["values"]["count"]))
        end = datetime.now(UTC) + timedelta(seconds=5)
        exact = await FAST.summarise(client, test_id, (started, end), k6_counts(data))
        from_histograms = await FAST.summarise(client, test_id, (started, end), None)
        live = await FAST.live_snapshot(
            client, LiveRead(test_id, started, end, timedelta(seconds=5))
        )
        await client.aclose()
        yield data, exact, from_histograms, live


async def test_counts_of_every_request_equal_k6s(one_runner: Any) -> None:
    data, exact, from_histograms, live = one_runner
    assert data["http_reqs"]["values"]["count"] >= REQUESTS
    for summary in (exact, from_histograms):
        for scenario, figures in groups(summary).items():
            assert figures.total_requests == _values(data, "http_reqs", scenario)["count"]
            assert figures.failed_requests == _values(data, "http_req_failed", scenario)["passes"]
            durations = _values(data, "http_req_duration", scenario)
            assert figures.avg_response_time == pytest.approx(durations["avg"], rel=1e-9)
    assert exact.scenarios[1].figures.failed_requests > 0  # every fifth /fail/<n> is a 500
    marked = completeness.mark(exact, k6_counts(data))
    assert marked.complete, marked.incomplete_reason
    assert [(f.status, f.count) for f in exact.failures] == [
        ("500", data["http_req_failed"]["values"]["passes"])
    ]
    assert live.overall.requests_total == data["http_reqs"]["values"]["count"]
    assert exact.series is not None
    total = round(sum(exact.series.overall.tps) * exact.series.step_seconds)
    assert total == data["http_reqs"]["values"]["count"]


async def test_one_runners_percentiles_are_k6s_own(one_runner: Any) -> None:
    data, exact, _, _ = one_runner
    assert exact.percentile_source is PercentileSource.K6_SUMMARY
    assert exact.percentile_error_bound == 0
    for scenario, figures in groups(exact).items():
        durations = _values(data, "http_req_duration", scenario)
        for key, p in PERCENTILES.items():
            assert getattr(figures, f"p{p}_response_time") == durations[key], (scenario, key)
        assert (figures.min_response_time, figures.max_response_time) == (
            durations["min"],
            durations["max"],
        )


async def test_histogram_percentiles_are_within_the_bound_of_k6s(one_runner: Any) -> None:
    data, _, from_histograms, _ = one_runner
    assert from_histograms.percentile_source is PercentileSource.HISTOGRAM
    assert from_histograms.percentile_error_bound == HISTOGRAM_ERROR_BOUND
    errors = []
    for scenario, figures in groups(from_histograms).items():
        durations = _values(data, "http_req_duration", scenario)
        for key, p in PERCENTILES.items():
            ours = getattr(figures, f"p{p}_response_time")
            assert within(ours, durations[key]), (scenario, key, ours, durations[key])
            errors.append(abs(ours / durations[key] - 1))
        assert within(figures.min_response_time, durations["min"]), scenario
        assert within(figures.max_response_time, durations["max"]), scenario
    print(f"\none runner, histogram percentiles vs k6's: largest error {max(errors):.2%}")
    assert from_histograms.series is not None
    assert any(v is not None for v in from_histograms.series.overall.response_time_p95)


@pytest.fixture(scope="module")
async def two_runners(
    stack: StackConfig, k6: str, target: Path, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """Two k6 processes of one test (runner tags 1 and 2), each also writing every sample:
    both k6 summaries, the fast summary with their sum, the precise one (exact percentiles)."""
    test_id = str(uuid.uuid4())
    async with running_receiver(stack, DATABASE) as (_, receiver):
        client = InfluxClient(stack.influxdb_url, DATABASE)
        samples = f"{stack.influxdb_url}/{stack.influxdb_database}"
        started = datetime.now(UTC) - timedelta(seconds=5)
        with serve_target(target) as base_url:
            datas = await asyncio.gather(
                *(
                    run_k6(
                        k6,
                        receiver,
                        base_url,
                        test_id,
                        tmp_path_factory.mktemp("k6"),
                        requests=30_000,
                        vus=vus,
                        runner=runner,
                        samples_to=samples,
                    )
                    for runner, vus in ((1, 5), (2, 3))
                )
            )
        merged = summed([k6_counts(d, percentiles=False) for d in datas])
        await wait_stored(client, test_id, started, merged.overall.requests)
        end = datetime.now(UTC) + timedelta(seconds=5)
        fast = await FAST.summarise(client, test_id, (started, end), merged)
        await client.aclose()
        raw = InfluxClient(stack.influxdb_url, stack.influxdb_database)
        await wait_stored(raw, test_id, started, merged.overall.requests, fast=False)
        precise = await PRECISE.summarise(raw, test_id, (started, end))
        await raw.aclose()
        yield datas, merged, fast, precise


async def test_two_runners_merge_exactly_and_within_the_bound(two_runners: Any) -> None:
    datas, merged, fast, precise = two_runners
    assert completeness.mark(fast, merged).complete
    assert fast.percentile_source is PercentileSource.HISTOGRAM
    assert fast.percentile_error_bound == HISTOGRAM_ERROR_BOUND
    assert precise.percentile_source is PercentileSource.SAMPLES
    exact_groups = groups(precise)
    errors = []
    for scenario, figures in groups(fast).items():
        exact = exact_groups[scenario]
        k6 = merged.overall if scenario is None else merged.scenarios[scenario]
        assert figures.total_requests == k6.requests, scenario
        assert figures.failed_requests == k6.failed, scenario
        assert exact.total_requests == pytest.approx(k6.requests, rel=FOLDED, abs=1), scenario
        assert exact.failed_requests == pytest.approx(k6.failed, rel=FOLDED, abs=1), scenario
        assert k6.response_time is not None
        assert figures.min_response_time == k6.response_time.min
        assert figures.max_response_time == k6.response_time.max
        assert figures.avg_response_time == pytest.approx(k6.response_time.avg, rel=1e-9)
        for p in PERCENTILES.values():
            ours, truth = (getattr(f, f"p{p}_response_time") for f in (figures, exact))
            assert truth is not None
            assert within(ours, truth), (scenario, p, ours, truth)
            errors.append(abs(ours / truth - 1))
    print(f"\ntwo runners, merged percentiles vs every sample: largest error {max(errors):.2%}")
    # Both runners' VUs at once: 5 + 3 while both run.
    assert fast.overall.max_vus == sum(d["vus"]["values"]["max"] for d in datas)
