"""Summaries and live snapshots: the statements of ``definitions`` run, the rows combined --
what both metrics paths (:mod:`.precise`, :mod:`.fast`) build with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from mv_contracts.metrics import (
    HISTOGRAM_ERROR_BOUND,
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
from mv_contracts.runs import SCENARIO_TAG

from . import definitions as q
from . import steps as per_step
from .influx import InfluxClient, Result, Series
from .schema import NO_SCENARIO
from .summary import (
    GroupCounts,
    SeriesRows,
    active_buckets,
    metric_figures,
    metric_series,
    pod_usage,
    rebucket,
)

Statements = dict[str, str]
Window = tuple[datetime, datetime]
"""A test's time range, ``[start, end)``."""
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
    window: Window,
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
class FirstPass:
    """A summary's first pass over the test's window, either path's: each group's counts, the
    rows they came from (failures, dropped iterations, a journey's steps), the pods."""

    test_id: str
    window: Window
    counts: dict[str, GroupCounts]
    results: dict[str, Result]
    resources: list[PodUsageSummary]

    def active(self) -> tuple[GroupCounts, q.Bounds] | None:
        """The overall group and the span of its requests; None when there are none."""
        overall = self.counts.get(OVERALL)
        if overall is None or not overall.requests or overall.first_ms is None:
            return None
        assert overall.last_ms is not None
        # Rows carry epoch milliseconds, truncated: the last sample is before last_ms + 1 ms.
        span = q.Bounds(self.test_id, q.ns(overall.first_ms), q.ns(overall.last_ms + 1))
        return overall, span

    def empty(self) -> TestSummary:
        return empty_summary(self.test_id, *self.window, NO_SAMPLES, self.resources)

    def summary(
        self,
        figures: dict[str, MetricFigures],
        second: dict[str, Result],
        step: int,
        source: PercentileSource | None,
    ) -> TestSummary:
        """The summary of the groups' ``figures``, with the series of the ``second`` pass."""
        overall = self.counts[OVERALL]
        series = series_of(second, step, overall.first_ms or 0, overall.last_ms or 0)
        journeys = (per_step.steps_of(self.results), per_step.checks_of(self.results))
        dropped = counted(self.results, "dropped", "dropped")
        failures = failures_of(self.results)
        return assembled(
            self.test_id, self.window, figures, failures, dropped, self.resources, series, source,
            journeys,
        )  # fmt: skip


async def first_pass(
    client: InfluxClient, test_id: str, window: Window, statements: Statements
) -> FirstPass:
    """Run the first pass's ``statements`` (each path's counts and a journey's) over ``window``."""
    results = await run(client, statements)
    resources = await pod_resources(client, test_id, *window)
    return FirstPass(test_id, window, counts_of(results), results, resources)


def group_figures(
    group: GroupCounts,
    name: str,
    percentiles: dict[int, float | None],
    tps: dict[str, Series],
    errors: dict[str, Series],
) -> MetricFigures:
    """The figures of group ``name``, its per-second series over its own active range."""
    first, last = group.first_ms or 0, group.last_ms or 0
    return metric_figures(
        group,
        percentiles,
        active_buckets(tps[name].rows if name in tps else [], "tps", first, last),
        active_buckets(errors[name].rows if name in errors else [], "rate", first, last),
    )


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


LiveStatements = Callable[[q.Bounds | None, q.Bounds, q.Bounds], dict[str, str]]
"""The statements of a live snapshot: of the settling span, the unsettled rest, the window."""


@dataclass(slots=True)
class LiveRead:
    """What one live snapshot reads: test ``test_id`` since ``started``, and the figures of the
    window ``[now - window, now)``. ``totals`` (kept by the caller between snapshots; made from
    ``started`` when None) is advanced to ``now - settle``; ``labels`` names each scenario tag
    as the user wrote it."""

    test_id: str
    started: datetime
    now: datetime
    window: timedelta
    totals: LiveTotals | None = None
    settle: timedelta = SETTLE
    labels: dict[str, str] = field(default_factory=dict)

    async def results(
        self, client: InfluxClient, statements: LiveStatements, settled: Callable[[str], str]
    ) -> tuple[LiveTotals, dict[str, Result]]:
        """The kept totals, advanced by the settling span (result ``settled(column)``), and the
        results of ``statements``."""
        totals = self.totals = self.totals or LiveTotals(q.ns(self.started))
        settling, unsettled, recent = totals.spans(self.test_id, self.now, self.window, self.settle)
        results = await run(client, statements(settling, unsettled, recent))
        totals.settled(results, settled, unsettled.start_ns)
        return totals, results

    def snapshot(
        self, figures: dict[str, LiveFigures], failures: dict[str, list[FailureCount]]
    ) -> LiveSnapshot:
        """The snapshot of the groups' live figures (``OVERALL`` and each scenario), either
        path's."""
        scenarios = [
            LiveScenario(name=n, label=self.labels.get(n), figures=f, failures=failures.get(n, []))
            for n, f in sorted(figures.items())
            if n != OVERALL
        ]
        return LiveSnapshot(
            test_id=self.test_id,
            at=self.now,
            window_seconds=self.window.total_seconds(),
            overall=figures[OVERALL],
            failures=failures.get(OVERALL, []),
            scenarios=scenarios,
        )


def counted(results: dict[str, Result], key: str, column: str) -> dict[str, int]:
    groups = by_group(results, key)
    return {name: int(number(series, column) or 0) for name, series in groups.items()}
