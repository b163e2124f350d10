"""Plain functions turning aggregated InfluxDB rows into the contracts' figures (no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mv_contracts.metrics import LiveFigures, MetricFigures, MetricSeries, PodUsageSummary

from .definitions import PERCENTILES, rank_arguments

MIN_ACTIVE_SECONDS = 1.0


@dataclass(slots=True)
class GroupCounts:
    """First-pass figures of one group (the whole test, or one scenario)."""

    requests: int = 0
    failed: int = 0
    samples: int = 0  # http_req_duration samples
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    first_ms: int | None = None
    last_ms: int | None = None
    vus: dict[str, float | None] = field(default_factory=dict)
    lead_ms: int = 0  # how long before first_ms the first request was (a compact point's span)

    @property
    def active_seconds(self) -> float | None:
        if self.first_ms is None or self.last_ms is None:
            return None
        return max((self.last_ms - self.first_ms + self.lead_ms) / 1000, MIN_ACTIVE_SECONDS)


def interpolate(low: float, high: float, fraction: float) -> float:
    """k6's percentile between the two closest ranks."""
    return low + (high - low) * fraction


def k6_percentiles(row: dict[str, Any], n: int) -> dict[int, float | None]:
    """Percentiles from the ``p<P>_low`` / ``p<P>_high`` columns of ``definitions.percentiles``."""
    values: dict[int, float | None] = {}
    for p in PERCENTILES:
        low, high = row.get(f"p{p}_low"), row.get(f"p{p}_high")
        if low is None or high is None:
            values[p] = None
            continue
        _, _, fraction = rank_arguments(p, n)
        values[p] = interpolate(float(low), float(high), fraction)
    return values


def active_buckets(
    rows: list[dict[str, Any]], column: str, first_ms: int, last_ms: int
) -> list[float]:
    """Values of the 1 s buckets from the one holding the first sample to the one of the last."""
    start, end = first_ms - first_ms % 1000, last_ms - last_ms % 1000
    return [
        float(row[column])
        for row in rows
        if start <= int(row["time"]) <= end and row.get(column) is not None
    ]


def full_bucket_extremes(values: list[float]) -> tuple[float | None, float | None]:
    """(max, min) over the buckets without the partial first and last; (None, None) if none."""
    full = values[1:-1]
    if not full:
        return None, None
    return max(full), min(full)


def metric_figures(
    counts: GroupCounts,
    percentiles: dict[int, float | None],
    tps_buckets: list[float],
    error_buckets: list[float],
) -> MetricFigures:
    active = counts.active_seconds
    avg_tps = counts.requests / active if active and counts.requests else None
    max_tps, min_tps = full_bucket_extremes(tps_buckets)
    if max_tps is None and avg_tps is not None:
        # Under three buckets there is no full one: the average is the best figure there is.
        max_tps = min_tps = avg_tps
    avg_error = counts.failed / counts.requests if counts.requests else None
    max_error, min_error = full_bucket_extremes(error_buckets)
    if max_error is None and avg_error is not None:
        max_error = min_error = avg_error
    return MetricFigures(
        total_requests=counts.requests,
        failed_requests=counts.failed,
        test_duration=active,
        max_tps=max_tps,
        min_tps=min_tps,
        avg_tps=avg_tps,
        max_response_time=counts.max,
        min_response_time=counts.min,
        avg_response_time=counts.mean,
        p50_response_time=percentiles.get(50),
        p90_response_time=percentiles.get(90),
        p95_response_time=percentiles.get(95),
        p99_response_time=percentiles.get(99),
        max_error_rate=max_error,
        min_error_rate=min_error,
        avg_error_rate=avg_error,
        max_vus=counts.vus.get("max"),
        min_vus=counts.vus.get("min"),
        avg_vus=counts.vus.get("mean"),
    )


def pod_usage(tags: dict[str, str], row: dict[str, Any]) -> PodUsageSummary:
    def number(key: str) -> float | None:
        value = row.get(key)
        return None if value is None else float(value)

    return PodUsageSummary(
        pod=tags.get("pod", ""),
        namespace=tags.get("namespace", ""),
        cpu_min_millicores=number("cpu_min"),
        cpu_avg_millicores=number("cpu_avg"),
        cpu_max_millicores=number("cpu_max"),
        memory_min_mb=number("memory_min"),
        memory_avg_mb=number("memory_avg"),
        memory_max_mb=number("memory_max"),
        cpu_peak_percent=number("cpu_peak"),
        memory_peak_percent=number("memory_peak"),
    )


def live_figures(
    requests_total: int,
    failed_total: int,
    window_requests: int,
    window_seconds: float,
    durations: dict[str, Any],
    vus: float | None = None,
) -> LiveFigures:
    def number(key: str) -> float | None:
        value = durations.get(key)
        return None if value is None else float(value)

    failed = min(failed_total, requests_total)
    return LiveFigures(
        tps=window_requests / window_seconds,
        requests_total=requests_total,
        failed_total=failed,
        error_rate=failed / requests_total if requests_total else 0.0,
        vus=vus,
        response_time_avg=number("avg"),
        response_time_p95=number("p95"),
        response_time_p99=number("p99"),
    )


@dataclass(slots=True)
class SeriesRows:
    """One group's per-step rows (epoch-millisecond ``time`` column) from
    ``definitions.series``."""

    requests: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    durations: list[dict[str, Any]] = field(default_factory=list)
    vus: list[dict[str, Any]] = field(default_factory=list)


def rebucket(
    tps_rows: list[dict[str, Any]], error_rows: list[dict[str, Any]], step_seconds: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """1 s request counts (``tps``) and failure means (``rate``) summed into steps: the
    ``requests`` (``n``) and ``errors`` (``rate``) rows of :class:`SeriesRows`."""
    step_ms = step_seconds * 1000
    requests: dict[int, float] = {}
    failed: dict[int, float] = {}
    counts = {int(r["time"]): float(r.get("tps") or 0) for r in tps_rows}
    for t, count in counts.items():
        requests[t - t % step_ms] = requests.get(t - t % step_ms, 0) + count
    for row in error_rows:
        t, rate = int(row["time"]), row.get("rate")
        if rate is not None:
            failed[t - t % step_ms] = failed.get(t - t % step_ms, 0) + float(rate) * counts.get(
                t, 0
            )
    return (
        [{"time": t, "n": n} for t, n in sorted(requests.items())],
        [{"time": t, "rate": failed.get(t, 0) / n} for t, n in sorted(requests.items()) if n],
    )


def metric_series(rows: SeriesRows, step_seconds: int, first_ms: int, last_ms: int) -> MetricSeries:
    """Columns on one axis of steps from the one holding ``first_ms`` to the one of ``last_ms``:
    TPS is 0 in a step without requests; the other figures are ``None`` there."""
    step_ms = step_seconds * 1000
    start = first_ms - first_ms % step_ms
    axis = list(range(start, last_ms - last_ms % step_ms + 1, step_ms))

    def column(source: list[dict[str, Any]], key: str, scale: float = 1.0) -> list[float | None]:
        by_time = {int(r["time"]): r.get(key) for r in source if r.get(key) is not None}
        return [None if (v := by_time.get(t)) is None else float(v) * scale for t in axis]

    tps = column(rows.requests, "n", 1 / step_seconds)
    return MetricSeries(
        time=[t // 1000 for t in axis],
        tps=[0.0 if v is None else v for v in tps],
        response_time_avg=column(rows.durations, "avg"),
        response_time_p95=column(rows.durations, "p95"),
        response_time_p99=column(rows.durations, "p99"),
        error_rate=column(rows.errors, "rate"),
        vus=column(rows.vus, "vus"),
    )
