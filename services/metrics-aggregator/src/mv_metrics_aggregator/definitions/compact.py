"""The fast mode's statements (``MetricsMode.FAST``): the receiver stores compact points, about
one per second per runner and scenario (:mod:`mv_metrics_aggregator.schema`); the figures of
:mod:`.precise` are:

- requests / failed: ``SUM`` of ``requests`` / ``failed`` of ``mv_requests`` (exact: k6's own
  counters); failures by kind: ``SUM(failed)`` of ``mv_failures`` by ``status``/``error_code``;
  dropped iterations: ``SUM(dropped)`` of ``mv_dropped``.
- response time: mean = ``SUM(duration_sum) / SUM(duration_count)`` (exact); min, max and the
  percentiles from k6's own end-of-test summary (``K6Counts.response_time``, overall and per
  scenario) when one runner ran (percentiles ``k6_summary``, exact); else the percentiles from
  the group's merged native histograms (:mod:`.histograms`, ``histogram``, within
  ``HISTOGRAM_ERROR_BOUND``); min/max then from k6's summary merged over the runners, else from
  the ``duration_min``/``duration_max`` fields (trend stats), else -- within the same bound --
  the middles of the lowest and highest buckets of the merged histogram.
- active duration: from one push interval (``PUSH_SECONDS``) before the first point to the last
  point (at least 1 s): a point holds the requests of the interval before its time.
- TPS series: ``SUM(requests)`` per 1 s bucket (a push a second: about one point per runner and
  scenario in each); error-rate series ``SUM(failed) / SUM(requests)`` per bucket; max/min over
  the full buckets as above (the first point and the last hold part of a second).
- stored series: as above, with the step's mean ``SUM(duration_sum) / SUM(duration_count)`` and
  p95/p99 read from the step's merged histogram (a chart's figure, within the bound).
- VUs: as in precise (``common.Vus``), from ``vus`` of ``mv_vus``.
"""

# InfluxQL built here: the only value from outside (the test id, a scenario name) goes through
# quote_string, so the statement-building warning does not apply.
# ruff: noqa: S608

from __future__ import annotations

from mv_contracts.runs import SCENARIO_TAG
from mv_metrics_aggregator.schema import (
    DROPPED_MEASUREMENT,
    FAILURES_MEASUREMENT,
    REQUESTS_MEASUREMENT,
    VUS_MEASUREMENT,
)

from .common import (
    BUCKET,
    ERROR_CODE_TAG,
    STATUS_TAG,
    Bounds,
    Vus,
    both,
    grouped,
)

COMPACT_MEAN = 'SUM("duration_sum") / SUM("duration_count")'


POINTS_VUS = Vus(VUS_MEASUREMENT, "vus")


def compact_failures(bounds: Bounds) -> str:
    """:func:`failures` over compact points: the receiver keeps both tags on ``mv_failures``."""
    return (
        f'SELECT SUM("failed") AS n FROM "{FAILURES_MEASUREMENT}" WHERE {bounds.where()} '
        f'GROUP BY "{STATUS_TAG}", "{ERROR_CODE_TAG}"'
    )


def compact_counts(bounds: Bounds) -> dict[str, str]:
    """:func:`counts` over compact points: the same keys and columns."""
    w, points = bounds.where(), f'"{REQUESTS_MEASUREMENT}"'
    return grouped(
        {
            "requests": f'SELECT SUM("requests") AS requests FROM {points} WHERE {w}',
            "failed": f'SELECT SUM("failed") AS failed FROM {points} WHERE {w}',
            "durations": 'SELECT SUM("duration_count") AS n, MIN("duration_min") AS min, '
            f'MAX("duration_max") AS max, {COMPACT_MEAN} AS mean FROM {points} WHERE {w}',
            "first": f'SELECT FIRST("requests") FROM {points} WHERE {w}',
            "last": f'SELECT LAST("requests") FROM {points} WHERE {w}',
            "dropped": f'SELECT SUM("dropped") AS dropped FROM "{DROPPED_MEASUREMENT}" WHERE {w}',
            "failures": compact_failures(bounds),
        }
    ) | {"vus": POINTS_VUS.figures(bounds)}


def compact_requests(bounds: Bounds) -> dict[str, str]:
    """:func:`requests` over compact points."""
    statement = (
        f'SELECT SUM("requests") AS requests FROM "{REQUESTS_MEASUREMENT}" WHERE {bounds.where()}'
    )
    overall, by_scenario = both(statement)
    return {"requests": overall, "requests_by_scenario": by_scenario}


def compact_histograms(bounds: Bounds) -> str:
    """Every point's histogram with its time, by scenario (merged in Python: .histograms)."""
    return (
        f'SELECT "duration_hist" FROM "{REQUESTS_MEASUREMENT}" WHERE {bounds.where()} '
        f'GROUP BY "{SCENARIO_TAG}"'
    )


def compact_buckets(bounds: Bounds, step_seconds: int) -> dict[str, str]:
    """:func:`buckets` and :func:`series` over compact points (the histograms apart)."""
    w, step = bounds.where(), f"{step_seconds}s"
    tps = (
        f'SELECT SUM("requests") AS tps FROM "{REQUESTS_MEASUREMENT}" WHERE {w} '
        f"GROUP BY time({BUCKET})"
    )
    errors = (
        f'SELECT SUM("failed") / SUM("requests") AS rate FROM "{REQUESTS_MEASUREMENT}" '
        f"WHERE {w} GROUP BY time({BUCKET})"
    )
    durations = (
        f'SELECT {COMPACT_MEAN} AS avg FROM "{REQUESTS_MEASUREMENT}" WHERE {w} '
        f"GROUP BY time({step})"
    )
    return {
        "tps": f"{tps} fill(0)",
        "tps_by_scenario": f'{tps}, "{SCENARIO_TAG}" fill(0)',
        "errors": f"{errors} fill(none)",
        "errors_by_scenario": f'{errors}, "{SCENARIO_TAG}" fill(none)',
        "series_durations": f"{durations} fill(none)",
        "series_durations_by_scenario": f'{durations}, "{SCENARIO_TAG}" fill(none)',
        "series_vus": POINTS_VUS.series(bounds, step),
    }


def compact_live(settling: Bounds | None, unsettled: Bounds, window: Bounds) -> dict[str, str]:
    """:func:`live` over compact points; the window's histograms by :func:`compact_histograms`."""
    spans = [("", unsettled)] + ([("settle_", settling)] if settling else [])
    statements: dict[str, str] = {}
    for prefix, span in spans:
        totals = (
            'SELECT SUM("requests") AS requests, SUM("failed") AS failed '
            f'FROM "{REQUESTS_MEASUREMENT}" WHERE {span.where()}'
        )
        statements |= grouped({"totals": totals, "failures": compact_failures(span)}, prefix)
    in_window = (
        f'SELECT SUM("requests") AS requests, {COMPACT_MEAN} AS avg '
        f'FROM "{REQUESTS_MEASUREMENT}" WHERE {window.where()}'
    )
    return (
        statements
        | grouped({"window": in_window})
        | {
            "histograms": compact_histograms(window),
            "vus": POINTS_VUS.now(window),
        }
    )
