"""Fast-mode figures from compact points written to the real InfluxDB (no k6 needed): runners,
setup requests outside any scenario, dropped iterations, series, and a test without points."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest

from mv_contracts.metrics import HISTOGRAM_ERROR_BOUND, PercentileSource
from mv_devstack.config import StackConfig
from mv_metrics_aggregator.aggregate import NO_SAMPLES, LiveRead
from mv_metrics_aggregator.fast import FAST
from mv_metrics_aggregator.influx import InfluxClient
from mv_metrics_aggregator.lineprotocol import SyntheticCompactRun

from .databases import fresh_database

DATABASE = "mv_aggregator_fast_test"


@pytest.fixture(scope="module")
async def influx(stack: StackConfig) -> AsyncIterator[InfluxClient]:
    async with fresh_database(stack, DATABASE) as client:
        yield client


def at(ns: int) -> datetime:
    return datetime.fromtimestamp(ns / 1e9, UTC)


async def test_two_runners_setup_requests_and_dropped_iterations(influx: InfluxClient) -> None:
    start = 1_700_500_000_000_000_000
    run = SyntheticCompactRun(
        str(uuid.uuid4()), start, seconds=10, rate=800, scenarios=("s01_a", "s02_b"), runners=2
    )
    extra = [  # a setup() request (no scenario) and iterations s02_b could not start
        f"mv_requests,testid={run.test_id},runner=1,scenario=- requests=1i,failed=0i,"
        f"duration_count=1i,duration_sum=5.0 {start + 10**9 // 2}",
        f"mv_dropped,testid={run.test_id},runner=2,scenario=s02_b dropped=3i {start + 4 * 10**9}",
        f"mv_dropped,testid={run.test_id},runner=1,scenario=s02_b dropped=2i {start + 5 * 10**9}",
    ]
    await influx.write("\n".join([*run.lines(), *extra]))
    summary = await FAST.summarise(influx, run.test_id, (at(start), at(start + 12 * 10**9)), None)
    per_point = 800 // 4
    assert summary.overall.total_requests == run.requests + 1
    assert [(s.name, s.figures.total_requests) for s in summary.scenarios] == [
        ("s01_a", per_point * 2 * 10),
        ("s02_b", per_point * 2 * 10),
    ]
    assert summary.overall.failed_requests == per_point // 20 * 4 * 10
    assert [(f.status, f.error_code, f.count) for f in summary.failures] == [
        ("500", "1500", summary.overall.failed_requests)
    ]
    assert summary.dropped_iterations == 5
    assert [s.dropped_iterations for s in summary.scenarios] == [0, 5]
    # Each runner holds 50 VUs: 100 in every second both pushed.
    assert summary.overall.max_vus == 100
    # From the half second before the first point to the last (10 s), plus the push interval.
    assert summary.overall.test_duration == pytest.approx(10.5, abs=0.01)
    assert summary.overall.max_tps == summary.overall.min_tps == 800  # full seconds only
    assert summary.percentile_source is PercentileSource.HISTOGRAM
    assert summary.percentile_error_bound == HISTOGRAM_ERROR_BOUND
    b = summary.scenarios[1].figures
    a = summary.scenarios[0].figures
    assert a.p50_response_time is not None
    assert b.p50_response_time is not None
    # s02_b's median is 1.5x s01_a's (20 ms): read from histograms, within the bound.
    assert a.p50_response_time == pytest.approx(20, rel=HISTOGRAM_ERROR_BOUND)
    assert b.p50_response_time == pytest.approx(30, rel=HISTOGRAM_ERROR_BOUND)
    assert summary.series is not None
    assert summary.series.step_seconds == 1
    assert sum(summary.series.overall.tps) == run.requests + 1
    p95 = [v for v in summary.series.scenarios["s01_a"].response_time_p95 if v is not None]
    assert len(p95) == 10
    assert len(set(p95)) == 1  # every second has the same shape here

    snapshot = await FAST.live_snapshot(
        influx,
        LiveRead(run.test_id, at(start), at(start + 10 * 10**9 + 10**6), timedelta(seconds=2)),
    )
    assert snapshot.overall.requests_total == run.requests + 1
    assert snapshot.overall.vus == 100  # each runner's last value in the window, added up
    assert snapshot.overall.tps == pytest.approx(800)
    assert snapshot.overall.response_time_p95 is not None


async def test_a_test_without_points_is_empty(influx: InfluxClient) -> None:
    now = datetime.now(UTC)
    summary = await FAST.summarise(
        influx, str(uuid.uuid4()), (now - timedelta(minutes=1), now), None
    )
    assert summary.empty_reason == NO_SAMPLES
    assert summary.percentile_source is None


async def test_vus_keep_the_peak_and_the_low_of_a_second_with_two_samples(
    influx: InfluxClient,
) -> None:
    """k6's one-second ticker runs late under load, so a second can hold two of a runner's
    samples: its last alone lost the peak (a run showed at most 6 VUs where k6 counted 8)."""
    start, second = 1_700_600_000_000_000_000, 10**9
    test_id = str(uuid.uuid4())
    lines = [
        f"mv_requests,testid={test_id},scenario=s01_a requests=10i,failed=0i,"
        f"duration_count=10i,duration_sum=50.0 {start + i * second}"
        for i in range(4)
    ]
    samples = [(0.1, 5), (1.1, 8), (1.9, 4), (2.5, 6)]  # (seconds, VUs): the second 1 holds two
    lines += [
        f"mv_vus,testid={test_id} vus={vus}i,vus_max=10i {start + int(t * second)}"
        for t, vus in samples
    ]
    await influx.write("\n".join(lines))
    summary = await FAST.summarise(influx, test_id, (at(start), at(start + 5 * second)), None)
    assert (summary.overall.max_vus, summary.overall.min_vus) == (8, 4)
    assert summary.series is not None
    # The series: each second's most.
    assert [v for v in summary.series.overall.vus if v is not None] == [5, 8, 6]
