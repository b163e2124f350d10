"""Percentiles, min and max read from merged native histograms, against the exact ones."""

from __future__ import annotations

import math
import random

import pytest

from mv_contracts.metrics import HISTOGRAM_ERROR_BOUND, HISTOGRAM_SCHEMA
from mv_metrics_aggregator.histograms import Histogram, merged, parse

PERCENTILES = (50, 90, 95, 99)


def k6_percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    i = p / 100 * (len(ordered) - 1)
    low, high = ordered[math.floor(i)], ordered[math.ceil(i)]
    return low + (high - low) * (i - math.floor(i))


def field(values_ms: list[float], schema: int = HISTOGRAM_SCHEMA, zero: int = 0) -> str:
    """A ``duration_hist`` field as the receiver writes it for these response times."""
    buckets: dict[int, int] = {}
    for value in values_ms:
        index = math.ceil(math.log2(value / 1000) * 2**schema)
        buckets[index] = buckets.get(index, 0) + 1
    return f"{schema} z:{zero}" + "".join(f" {i}:{n}" for i, n in sorted(buckets.items()))


def samples(n: int, seed: int, mu: float = 3.0) -> list[float]:
    rng = random.Random(seed)
    return [rng.lognormvariate(mu, 0.8) for _ in range(n)]


def within(ours: float | None, exact: float, bound: float = HISTOGRAM_ERROR_BOUND) -> bool:
    assert ours is not None
    return abs(ours - exact) <= bound * exact * (1 + 1e-9)


@pytest.mark.parametrize("n", [1, 2, 7, 1000, 50_000])
def test_percentiles_min_and_max_are_within_the_bound(n: int) -> None:
    values = samples(n, seed=n)
    histogram = parse(field(values))
    assert histogram.count == n
    found = histogram.percentiles(PERCENTILES)
    for p in PERCENTILES:
        assert within(found[p], k6_percentile(values, p)), p
    low, high = histogram.extremes()
    assert within(low, min(values))
    assert within(high, max(values))


def test_points_merge_into_the_histogram_of_all_their_samples() -> None:
    # Four runner-seconds of different speeds: merged, they read as the union of their samples.
    parts = [samples(2000, seed=s, mu=2.0 + s) for s in range(4)]
    together = merged([field(part) for part in parts])
    union = [v for part in parts for v in part]
    assert together.count == len(union)
    assert together.buckets == parse(field(union)).buckets
    for p, value in together.percentiles(PERCENTILES).items():
        assert within(value, k6_percentile(union, p)), p


def test_a_coarser_schema_folds_the_finer_buckets() -> None:
    fine, coarse = samples(3000, seed=1), samples(3000, seed=2)
    histogram = Histogram()
    histogram.add_text(field(fine, schema=3))
    histogram.add_text(field(coarse, schema=2))
    assert histogram.schema == 2
    assert histogram.buckets == parse(field(fine + coarse, schema=2)).buckets
    bound = 2 ** (1 / 2**3) - 1  # schema 2: buckets a factor 2**(1/4) apart
    for p, value in histogram.percentiles(PERCENTILES).items():
        assert within(value, k6_percentile(fine + coarse, p), bound), p


def test_the_zero_bucket_reads_as_zero_and_empty_reads_as_nothing() -> None:
    histogram = parse("3 z:10 0:1")  # ten zero-ish samples, one of (2**(-1/8), 1] s
    assert histogram.count == 11
    assert histogram.percentiles((50,))[50] == 0.0
    assert histogram.extremes()[0] == 0.0
    assert Histogram().percentiles(PERCENTILES) == dict.fromkeys(PERCENTILES)
    assert Histogram().extremes() == (None, None)
