"""The precise mode's statements: every sample k6 writes is stored (percentiles: ``samples``).
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
- VUs: over the seconds of the test, of the ``vus`` gauge summed over the runners of a split
  test (by its ``runner`` tag; a test on one runner has one): ``MAX`` of each second's highest,
  ``MIN`` of its lowest, ``MEAN`` of its last (``common.Vus``). k6 writes ``vus`` without a
  scenario tag, so scenarios have no VU figures.
k6 may write ``url``, ``vu`` and ``iter`` as fields (``K6_INFLUXDB_TAGS_AS_FIELDS``) or as tags;
no statement here names them, so both work. A generated script tags each sample with its VU
(``vu_id``) so that no two samples share a point; no statement names that tag either.
"""

# InfluxQL built here: the only value from outside (the test id, a scenario name) goes through
# quote_string, so the statement-building warning does not apply.
# ruff: noqa: S608

from __future__ import annotations

import math

from mv_contracts.runs import SCENARIO_TAG

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
    Bounds,
    Vus,
    both,
    grouped,
)

SAMPLES_VUS = Vus()


def counts(bounds: Bounds) -> dict[str, str]:
    """First pass of a summary: counts, extremes, mean and the active time range."""
    w = bounds.where()
    return grouped(
        {
            "requests": f'SELECT COUNT("value") AS requests FROM "{REQUESTS}" WHERE {w}',
            "failed": f'SELECT SUM("value") AS failed FROM "{FAILED}" WHERE {w}',
            "durations": 'SELECT COUNT("value") AS n, MIN("value") AS min, MAX("value") AS max, '
            f'MEAN("value") AS mean FROM "{DURATION}" WHERE {w}',
            "first": f'SELECT FIRST("value") FROM "{REQUESTS}" WHERE {w}',
            "last": f'SELECT LAST("value") FROM "{REQUESTS}" WHERE {w}',
            "dropped": f'SELECT SUM("value") AS dropped FROM "{DROPPED}" WHERE {w}',
            "failures": failures(bounds),
        }
    ) | {"vus": SAMPLES_VUS.figures(bounds)}


def failures(bounds: Bounds) -> str:
    """Failed requests by k6's ``status`` and ``error_code`` tags (``n``), overall."""
    return (
        f'SELECT COUNT("value") AS n FROM "{FAILED}" WHERE {bounds.where()} AND "value" = 1 '
        f'GROUP BY "{STATUS_TAG}", "{ERROR_CODE_TAG}"'
    )


def requests(bounds: Bounds) -> dict[str, str]:
    """Only the request counts, overall and per scenario: cheap enough to poll."""
    statement = f'SELECT COUNT("value") AS requests FROM "{REQUESTS}" WHERE {bounds.where()}'
    overall, by_scenario = both(statement)
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


def literal(number: float) -> str:
    # InfluxQL takes no exponent notation; 15 decimals keep the rank exact for n up to 10^12.
    return f"{number:.15f}"


def percentiles(bounds: Bounds, n: int, scenario: str | None = None) -> str:
    """Second pass: the two neighbouring ranks of each percentile, for ``n`` samples."""
    fields = []
    for p in PERCENTILES:
        q_low, q_high, _ = rank_arguments(p, n)
        fields.append(f'PERCENTILE("value", {literal(q_low)}) AS p{p}_low')
        fields.append(f'PERCENTILE("value", {literal(q_high)}) AS p{p}_high')
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
    statements["series_vus"] = SAMPLES_VUS.series(bounds, step)
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
        statements |= grouped(
            {
                "requests": f'SELECT COUNT("value") AS requests FROM "{REQUESTS}" WHERE {w}',
                "failed": f'SELECT SUM("value") AS failed FROM "{FAILED}" WHERE {w}',
                "failures": failures(span),
            },
            prefix,
        )
    recent = window.where()
    statements |= grouped(
        {
            "window": f'SELECT COUNT("value") AS requests FROM "{REQUESTS}" WHERE {recent}',
            "durations": f'SELECT {live_fields} FROM "{DURATION}" WHERE {recent}',
        }
    )
    return statements | {"vus": SAMPLES_VUS.now(window)}
