"""The metric definitions and their InfluxQL: the one place that says what a figure means.

Every statement is bounded by the test id tag and a time range, and every aggregate (count, sum,
mean, min, max, percentile, per-second buckets) is computed by InfluxDB; Python only combines a
handful of aggregated numbers.

One module per path of a test's points, behind this one import (``from . import definitions as
q``): :mod:`.precise` (every sample k6 writes; what each figure means), :mod:`.compact` (the
fast mode's compact points, the same figures), :mod:`.resources` (the pods'), over :mod:`.common`
(bounds and literals).
"""

from __future__ import annotations

from .common import (
    BUCKET,
    DROPPED,
    DURATION,
    ERROR_CODE_TAG,
    FAILED,
    LIVE_PERCENTILES,
    PERCENTILES,
    REQUESTS,
    STATUS_TAG,
    VUS,
    Bounds,
    Vus,
    ns,
    quote_string,
    series_step,
)
from .compact import (
    COMPACT_MEAN,
    compact_buckets,
    compact_counts,
    compact_failures,
    compact_histograms,
    compact_live,
    compact_requests,
)
from .precise import (
    buckets,
    counts,
    failures,
    literal,
    live,
    percentiles,
    rank_arguments,
    requests,
    series,
)
from .resources import resources, test_ids_match

__all__ = [
    "BUCKET",
    "COMPACT_MEAN",
    "DROPPED",
    "DURATION",
    "ERROR_CODE_TAG",
    "FAILED",
    "LIVE_PERCENTILES",
    "PERCENTILES",
    "REQUESTS",
    "STATUS_TAG",
    "VUS",
    "Bounds",
    "Vus",
    "buckets",
    "compact_buckets",
    "compact_counts",
    "compact_failures",
    "compact_histograms",
    "compact_live",
    "compact_requests",
    "counts",
    "failures",
    "literal",
    "live",
    "ns",
    "percentiles",
    "quote_string",
    "rank_arguments",
    "requests",
    "resources",
    "series",
    "series_step",
    "test_ids_match",
]
