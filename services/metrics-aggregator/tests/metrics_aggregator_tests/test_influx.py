"""The InfluxQL client and the summary against the real InfluxDB, on line protocol we write."""

from __future__ import annotations

import math
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from mv_contracts.metrics import MetricFigures
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.aggregate import NO_SAMPLES, OVERALL, LiveRead, LiveTotals
from mv_metrics_aggregator.influx import InfluxClient, InfluxQueryError, InfluxUnavailable
from mv_metrics_aggregator.lineprotocol import Request, SyntheticRun, pod_lines
from mv_metrics_aggregator.precise import PRECISE

from .databases import fresh_database

DATABASE = "mv_aggregator_test"


@pytest.fixture(scope="module")
async def influx(stack: StackConfig) -> AsyncIterator[InfluxClient]:
    async with fresh_database(stack, DATABASE) as client:
        yield client


def k6_percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    i = p / 100 * (len(ordered) - 1)
    low, high = ordered[math.floor(i)], ordered[math.ceil(i)]
    return low + (high - low) * (i - math.floor(i))


def at(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, UTC)


def check(requests: list[Request], figures: MetricFigures) -> None:
    durations = [r.duration_ms for r in requests]
    assert figures.total_requests == len(requests)
    assert figures.failed_requests == sum(r.failed for r in requests)
    assert figures.min_response_time == min(durations)
    assert figures.max_response_time == max(durations)
    assert figures.avg_response_time == pytest.approx(sum(durations) / len(durations))
    for p in (50, 90, 95, 99):
        expected = k6_percentile(durations, p)
        assert getattr(figures, f"p{p}_response_time") == pytest.approx(expected, abs=1e-9)


async def test_summary_of_written_samples_is_exact(influx: InfluxClient) -> None:
    start = 1_700_000_000_000_000_000 + 123_456_789
    run = SyntheticRun(str(uuid.uuid4()), start, requests=3001, seconds=6)
    other = SyntheticRun(str(uuid.uuid4()), start, requests=500, seconds=6, seed=2)
    await influx.write("\n".join(run.lines(keep=True)))
    await influx.write("\n".join(other.lines()))  # another test at the same time: not counted
    summary = await PRECISE.summarise(
        influx, run.test_id, (at(start - 10**9), at(start + 10 * 10**9))
    )
    check(run.made, summary.overall)
    for scenario in summary.scenarios:
        check([r for r in run.made if r.scenario == scenario.name], scenario.figures)
    assert [s.name for s in summary.scenarios] == ["s01_a", "s02_b"]
    overall = summary.overall
    assert (overall.max_vus, overall.min_vus, overall.avg_vus) == (10, 10, 10)
    assert overall.test_duration == pytest.approx(6, abs=0.01)
    assert overall.test_duration is not None
    assert overall.avg_tps == pytest.approx(3001 / overall.test_duration)
    # 3001 requests evenly over 6 s, one every ~1.9993 ms: a full bucket holds 500 or 501.
    assert overall.min_tps in (500, 501)
    assert overall.max_tps in (500, 501)
    assert overall.avg_error_rate == pytest.approx(151 / 3001)


async def test_resources_of_the_window_per_pod(influx: InfluxClient) -> None:
    start = 1_700_000_100_000_000_000
    run = SyntheticRun(str(uuid.uuid4()), start, requests=100, seconds=3)
    await influx.write("\n".join(run.lines()))
    ours, other = (run.test_id, "t-9"), ("t-9",)
    usage: list[tuple[float, float]] = [(100, 200), (400, 256), (250, 230)]
    await influx.write(pod_lines("test", "api-1", start, usage, ours))
    await influx.write(pod_lines("test", "api-1", start + 3 * 10**9, [(900, 500)], other))
    await influx.write(pod_lines("test", "api-2", start, [(50, 100)], ("x", run.test_id)))
    await influx.write(pod_lines("test", "idle", start, [(999, 999)]))  # no test running
    await influx.write(pod_lines("test", "old", start - 3600 * 10**9, [(999, 999)], ours))
    summary = await PRECISE.summarise(influx, run.test_id, (at(start), at(start + 5 * 10**9)))
    pods = {p.pod: p for p in summary.resources}
    assert set(pods) == {"api-1", "api-2"}
    api = pods["api-1"]
    assert (api.cpu_min_millicores, api.cpu_avg_millicores, api.cpu_max_millicores) == (
        100,
        250,
        400,
    )
    assert (api.memory_min_mb, api.memory_max_mb) == (200, 256)
    assert api.cpu_peak_percent == 40
    assert api.memory_peak_percent == pytest.approx(50)


async def test_a_test_without_samples_gets_an_empty_summary(influx: InfluxClient) -> None:
    now = datetime.now(UTC)
    summary = await PRECISE.summarise(influx, "never-ran", (now - timedelta(minutes=5), now))
    assert summary.empty_reason == NO_SAMPLES
    assert summary.overall.total_requests == 0
    assert summary.scenarios == []


async def test_live_snapshot_of_the_last_window(influx: InfluxClient) -> None:
    start = 1_700_000_200_000_000_000
    run = SyntheticRun(str(uuid.uuid4()), start, requests=1000, seconds=10, failure_every=10)
    await influx.write("\n".join(run.lines(keep=True)))
    now = at(start + 10 * 10**9)
    snapshot = await PRECISE.live_snapshot(
        influx, LiveRead(run.test_id, at(start), now, timedelta(seconds=5))
    )
    assert snapshot.overall.requests_total == 1000
    assert snapshot.overall.failed_total == 100
    assert snapshot.overall.error_rate == pytest.approx(0.1)
    assert snapshot.overall.tps == pytest.approx(100)  # 500 requests in the last 5 s
    recent = [r.duration_ms for r in run.made if r.time_ns >= start + 5 * 10**9]
    assert snapshot.overall.response_time_avg == pytest.approx(sum(recent) / len(recent))
    assert snapshot.overall.vus == 10
    assert {s.name: s.figures.requests_total for s in snapshot.scenarios} == {
        "s01_a": 500,
        "s02_b": 500,
    }


async def test_live_totals_count_each_settled_span_once(influx: InfluxClient) -> None:
    start = 1_700_000_300_000_000_000
    run = SyntheticRun(str(uuid.uuid4()), start, requests=1000, seconds=10, failure_every=4)
    await influx.write("\n".join(run.lines()))
    totals = LiveTotals(start)
    settle, window = timedelta(seconds=2), timedelta(seconds=1)
    first = await PRECISE.live_snapshot(
        influx, LiveRead(run.test_id, at(start), at(start + 5 * 10**9), window, totals, settle)
    )
    assert first.overall.requests_total == 500
    assert totals.until_ns == start + 3 * 10**9
    assert totals.requests[OVERALL] == 300  # kept: the next snapshot reads only from here
    second = await PRECISE.live_snapshot(
        influx, LiveRead(run.test_id, at(start), at(start + 11 * 10**9), window, totals, settle)
    )
    assert second.overall.requests_total == 1000
    assert second.overall.failed_total == 250
    assert totals.requests == {OVERALL: 900, "s01_a": 450, "s02_b": 450}
    assert {s.name: s.figures.requests_total for s in second.scenarios} == {
        "s01_a": 500,
        "s02_b": 500,
    }


async def test_refused_statement_is_a_query_error(influx: InfluxClient) -> None:
    with pytest.raises(InfluxQueryError, match="SELEC"):
        await influx.query("SELEC nonsense")


async def test_unreachable_influxdb_is_retried_then_reported() -> None:
    client = InfluxClient("http://127.0.0.1:9", "k6", max_retry=2, backoff=0.01)
    try:
        with pytest.raises(InfluxUnavailable, match="after 3 attempts"):
            await client.query("SHOW DATABASES")
    finally:
        await client.aclose()


async def test_stored_series_add_up_to_the_summary(influx: InfluxClient) -> None:
    start = 1_700_100_000_000_000_000 + 250_000_000
    run = SyntheticRun(str(uuid.uuid4()), start, requests=2400, seconds=12)
    await influx.write("\n".join(run.lines(keep=True)))
    summary = await PRECISE.summarise(
        influx, run.test_id, (at(start - 10**9), at(start + 20 * 10**9))
    )
    series = summary.series
    assert series is not None
    assert series.step_seconds == 1
    assert list(series.scenarios) == ["s01_a", "s02_b"]
    first_second = start // 10**9
    assert series.overall.time[0] == first_second
    assert series.overall.time == list(range(first_second, first_second + len(series.overall.time)))
    # Every request is in exactly one step: TPS times step adds up to the counts, per scenario too.
    assert sum(series.overall.tps) == summary.overall.total_requests
    for scenario in summary.scenarios:
        assert sum(series.scenarios[scenario.name].tps) == scenario.figures.total_requests
        assert series.scenarios[scenario.name].vus == [None] * len(series.overall.time)
    # The error rate and p95 of one full step, from the samples of that second.
    second = first_second + 3
    in_second = [r for r in run.made if r.time_ns // 10**9 == second]
    index = series.overall.time.index(second)
    assert series.overall.error_rate[index] == pytest.approx(
        sum(r.failed for r in in_second) / len(in_second)
    )
    ordered = sorted(r.duration_ms for r in in_second)
    assert (
        series.overall.response_time_p95[index]
        == ordered[math.floor(len(ordered) * 0.95 + 0.5) - 1]
    )
    # The vus gauge is written once a second from the start; the last one falls after the last
    # request, outside the active range.
    assert series.overall.vus[:-1] == [10.0] * (len(series.overall.time) - 1)


async def test_series_of_a_long_test_are_downsampled(influx: InfluxClient) -> None:
    start = 1_700_200_000_000_000_000
    run = SyntheticRun(str(uuid.uuid4()), start, requests=3000, seconds=2500, scenarios=("s01",))
    await influx.write("\n".join(run.lines()))
    summary = await PRECISE.summarise(influx, run.test_id, (at(start), at(start + 2600 * 10**9)))
    assert summary.series is not None
    assert summary.series.step_seconds == 3
    assert len(summary.series.overall.time) <= 1000
    steps = summary.series.overall.tps
    assert sum(tps * 3 for tps in steps) == pytest.approx(3000)


async def test_failures_by_status_and_dropped_iterations(influx: InfluxClient) -> None:
    start = 1_700_300_000_000_000_000
    run = SyntheticRun(str(uuid.uuid4()), start, requests=1000, seconds=5, failure_every=10)
    dropped = [
        f"dropped_iterations,testid={run.test_id},scenario=s02_b value={n} {start + i * 10**9}"
        for i, n in enumerate((3, 4))
    ]
    timeout = (  # a request that got no response: status 0 and k6's error code 1050
        f"http_req_failed,testid={run.test_id},scenario=s01_a,status=0,error_code=1050 "
        f"value=1 {start + 10**9 + 7}"
    )
    await influx.write("\n".join([*run.lines(keep=True), *dropped, timeout]))
    summary = await PRECISE.summarise(influx, run.test_id, (at(start), at(start + 6 * 10**9)))
    failed_500 = sum(r.failed for r in run.made)
    assert [(f.status, f.error_code, f.count) for f in summary.failures] == [
        ("500", None, failed_500),
        ("0", "1050", 1),
    ]
    by_name = {s.name: s for s in summary.scenarios}
    assert [(f.status, f.count) for f in by_name["s01_a"].failures] == [
        ("500", sum(r.failed for r in run.made if r.scenario == "s01_a")),
        ("0", 1),
    ]
    assert summary.dropped_iterations == 7
    assert (by_name["s01_a"].dropped_iterations, by_name["s02_b"].dropped_iterations) == (0, 7)


async def test_vus_of_a_split_test_are_the_sum_of_its_runners(influx: InfluxClient) -> None:
    start = 1_700_400_000_000_000_000
    run = SyntheticRun(str(uuid.uuid4()), start, requests=600, seconds=6, scenarios=("s01",))
    requests = [line for line in run.lines() if not line.startswith("vus,")]
    # Three runners report their VUs each second; runner 1 ramps 1..7, the others hold 5 and 10.
    vus = [
        f"vus,testid={run.test_id},runner={runner} value={value(second)} "
        f"{start + second * 10**9 + runner * 1000}"
        for second in range(7)
        for runner, value in ((1, lambda s: s + 1), (2, lambda s: 5), (3, lambda s: 10))
    ]
    await influx.write("\n".join([*requests, *vus]))
    summary = await PRECISE.summarise(influx, run.test_id, (at(start), at(start + 8 * 10**9)))
    overall = summary.overall
    assert (overall.min_vus, overall.max_vus) == (16, 22)
    assert overall.avg_vus == pytest.approx(19)
    assert summary.series is not None
    assert [v for v in summary.series.overall.vus if v is not None][:3] == [16.0, 17.0, 18.0]
    snapshot = await PRECISE.live_snapshot(
        influx, LiveRead(run.test_id, at(start), at(start + 7 * 10**9), timedelta(seconds=2))
    )
    assert snapshot.overall.vus == 22  # each runner's last value in the window, added up
