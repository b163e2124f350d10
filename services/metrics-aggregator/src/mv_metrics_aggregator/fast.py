"""Summaries, live snapshots and stored counts of a fast-mode test, from the receiver's compact
points (``definitions``, "fast mode", says what each figure is).

The work is bounded by the test's length, not its requests: a few points per second of test
(one per push, runner and scenario), whatever the request rate.
"""

from __future__ import annotations

from mv_contracts.lifecycle import K6Counts, ResponseTimes
from mv_contracts.metrics import (
    MAX_SERIES_POINTS,
    PUSH_SECONDS,
    LiveSnapshot,
    PercentileSource,
    TestSummary,
)
from mv_contracts.runs import SCENARIO_TAG, MetricsMode

from . import definitions as q
from . import steps as per_step
from .aggregate import (
    OVERALL,
    LiveRead,
    Window,
    by_group,
    counted,
    first_pass,
    group_figures,
    number,
    run,
)
from .histograms import Histogram
from .influx import InfluxClient, Result
from .schema import NO_SCENARIO
from .summary import GroupCounts, live_figures

Percentiles = dict[int, float | None]


def histograms_by_group(
    result: Result, step_ms: int = 0
) -> tuple[dict[str, Histogram], dict[tuple[str, int], Histogram]]:
    """The merged histogram of every group (``OVERALL`` and each scenario) and of every step
    (``step_ms`` long, keyed by its start) of each group. Each point's field is read once, into
    its scenario's step; the rest are sums of those."""
    cells: dict[tuple[str, int], Histogram] = {}
    for series in result:
        scenario = series.tags.get(SCENARIO_TAG, "")
        for row in series.rows:
            text = row.get("duration_hist")
            if not text:
                continue
            t = int(row["time"])
            at = t - t % step_ms if step_ms else 0
            histogram = cells.get((scenario, at))
            if histogram is None:
                histogram = cells[(scenario, at)] = Histogram()
            histogram.add_text(text)
    steps: dict[tuple[str, int], Histogram] = {}
    for (scenario, at), histogram in cells.items():
        if scenario and scenario != NO_SCENARIO:  # outside any scenario: overall only
            steps[(scenario, at)] = histogram
        steps.setdefault((OVERALL, at), Histogram()).add(histogram)
    totals: dict[str, Histogram] = {}
    for (name, _), histogram in steps.items():
        totals.setdefault(name, Histogram()).add(histogram)
    return totals, steps


def k6_times(k6: K6Counts | None, name: str) -> ResponseTimes | None:
    """k6's own response times of a group, if its summary gave them."""
    if k6 is None:
        return None
    counts = k6.overall if name == OVERALL else k6.scenarios.get(name)
    return counts.response_time if counts else None


def exact_percentiles(k6: K6Counts | None, name: str) -> Percentiles | None:
    """k6's own percentiles of the group: only from a single runner's summary (a sum of
    several has none to give)."""
    times = k6_times(k6, name)
    if k6 is None or k6.runners != 1 or times is None:
        return None
    values: Percentiles = {p: getattr(times, f"p{p}") for p in q.PERCENTILES}
    return None if any(v is None for v in values.values()) else values


def settle_figures(
    group: GroupCounts, name: str, k6: K6Counts | None, histogram: Histogram | None
) -> tuple[Percentiles, bool]:
    """The group's percentiles (and its min/max, set on ``group``); True when they are exact."""
    times = k6_times(k6, name)
    low, high = histogram.extremes() if histogram else (None, None)
    if times is not None and times.min is not None and times.max is not None:
        group.min, group.max = times.min, times.max
    elif group.min is None or group.max is None:  # no trend stats either: the histogram's
        group.min, group.max = low, high
    exact = exact_percentiles(k6, name)
    if exact is not None:
        return exact, True
    if histogram is None or not histogram.count:
        return dict.fromkeys(q.PERCENTILES), False
    return histogram.percentiles(q.PERCENTILES), False


def _add_step_percentiles(
    results: dict[str, Result], steps: dict[tuple[str, int], Histogram]
) -> None:
    """p95/p99 of each step, from its merged histogram, into the series' duration rows."""
    for name, series in by_group(results, "series_durations").items():
        for row in series.rows:
            histogram = steps.get((name, int(row["time"])))
            if histogram is not None and histogram.count:
                values = histogram.percentiles(q.LIVE_PERCENTILES)
                row.update({f"p{p}": values[p] for p in q.LIVE_PERCENTILES})


class FastPath:
    """The fast mode: the receiver's compact points (:mod:`.schema`)."""

    mode = MetricsMode.FAST

    async def summarise(
        self, client: InfluxClient, test_id: str, window: Window, k6: K6Counts | None = None
    ) -> TestSummary:
        """The summary of one fast-mode test from its points in ``window`` and k6's own summary
        of the run (``k6``, None when k6 gave none); empty when there are no points."""
        bounds = q.Bounds(test_id, q.ns(window[0]), q.ns(window[1]))
        statements = q.compact_counts(bounds) | per_step.compact_statements(bounds)
        first = await first_pass(client, test_id, window, statements)
        for group in first.counts.values():
            group.lead_ms = PUSH_SECONDS * 1000
        active = first.active()
        if active is None:
            return first.empty()
        overall, span = active
        assert overall.active_seconds is not None
        step = q.series_step(overall.active_seconds, MAX_SERIES_POINTS)
        statements = q.compact_buckets(span, step) | {"histograms": q.compact_histograms(bounds)}
        second = await run(client, statements)
        histograms, steps = histograms_by_group(second["histograms"], step * 1000)
        tps, errors = by_group(second, "tps"), by_group(second, "errors")
        figures, all_exact, any_percentile = {}, True, False
        for name, group in first.counts.items():
            pct, exact = settle_figures(group, name, k6, histograms.get(name))
            if pct.get(50) is not None:
                any_percentile, all_exact = True, all_exact and exact
            figures[name] = group_figures(group, name, pct, tps, errors)
        _add_step_percentiles(second, steps)
        source = None
        if any_percentile:
            source = PercentileSource.K6_SUMMARY if all_exact else PercentileSource.HISTOGRAM
        return first.summary(figures, second, step, source)

    async def stored_requests(self, client: InfluxClient, bounds: q.Bounds) -> dict[str, int]:
        """Requests the compact points in ``bounds`` hold (per scenario, overall: ``OVERALL``)."""
        return counted(await run(client, q.compact_requests(bounds)), "requests", "requests")

    async def live_snapshot(self, client: InfluxClient, read: LiveRead) -> LiveSnapshot:
        """:meth:`.modes.MetricsPath.live_snapshot` over compact points."""
        totals, results = await read.results(client, q.compact_live, lambda _: "settle_totals")
        requests = counted(results, "totals", "requests")
        failed = counted(results, "totals", "failed")
        in_window = by_group(results, "window")
        histograms, _ = histograms_by_group(results["histograms"])
        vus = number(results["vus"][0], "vus") if results.get("vus") else None
        seconds = read.window.total_seconds()
        figures = {}
        for name in {OVERALL, *totals.requests, *requests}:
            durations: dict[str, float | None] = {"avg": number(in_window.get(name), "avg")}
            histogram = histograms.get(name)
            if histogram is not None and histogram.count:
                values = histogram.percentiles(q.LIVE_PERCENTILES)
                durations |= {f"p{p}": values[p] for p in q.LIVE_PERCENTILES}
            figures[name] = live_figures(
                requests_total=totals.requests.get(name, 0) + requests.get(name, 0),
                failed_total=totals.failed.get(name, 0) + failed.get(name, 0),
                window_requests=int(number(in_window.get(name), "requests") or 0),
                window_seconds=seconds,
                durations=durations,
                vus=vus if name == OVERALL else None,
            )
        return read.snapshot(figures, totals.failures(results))


FAST = FastPath()
