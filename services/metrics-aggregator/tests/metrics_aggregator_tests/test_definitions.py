"""The pure parts: rank arithmetic, bucket trimming and figure assembly."""

from __future__ import annotations

import math
import random

import pytest

from mv_metrics_aggregator import definitions as q
from mv_metrics_aggregator.summary import (
    GroupCounts,
    SeriesRows,
    active_buckets,
    full_bucket_extremes,
    interpolate,
    live_figures,
    metric_figures,
    metric_series,
    rebucket,
)


def influx_nearest_rank(values: list[float], percentile: float) -> float:
    """InfluxDB 1.x PERCENTILE (query/functions: floor(n * p / 100 + 0.5) - 1)."""
    ordered = sorted(values)
    return ordered[math.floor(len(ordered) * percentile / 100 + 0.5) - 1]


def k6_percentile(values: list[float], percentile: float) -> float:
    """k6's TrendSink.P: linear interpolation between the closest ranks."""
    ordered = sorted(values)
    i = percentile / 100 * (len(ordered) - 1)
    low, high = ordered[math.floor(i)], ordered[math.ceil(i)]
    return low + (high - low) * (i - math.floor(i))


@pytest.mark.parametrize("n", [1, 2, 3, 7, 10, 99, 100, 101, 1000, 12345])
def test_two_nearest_ranks_reproduce_k6_percentiles(n: int) -> None:
    rng = random.Random(n)
    values = [rng.expovariate(0.05) for _ in range(n)]
    for p in (*q.PERCENTILES, 99.9):
        q_low, q_high, fraction = q.rank_arguments(p, n)
        # Through the literal the statement sends, as InfluxDB parses it.
        low = influx_nearest_rank(values, float(q.literal(q_low)))
        high = influx_nearest_rank(values, float(q.literal(q_high)))
        assert interpolate(low, high, fraction) == pytest.approx(k6_percentile(values, p))


def test_rank_arguments_refuse_no_samples() -> None:
    with pytest.raises(ValueError, match="at least one sample"):
        q.rank_arguments(95, 0)


def test_literals_have_no_exponent() -> None:
    q_low, _, _ = q.rank_arguments(0.001, 10**7)
    assert "e" not in q.literal(q_low)


def test_strings_are_quoted_so_a_test_id_cannot_escape() -> None:
    bounds = q.Bounds("x' OR 1=1 --\\", 0, 10)
    assert "\"testid\" = 'x\\' OR 1=1 --\\\\'" in bounds.where()
    assert bounds.where("s01").endswith("AND \"scenario\" = 's01'")


def test_every_statement_is_bounded_by_test_and_time() -> None:
    bounds = q.Bounds("t1", 100, 200)
    statements = [
        *q.counts(bounds).values(),
        *q.buckets(bounds).values(),
        *q.series(bounds, 2).values(),
        q.percentiles(bounds, 10),
        *q.live(bounds, bounds, bounds).values(),
    ]
    for statement in statements:
        assert "\"testid\" = 't1' AND time >= 100 AND time < 200" in statement, statement


def test_active_buckets_keep_the_range_of_the_group() -> None:
    rows = [{"time": t, "tps": v} for t, v in [(0, 0), (1000, 5), (2000, 9), (3000, 4), (4000, 0)]]
    assert active_buckets(rows, "tps", 1500, 3999) == [5.0, 9.0, 4.0]
    assert active_buckets(rows, "tps", 2000, 2000) == [9.0]


def test_full_buckets_exclude_the_partial_first_and_last() -> None:
    assert full_bucket_extremes([3, 10, 7, 12, 1]) == (12, 7)
    assert full_bucket_extremes([3, 10]) == (None, None)


def test_figures_of_a_group() -> None:
    counts = GroupCounts(
        requests=100, failed=5, samples=100, min=1, max=9, mean=4, first_ms=0, last_ms=4000
    )
    figures = metric_figures(counts, {95: 8.0}, [10, 30, 20, 30, 10], [0.0, 0.1, 0.0, 0.2, 0.5])
    assert figures.avg_tps == 25
    assert (figures.max_tps, figures.min_tps) == (30, 20)
    assert figures.avg_error_rate == 0.05
    assert (figures.max_error_rate, figures.min_error_rate) == (0.2, 0.0)
    assert figures.test_duration == 4
    assert figures.p95_response_time == 8.0
    assert figures.max_vus is None


def test_short_group_falls_back_to_the_average_tps() -> None:
    counts = GroupCounts(requests=3, failed=0, samples=3, first_ms=100, last_ms=300)
    figures = metric_figures(counts, {}, [3], [0.0])
    assert figures.test_duration == 1  # at least one bucket
    assert figures.max_tps == figures.min_tps == figures.avg_tps == 3


def test_empty_group_has_no_rates() -> None:
    figures = metric_figures(GroupCounts(), {}, [], [])
    assert figures.total_requests == 0
    assert figures.avg_tps is None
    assert figures.avg_error_rate is None


def test_live_figures() -> None:
    figures = live_figures(200, 10, 50, 5, {"avg": 3.5, "p95": 9, "p99": None}, vus=4)
    assert figures.tps == 10
    assert figures.error_rate == 0.05
    assert figures.response_time_p95 == 9
    assert figures.response_time_p99 is None
    assert live_figures(0, 0, 0, 5, {}).error_rate == 0


def test_pod_points_are_matched_by_the_test_id_in_their_list() -> None:
    assert q.test_ids_match("a/b.c-1") == '"test_ids" =~ /(^|,)a\\/b\\.c-1(,|$)/'
    statement = q.resources("t1", 100, 200)
    assert "time >= 100 AND time < 200" in statement
    assert '"test_ids" =~ /(^|,)t1(,|$)/' in statement


def test_series_step_keeps_a_series_within_its_points() -> None:
    assert q.series_step(0.5, 1000) == 1
    assert q.series_step(1000, 1000) == 1
    assert q.series_step(1001, 1000) == 2
    assert q.series_step(3600, 1000) == 4


def test_series_columns_share_one_axis_with_gaps() -> None:
    rows = SeriesRows(
        requests=[{"time": 10_000, "n": 4}, {"time": 14_000, "n": 2}],
        errors=[{"time": 10_000, "rate": 0.25}, {"time": 14_000, "rate": 0.0}],
        durations=[{"time": 10_000, "avg": 5.0, "p95": 9.0, "p99": 9.5}],
        vus=[{"time": 12_000, "vus": 3}],
    )
    series = metric_series(rows, 2, first_ms=10_400, last_ms=15_900)
    assert series.time == [10, 12, 14]
    assert series.tps == [2.0, 0.0, 1.0]  # requests per second of a 2 s step; none is 0
    assert series.error_rate == [0.25, None, 0.0]
    assert series.response_time_p95 == [9.0, None, None]
    assert series.vus == [None, 3.0, None]


def test_one_second_buckets_summed_into_steps() -> None:
    tps = [{"time": 10_000, "tps": 4}, {"time": 11_000, "tps": 6}, {"time": 12_000, "tps": 0}]
    errors = [{"time": 10_000, "rate": 0.5}, {"time": 11_000, "rate": 0.0}]
    requests, failures = rebucket(tps, errors, 2)
    assert requests == [{"time": 10_000, "n": 10}, {"time": 12_000, "n": 0}]
    assert failures == [{"time": 10_000, "rate": 0.2}]  # 2 of 10; a step without requests: none
