"""The metric definitions and their InfluxQL: the one place that says what a figure means.

Every statement is bounded by the test id tag and a time range, and every aggregate (count, sum,
mean, min, max, percentile, per-second buckets) is computed by InfluxDB; Python only combines a
handful of aggregated numbers.

Definitions:

- requests: ``COUNT`` of ``http_reqs``; failed: ``SUM`` of ``http_req_failed`` (k6 writes 1 for a
  failed request, 0 otherwise); error rate = failed / requests.
- response time: ``http_req_duration`` (ms) over all samples: ``MIN``, ``MAX``, ``MEAN`` and the
  percentiles p50/p90/p95/p99 *as k6 computes them*: linear interpolation between the closest
  ranks, at 0-based rank ``i = p/100 * (n - 1)``. InfluxDB's ``PERCENTILE`` is nearest-rank
  (0-based index ``floor(n * q / 100 + 0.5) - 1``), so ``PERCENTILE(value, 100 * (m + 1) / n)``
  returns exactly the m-th smallest sample; we ask for ``m = floor(i)`` and ``m = ceil(i)`` and
  interpolate the two numbers (see :func:`rank_arguments`).
- active duration: seconds from the first to the last ``http_reqs`` sample (at least 1 s);
  avg TPS = requests / active duration.
- TPS series: ``COUNT`` of ``http_reqs`` per 1 s bucket (``GROUP BY time(1s) fill(0)``) between
  the first and the last request; max/min TPS over the full buckets, i.e. without the partial
  first and last bucket. The error-rate series is ``MEAN(http_req_failed)`` per 1 s bucket, its
  max/min over the same full buckets; avg error rate = failed / requests.
- stored series: per step (1 s, or longer so a series has at most ``MAX_SERIES_POINTS``
  points): TPS = requests / step and error rate = failures / requests, summed from the 1 s
  buckets above (failures of a bucket = its mean ``http_req_failed`` x its requests), response
  time ``MEAN`` and InfluxDB's nearest-rank ``PERCENTILE`` 95/99 of the step's samples (a chart's
  figure, not the summary's exact one), VUs = ``MAX(vus)`` of the step.
- failures by kind: ``COUNT`` of ``http_req_failed`` samples equal to 1, grouped by k6's
  ``status`` and ``error_code`` tags (live too: kept per span like the totals); dropped
  iterations: ``SUM`` of ``dropped_iterations``.
- VUs: ``MAX``/``MIN``/``MEAN`` over the seconds of the test of the ``vus`` gauge, summed over
  the runners of a split test (each runner's last value of the second, by its ``runner`` tag;
  a test on one runner has one). k6 writes ``vus`` without a scenario tag,
  so scenarios have no VU figures.
- resources: the ``pod_resources`` measurement the pod-watcher writes (see
  ``mv_contracts.pods``), per pod, over the points of the test's time window whose ``test_ids``
  field lists the test (the pods under test are shared, so the test id is a field there).

k6 may write ``url``, ``vu`` and ``iter`` as fields (``K6_INFLUXDB_TAGS_AS_FIELDS``) or as tags;
no statement here names them, so both work.

The above is the *precise* mode (every sample stored; percentiles: ``samples``). In the *fast*
mode (``MetricsMode.FAST``) the receiver stores compact points, about one per second per runner
and scenario (``receiver/schema.py``); the same figures are:

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
- VUs: per second, each runner's last ``vus`` of ``mv_vus``, summed over the runners.
"""

# InfluxQL built here: the only value from outside (the test id, a scenario name) goes through
# quote_string, so the statement-building warning does not apply.
# ruff: noqa: S608

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime

from mv_contracts.pods import (
    POD_RESOURCES_CPU_PERCENT,
    POD_RESOURCES_CPU_USAGE,
    POD_RESOURCES_MEASUREMENT,
    POD_RESOURCES_MEMORY_PERCENT,
    POD_RESOURCES_MEMORY_USAGE,
    POD_RESOURCES_TEST_IDS,
)
from mv_contracts.runs import RUNNER_TAG, SCENARIO_TAG, TEST_ID_TAG

from .receiver.schema import (
    DROPPED_MEASUREMENT,
    FAILURES_MEASUREMENT,
    REQUESTS_MEASUREMENT,
    VUS_MEASUREMENT,
)

REQUESTS = "http_reqs"
FAILED = "http_req_failed"
DURATION = "http_req_duration"
VUS = "vus"
DROPPED = "dropped_iterations"
STATUS_TAG, ERROR_CODE_TAG = "status", "error_code"
PERCENTILES: tuple[int, ...] = (50, 90, 95, 99)
LIVE_PERCENTILES: tuple[int, ...] = (95, 99)
BUCKET = "1s"


def quote_string(value: str) -> str:
    """An InfluxQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ns(moment: datetime | int) -> int:
    """Nanoseconds since the epoch (ints are taken as epoch milliseconds)."""
    if isinstance(moment, int):
        return moment * 1_000_000
    return round(moment.timestamp() * 1_000_000) * 1_000


@dataclass(frozen=True, slots=True)
class Bounds:
    """Which samples a statement reads: one test, a half-open time range ``[start, end)``."""

    test_id: str
    start_ns: int
    end_ns: int

    def where(self, scenario: str | None = None) -> str:
        clause = (
            f'"{TEST_ID_TAG}" = {quote_string(self.test_id)} '
            f"AND time >= {self.start_ns} AND time < {self.end_ns}"
        )
        if scenario is not None:
            clause += f' AND "{SCENARIO_TAG}" = {quote_string(scenario)}'
        return clause


def _both(statement: str) -> tuple[str, str]:
    """The statement overall and grouped by scenario."""
    if " GROUP BY " in statement:
        return statement, f'{statement}, "{SCENARIO_TAG}"'
    return statement, f'{statement} GROUP BY "{SCENARIO_TAG}"'


def counts(bounds: Bounds) -> dict[str, str]:
    """First pass of a summary: counts, extremes, mean and the active time range."""
    w = bounds.where()
    statements: dict[str, str] = {}
    for key, statement in (
        ("requests", f'SELECT COUNT("value") AS requests FROM "{REQUESTS}" WHERE {w}'),
        ("failed", f'SELECT SUM("value") AS failed FROM "{FAILED}" WHERE {w}'),
        (
            "durations",
            'SELECT COUNT("value") AS n, MIN("value") AS min, MAX("value") AS max, '
            f'MEAN("value") AS mean FROM "{DURATION}" WHERE {w}',
        ),
        ("first", f'SELECT FIRST("value") FROM "{REQUESTS}" WHERE {w}'),
        ("last", f'SELECT LAST("value") FROM "{REQUESTS}" WHERE {w}'),
        ("dropped", f'SELECT SUM("value") AS dropped FROM "{DROPPED}" WHERE {w}'),
        ("failures", failures(bounds)),
    ):
        statements[key], statements[f"{key}_by_scenario"] = _both(statement)
    statements["vus"] = (
        'SELECT MAX("total") AS max, MIN("total") AS min, MEAN("total") AS mean '
        f"FROM ({vus_per_second(bounds)})"
    )
    return statements


def failures(bounds: Bounds) -> str:
    """Failed requests by k6's ``status`` and ``error_code`` tags (``n``), overall."""
    return (
        f'SELECT COUNT("value") AS n FROM "{FAILED}" WHERE {bounds.where()} AND "value" = 1 '
        f'GROUP BY "{STATUS_TAG}", "{ERROR_CODE_TAG}"'
    )


def vus_per_second(bounds: Bounds) -> str:
    """Per second, the VUs of all the test's runners: each runner's last value, summed."""
    per_runner = (
        f'SELECT LAST("value") AS v FROM "{VUS}" WHERE {bounds.where()} '
        f'GROUP BY time(1s), "{RUNNER_TAG}"'
    )
    return (
        f'SELECT SUM("v") AS total FROM ({per_runner}) '
        f"WHERE time >= {bounds.start_ns} AND time < {bounds.end_ns} GROUP BY time(1s)"
    )


def requests(bounds: Bounds) -> dict[str, str]:
    """Only the request counts, overall and per scenario: cheap enough to poll."""
    statement = f'SELECT COUNT("value") AS requests FROM "{REQUESTS}" WHERE {bounds.where()}'
    overall, by_scenario = _both(statement)
    return {"requests": overall, "requests_by_scenario": by_scenario}


def rank_arguments(percentile: float, n: int) -> tuple[float, float, float]:
    """InfluxDB nearest-rank arguments for the two ranks around k6's percentile, and the weight.

    Returns ``(q_low, q_high, fraction)``: ``PERCENTILE(value, q_low)`` is the sample at 0-based
    rank ``floor(i)``, ``q_high`` the one at ``ceil(i)``, ``i = percentile/100 * (n - 1)``; k6's
    value is ``low + (high - low) * fraction``.
    """
    if n < 1:
        raise ValueError("a percentile needs at least one sample")
    i = percentile / 100 * (n - 1)
    low, high = math.floor(i), math.ceil(i)
    return 100 * (low + 1) / n, 100 * (high + 1) / n, i - low


def _literal(number: float) -> str:
    # InfluxQL takes no exponent notation; 15 decimals keep the rank exact for n up to 10^12.
    return f"{number:.15f}"


def percentiles(bounds: Bounds, n: int, scenario: str | None = None) -> str:
    """Second pass: the two neighbouring ranks of each percentile, for ``n`` samples."""
    fields = []
    for p in PERCENTILES:
        q_low, q_high, _ = rank_arguments(p, n)
        fields.append(f'PERCENTILE("value", {_literal(q_low)}) AS p{p}_low')
        fields.append(f'PERCENTILE("value", {_literal(q_high)}) AS p{p}_high')
    return f'SELECT {", ".join(fields)} FROM "{DURATION}" WHERE {bounds.where(scenario)}'


def buckets(bounds: Bounds) -> dict[str, str]:
    """Second pass: per-second requests (TPS) and error rate, overall and per scenario."""
    w = bounds.where()
    tps = f'SELECT COUNT("value") AS tps FROM "{REQUESTS}" WHERE {w} GROUP BY time({BUCKET})'
    errors = f'SELECT MEAN("value") AS rate FROM "{FAILED}" WHERE {w} GROUP BY time({BUCKET})'
    return {
        "tps": f"{tps} fill(0)",
        "tps_by_scenario": f'{tps}, "{SCENARIO_TAG}" fill(0)',
        "errors": f"{errors} fill(none)",
        "errors_by_scenario": f'{errors}, "{SCENARIO_TAG}" fill(none)',
    }


def series_step(active_seconds: float, max_points: int) -> int:
    """Whole seconds per stored step, so ``active_seconds`` fits in ``max_points`` steps."""
    return max(1, math.ceil(active_seconds / max_points))


def series(bounds: Bounds, step_seconds: int) -> dict[str, str]:
    """Per-step response times and VUs, overall and per scenario. (Per-step requests and
    failures are summed from the 1 s buckets of :func:`buckets`, already read.)"""
    w, step = bounds.where(), f"{step_seconds}s"
    durations = (
        'SELECT MEAN("value") AS avg, PERCENTILE("value", 95) AS p95, '
        f'PERCENTILE("value", 99) AS p99 FROM "{DURATION}" WHERE {w} GROUP BY time({step})'
    )
    statements = {
        "series_durations": f"{durations} fill(none)",
        "series_durations_by_scenario": f'{durations}, "{SCENARIO_TAG}" fill(none)',
    }
    statements["series_vus"] = (
        f'SELECT MAX("total") AS vus FROM ({vus_per_second(bounds)}) '
        f"WHERE time >= {bounds.start_ns} AND time < {bounds.end_ns} "
        f"GROUP BY time({step}) fill(none)"
    )
    return statements


def live(settling: Bounds | None, unsettled: Bounds, window: Bounds) -> dict[str, str]:
    """One live snapshot: requests, failures and failures by kind of ``settling`` (the span that
    has just become settled, counted once and then kept) and of ``unsettled`` (from there to
    now); TPS, response times and VUs of ``window``."""
    live_fields = ", ".join(
        ['MEAN("value") AS avg'] + [f'PERCENTILE("value", {p}) AS p{p}' for p in LIVE_PERCENTILES]
    )
    spans = [("", unsettled)] + ([("settle_", settling)] if settling else [])
    statements: dict[str, str] = {}
    for prefix, span in spans:
        w = span.where()
        for key, statement in (
            ("requests", f'SELECT COUNT("value") AS requests FROM "{REQUESTS}" WHERE {w}'),
            ("failed", f'SELECT SUM("value") AS failed FROM "{FAILED}" WHERE {w}'),
            ("failures", failures(span)),
        ):
            statements[prefix + key], statements[f"{prefix}{key}_by_scenario"] = _both(statement)
    recent = window.where()
    for key, statement in (
        ("window", f'SELECT COUNT("value") AS requests FROM "{REQUESTS}" WHERE {recent}'),
        ("durations", f'SELECT {live_fields} FROM "{DURATION}" WHERE {recent}'),
    ):
        statements[key], statements[f"{key}_by_scenario"] = _both(statement)
    statements["vus"] = (
        f'SELECT SUM("v") AS vus FROM (SELECT LAST("value") AS v FROM "{VUS}" '
        f'WHERE {recent} GROUP BY "{RUNNER_TAG}")'
    )
    return statements


# --- fast mode: the receiver's compact points (receiver/schema.py)

COMPACT_MEAN = 'SUM("duration_sum") / SUM("duration_count")'


def _compact_vus_per_second(bounds: Bounds) -> str:
    per_runner = (
        f'SELECT LAST("vus") AS v FROM "{VUS_MEASUREMENT}" WHERE {bounds.where()} '
        f'GROUP BY time(1s), "{RUNNER_TAG}"'
    )
    return (
        f'SELECT SUM("v") AS total FROM ({per_runner}) '
        f"WHERE time >= {bounds.start_ns} AND time < {bounds.end_ns} GROUP BY time(1s)"
    )


def compact_failures(bounds: Bounds) -> str:
    """:func:`failures` over compact points: the receiver keeps both tags on ``mv_failures``."""
    return (
        f'SELECT SUM("failed") AS n FROM "{FAILURES_MEASUREMENT}" WHERE {bounds.where()} '
        f'GROUP BY "{STATUS_TAG}", "{ERROR_CODE_TAG}"'
    )


def compact_counts(bounds: Bounds) -> dict[str, str]:
    """:func:`counts` over compact points: the same keys and columns."""
    w = bounds.where()
    statements: dict[str, str] = {}
    for key, statement in (
        ("requests", f'SELECT SUM("requests") AS requests FROM "{REQUESTS_MEASUREMENT}" WHERE {w}'),
        ("failed", f'SELECT SUM("failed") AS failed FROM "{REQUESTS_MEASUREMENT}" WHERE {w}'),
        (
            "durations",
            'SELECT SUM("duration_count") AS n, MIN("duration_min") AS min, '
            f'MAX("duration_max") AS max, {COMPACT_MEAN} AS mean '
            f'FROM "{REQUESTS_MEASUREMENT}" WHERE {w}',
        ),
        ("first", f'SELECT FIRST("requests") FROM "{REQUESTS_MEASUREMENT}" WHERE {w}'),
        ("last", f'SELECT LAST("requests") FROM "{REQUESTS_MEASUREMENT}" WHERE {w}'),
        ("dropped", f'SELECT SUM("dropped") AS dropped FROM "{DROPPED_MEASUREMENT}" WHERE {w}'),
        ("failures", compact_failures(bounds)),
    ):
        statements[key], statements[f"{key}_by_scenario"] = _both(statement)
    statements["vus"] = (
        'SELECT MAX("total") AS max, MIN("total") AS min, MEAN("total") AS mean '
        f"FROM ({_compact_vus_per_second(bounds)})"
    )
    return statements


def compact_requests(bounds: Bounds) -> dict[str, str]:
    """:func:`requests` over compact points."""
    statement = (
        f'SELECT SUM("requests") AS requests FROM "{REQUESTS_MEASUREMENT}" WHERE {bounds.where()}'
    )
    overall, by_scenario = _both(statement)
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
        "series_vus": (
            f'SELECT MAX("total") AS vus FROM ({_compact_vus_per_second(bounds)}) '
            f"WHERE time >= {bounds.start_ns} AND time < {bounds.end_ns} "
            f"GROUP BY time({step}) fill(none)"
        ),
    }


def compact_live(settling: Bounds | None, unsettled: Bounds, window: Bounds) -> dict[str, str]:
    """:func:`live` over compact points; the window's histograms by :func:`compact_histograms`."""
    spans = [("", unsettled)] + ([("settle_", settling)] if settling else [])
    statements: dict[str, str] = {}
    for prefix, span in spans:
        statement = (
            'SELECT SUM("requests") AS requests, SUM("failed") AS failed '
            f'FROM "{REQUESTS_MEASUREMENT}" WHERE {span.where()}'
        )
        statements[prefix + "totals"], statements[f"{prefix}totals_by_scenario"] = _both(statement)
        kinds = compact_failures(span)
        statements[prefix + "failures"], statements[f"{prefix}failures_by_scenario"] = _both(kinds)
    recent = window.where()
    statement = (
        f'SELECT SUM("requests") AS requests, {COMPACT_MEAN} AS avg '
        f'FROM "{REQUESTS_MEASUREMENT}" WHERE {recent}'
    )
    statements["window"], statements["window_by_scenario"] = _both(statement)
    statements["histograms"] = compact_histograms(window)
    statements["vus"] = (
        f'SELECT SUM("v") AS vus FROM (SELECT LAST("vus") AS v FROM "{VUS_MEASUREMENT}" '
        f'WHERE {recent} GROUP BY "{RUNNER_TAG}")'
    )
    return statements


def test_ids_match(test_id: str) -> str:
    """An InfluxQL regex on the pod-watcher's comma-separated ``test_ids`` field."""
    escaped = re.sub(r"([^A-Za-z0-9_-])", r"\\\1", test_id)
    return f'"{POD_RESOURCES_TEST_IDS}" =~ /(^|,){escaped}(,|$)/'


def resources(test_id: str, start_ns: int, end_ns: int) -> str:
    """Per pod: CPU and memory min/avg/max and the peak percent of the limit during the test."""
    fields = ", ".join(
        [
            f'MIN("{POD_RESOURCES_CPU_USAGE}") AS cpu_min',
            f'MEAN("{POD_RESOURCES_CPU_USAGE}") AS cpu_avg',
            f'MAX("{POD_RESOURCES_CPU_USAGE}") AS cpu_max',
            f'MIN("{POD_RESOURCES_MEMORY_USAGE}") AS memory_min',
            f'MEAN("{POD_RESOURCES_MEMORY_USAGE}") AS memory_avg',
            f'MAX("{POD_RESOURCES_MEMORY_USAGE}") AS memory_max',
            f'MAX("{POD_RESOURCES_CPU_PERCENT}") AS cpu_peak',
            f'MAX("{POD_RESOURCES_MEMORY_PERCENT}") AS memory_peak',
        ]
    )
    return (
        f'SELECT {fields} FROM "{POD_RESOURCES_MEASUREMENT}" '
        f"WHERE {test_ids_match(test_id)} AND time >= {start_ns} AND time < {end_ns} "
        'GROUP BY "namespace", "pod"'
    )
