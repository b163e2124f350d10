"""Summaries and live snapshots: the statements of ``definitions`` run, the rows combined; the
precise mode's path (:class:`PrecisePath`) and what the fast mode's shares with it."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mv_contracts.metrics import (
    HISTOGRAM_ERROR_BOUND,
    MAX_SERIES_POINTS,
    CheckSummary,
    FailureCount,
    LiveFigures,
    LiveScenario,
    LiveSnapshot,
    MetricFigures,
    PercentileSource,
    PodUsageSummary,
    ScenarioSummary,
    StepSummary,
    TestSeries,
    TestSummary,
)
from mv_contracts.runs import SCENARIO_TAG, K6Counts, MetricsMode

from . import definitions as q
from . import steps as per_step
from .influx import InfluxClient, Result, Series
from .schema import NO_SCENARIO
from .summary import (
    GroupCounts,
    SeriesRows,
    active_buckets,
    k6_percentiles,
    live_figures,
    metric_figures,
    metric_series,
    pod_usage,
    rebucket,
)

OVERALL = ""
NO_SAMPLES = "no http_reqs samples for this test in its time window"
SETTLE = timedelta(seconds=30)


async def run(client: InfluxClient, statements: dict[str, str]) -> dict[str, Result]:
    """Run named statements in one request; the result of each under its name."""
    if not statements:
        return {}
    results = await client.query(*statements.values())
    return dict(zip(statements, results, strict=True))


def by_group(results: dict[str, Result], key: str) -> dict[str, Series]:
    """The overall series under ``OVERALL`` and each scenario's under its name."""
    groups: dict[str, Series] = {}
    for series in results.get(key, []):
        groups[OVERALL] = series
    for series in results.get(f"{key}_by_scenario", []):
        name = series.tags.get(SCENARIO_TAG, "")
        # Samples outside any scenario (setup/teardown) count only overall.
        if name and name != NO_SCENARIO:
            groups[name] = series
    return groups


def number(series: Series | None, column: str) -> float | None:
    value = series.first().get(column) if series else None
    return None if value is None else float(value)


def counts_of(results: dict[str, Result]) -> dict[str, GroupCounts]:
    requests = by_group(results, "requests")
    failed, durations = by_group(results, "failed"), by_group(results, "durations")
    first, last = by_group(results, "first"), by_group(results, "last")
    counts: dict[str, GroupCounts] = {}
    for name, series in requests.items():
        d = durations.get(name)
        counts[name] = GroupCounts(
            requests=int(number(series, "requests") or 0),
            failed=int(number(failed.get(name), "failed") or 0),
            samples=int(number(d, "n") or 0),
            min=number(d, "min"),
            max=number(d, "max"),
            mean=number(d, "mean"),
            first_ms=int(first[name].first()["time"]) if name in first else None,
            last_ms=int(last[name].first()["time"]) if name in last else None,
        )
    vus = results.get("vus", [])
    if OVERALL in counts and vus:
        counts[OVERALL].vus = {k: number(vus[0], k) for k in ("max", "min", "mean")}
    return counts


Kinds = dict[str, dict[tuple[str, str | None], int]]
"""Failed requests per group, by (status, error code)."""


def kinds_of(results: dict[str, Result], key: str = "failures") -> Kinds:
    """The rows of a failures statement (:func:`.definitions.failures`), per group."""
    kinds: Kinds = {}
    for name in (key, f"{key}_by_scenario"):
        for series in results.get(name, []):
            group = series.tags.get(SCENARIO_TAG, "") if name != key else OVERALL
            count = int(number(series, "n") or 0)
            if count and (group or name == key):
                kind = (
                    series.tags.get(q.STATUS_TAG) or "0",
                    series.tags.get(q.ERROR_CODE_TAG) or None,
                )
                counts = kinds.setdefault(group, {})
                counts[kind] = counts.get(kind, 0) + count
    return kinds


def add_kinds(into: Kinds, more: Kinds) -> Kinds:
    for group, counts in more.items():
        mine = into.setdefault(group, {})
        for kind, count in counts.items():
            mine[kind] = mine.get(kind, 0) + count
    return into


def failure_counts(kinds: Kinds) -> dict[str, list[FailureCount]]:
    """Per group, the kinds as contracts, most frequent first."""
    listed: dict[str, list[FailureCount]] = {}
    for group, counts in kinds.items():
        listed[group] = sorted(
            (FailureCount(status=s, error_code=e, count=n) for (s, e), n in counts.items()),
            key=lambda kind: (-kind.count, kind.status, kind.error_code or ""),
        )
    return listed


def failures_of(results: dict[str, Result]) -> dict[str, list[FailureCount]]:
    """Failed requests per group by status and error code, most frequent first."""
    return failure_counts(kinds_of(results))


def empty_summary(
    test_id: str,
    start: datetime,
    end: datetime,
    reason: str,
    resources: list[PodUsageSummary] | None = None,
) -> TestSummary:
    """A summary without figures, and why."""
    return TestSummary(
        test_id=test_id,
        window_start=start,
        window_end=end,
        overall=metric_figures(GroupCounts(), {}, [], []),
        resources=resources or [],
        empty_reason=reason,
    )


def assembled(
    test_id: str,
    window: tuple[datetime, datetime],
    figures: dict[str, MetricFigures],
    failures: dict[str, list[FailureCount]],
    dropped: dict[str, int],
    resources: list[PodUsageSummary],
    series: TestSeries,
    source: PercentileSource | None,
    journeys: tuple[Mapping[str, list[StepSummary]], Mapping[str, list[CheckSummary]]]
    | None = None,
) -> TestSummary:
    """The summary of the groups' figures (``OVERALL`` and each scenario, with a journey's
    steps), either path's."""
    figures = dict(figures)
    overall = figures.pop(OVERALL)
    bound = HISTOGRAM_ERROR_BOUND if source is PercentileSource.HISTOGRAM else 0.0
    return TestSummary(
        test_id=test_id,
        window_start=window[0],
        window_end=window[1],
        overall=overall,
        failures=failures.get(OVERALL, []),
        dropped_iterations=dropped.get(OVERALL, 0),
        scenarios=[
            ScenarioSummary(
                name=n,
                figures=f,
                failures=failures.get(n, []),
                dropped_iterations=dropped.get(n, 0),
                steps=journeys[0].get(n, []) if journeys else [],
                checks=journeys[1].get(n, []) if journeys else [],
            )
            for n, f in sorted(figures.items())
        ],
        resources=resources,
        series=series,
        percentile_source=source,
        percentile_error_bound=bound,
    )


def series_of(results: dict[str, Result], step: int, first_ms: int, last_ms: int) -> TestSeries:
    """The per-step series of every group, on the axis of the whole test."""
    groups: dict[str, SeriesRows] = {}
    tps, errors = by_group(results, "tps"), by_group(results, "errors")
    for name, counted in tps.items():
        group = groups.setdefault(name, SeriesRows())
        failures = errors[name].rows if name in errors else []
        group.requests, group.errors = rebucket(counted.rows, failures, step)
    for name, rows in by_group(results, "series_durations").items():
        groups.setdefault(name, SeriesRows()).durations.extend(rows.rows)
    for rows in results.get("series_vus", []):
        groups.setdefault(OVERALL, SeriesRows()).vus.extend(rows.rows)
    built = {name: metric_series(rows, step, first_ms, last_ms) for name, rows in groups.items()}
    overall = built.pop(OVERALL, None) or metric_series(SeriesRows(), step, first_ms, last_ms)
    return TestSeries(step_seconds=step, overall=overall, scenarios=dict(sorted(built.items())))


async def pod_resources(
    client: InfluxClient, test_id: str, start: datetime, end: datetime
) -> list[PodUsageSummary]:
    (result,) = await client.query(q.resources(test_id, q.ns(start), q.ns(end)))
    return [pod_usage(series.tags, series.first()) for series in result]


@dataclass(slots=True)
class LiveTotals:
    """Requests and failures per group (``OVERALL`` or a scenario) counted up to ``until_ns``.

    Samples older than the settle time have been pushed by k6, so a live loop counts each span
    once and keeps the sums: a snapshot then reads the last ``settle`` seconds, not the whole
    test. (A sample later than that shows up in the summary, not in the live totals.)
    """

    until_ns: int
    requests: dict[str, int] = field(default_factory=dict)
    failed: dict[str, int] = field(default_factory=dict)
    kinds: Kinds = field(default_factory=dict)

    def spans(
        self, test_id: str, now: datetime, window: timedelta, settle: timedelta
    ) -> tuple[q.Bounds | None, q.Bounds, q.Bounds]:
        """What a snapshot at ``now`` reads: the span settling since the last one (None when
        there is none; counted once, by :meth:`settled`), the unsettled rest, the window."""
        end = q.ns(now)
        settle_to = max(self.until_ns, end - int(settle.total_seconds() * 1e9))
        settling = (
            q.Bounds(test_id, self.until_ns, settle_to) if settle_to > self.until_ns else None
        )
        recent = q.Bounds(test_id, end - int(window.total_seconds() * 1e9), end)
        return settling, q.Bounds(test_id, settle_to, end), recent

    def settled(self, results: dict[str, Result], key: Callable[[str], str], to_ns: int) -> None:
        """Add the settling span's counts (result ``key(column)``) and move on to ``to_ns``."""
        for column, sums in (("requests", self.requests), ("failed", self.failed)):
            for name, count in counted(results, key(column), column).items():
                sums[name] = sums.get(name, 0) + count
        add_kinds(self.kinds, kinds_of(results, "settle_failures"))
        self.until_ns = to_ns

    def failures(self, results: dict[str, Result]) -> dict[str, list[FailureCount]]:
        """The kept kinds with the unsettled span's (result ``failures``) added."""
        recent = kinds_of(results, "failures")
        both = add_kinds(add_kinds({}, self.kinds), recent)
        return failure_counts(both)


def snapshot(
    test_id: str,
    now: datetime,
    window_seconds: float,
    figures: dict[str, LiveFigures],
    labels: dict[str, str],
    failures: dict[str, list[FailureCount]] | None = None,
) -> LiveSnapshot:
    """The snapshot of the groups' live figures (``OVERALL`` and each scenario), either path's."""
    failures = failures or {}
    scenarios = [
        LiveScenario(name=n, label=labels.get(n), figures=f, failures=failures.get(n, []))
        for n, f in sorted(figures.items())
        if n != OVERALL
    ]
    return LiveSnapshot(
        test_id=test_id,
        at=now,
        window_seconds=window_seconds,
        overall=figures[OVERALL],
        failures=failures.get(OVERALL, []),
        scenarios=scenarios,
    )


def counted(results: dict[str, Result], key: str, column: str) -> dict[str, int]:
    groups = by_group(results, key)
    return {name: int(number(series, column) or 0) for name, series in groups.items()}


class PrecisePath:
    """The precise mode: every sample k6 wrote (and an older runner's test, without a metrics
    mode, which wrote every sample too)."""

    mode = MetricsMode.PRECISE

    async def summarise(
        self,
        client: InfluxClient,
        test_id: str,
        start: datetime,
        end: datetime,
        k6: K6Counts | None = None,
    ) -> TestSummary:
        """The summary of one test from the samples in ``[start, end)``; empty when there are
        none. (``k6``, k6's own counts, adds nothing to every sample.)"""
        bounds = q.Bounds(test_id, q.ns(start), q.ns(end))
        first_pass = await run(client, q.counts(bounds) | per_step.statements(bounds))
        counts = counts_of(first_pass)
        failures = failures_of(first_pass)
        dropped = counted(first_pass, "dropped", "dropped")
        overall = counts.get(OVERALL)
        resources = await pod_resources(client, test_id, start, end)
        if overall is None or overall.requests == 0 or overall.first_ms is None:
            return empty_summary(test_id, start, end, NO_SAMPLES, resources)
        assert overall.last_ms is not None
        # Second pass: exact-rank percentiles over the samples counted in the first (same bounds),
        # 1 s buckets over the active range. Rows carry epoch milliseconds, truncated: the last
        # sample is before last_ms + 1 ms.
        active = q.Bounds(test_id, q.ns(overall.first_ms), q.ns(overall.last_ms + 1))
        statements = q.buckets(active)
        assert overall.active_seconds is not None
        step = q.series_step(overall.active_seconds, MAX_SERIES_POINTS)
        for name, group in counts.items():
            if group.samples:
                statements[f"pct:{name}"] = q.percentiles(
                    bounds, group.samples, None if name == OVERALL else name
                )
        statements |= q.series(active, step)
        second = await run(client, statements)
        tps, errors = by_group(second, "tps"), by_group(second, "errors")
        figures = {}
        for name, group in counts.items():
            pct_rows = second.get(f"pct:{name}", [])
            pct = k6_percentiles(pct_rows[0].first(), group.samples) if pct_rows else {}
            first, last = group.first_ms or 0, group.last_ms or 0
            tps_rows = tps[name].rows if name in tps else []
            error_rows = errors[name].rows if name in errors else []
            figures[name] = metric_figures(
                group,
                pct,
                active_buckets(tps_rows, "tps", first, last),
                active_buckets(error_rows, "rate", first, last),
            )
        series = series_of(second, step, overall.first_ms, overall.last_ms)
        has_percentiles = figures[OVERALL].p50_response_time is not None
        source = PercentileSource.SAMPLES if has_percentiles else None
        journeys = (per_step.steps_of(first_pass), per_step.checks_of(first_pass))
        return assembled(
            test_id, (start, end), figures, failures, dropped, resources, series, source, journeys
        )

    async def stored_requests(self, client: InfluxClient, bounds: q.Bounds) -> dict[str, int]:
        """Requests InfluxDB holds in ``bounds``: overall under ``OVERALL``, and per scenario."""
        return counted(await run(client, q.requests(bounds)), "requests", "requests")

    async def live_snapshot(
        self,
        client: InfluxClient,
        test_id: str,
        started: datetime,
        now: datetime,
        window: timedelta,
        totals: LiveTotals | None = None,
        settle: timedelta = SETTLE,
        labels: dict[str, str] | None = None,
    ) -> LiveSnapshot:
        """:meth:`.modes.MetricsPath.live_snapshot` over every sample."""
        labels = labels or {}
        totals = totals or LiveTotals(q.ns(started))
        settling, unsettled, recent = totals.spans(test_id, now, window, settle)
        results = await run(client, q.live(settling, unsettled, recent))
        totals.settled(results, lambda column: f"settle_{column}", unsettled.start_ns)
        requests = counted(results, "requests", "requests")
        failed = counted(results, "failed", "failed")
        in_window = counted(results, "window", "requests")
        durations = by_group(results, "durations")
        vus = number(results["vus"][0], "vus") if results.get("vus") else None
        seconds = window.total_seconds()
        figures = {
            name: live_figures(
                requests_total=totals.requests.get(name, 0) + requests.get(name, 0),
                failed_total=totals.failed.get(name, 0) + failed.get(name, 0),
                window_requests=in_window.get(name, 0),
                window_seconds=seconds,
                durations=durations[name].first() if name in durations else {},
                vus=vus if name == OVERALL else None,
            )
            for name in {OVERALL, *totals.requests, *requests}
        }
        return snapshot(test_id, now, seconds, figures, labels, totals.failures(results))


PRECISE = PrecisePath()
