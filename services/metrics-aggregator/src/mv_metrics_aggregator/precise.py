"""The precise metrics mode's path: every sample k6 wrote, read by :mod:`.definitions.precise`."""

from __future__ import annotations

from mv_contracts.lifecycle import K6Counts
from mv_contracts.metrics import MAX_SERIES_POINTS, LiveSnapshot, PercentileSource, TestSummary
from mv_contracts.runs import MetricsMode

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
from .influx import InfluxClient
from .summary import k6_percentiles, live_figures


class PrecisePath:
    """The precise mode: every sample k6 wrote (and an older runner's test, without a metrics
    mode, which wrote every sample too)."""

    mode = MetricsMode.PRECISE

    async def summarise(
        self, client: InfluxClient, test_id: str, window: Window, k6: K6Counts | None = None
    ) -> TestSummary:
        """The summary of one test from the samples in ``window``; empty when there are none.
        (``k6``, k6's own counts, adds nothing to every sample.)"""
        bounds = q.Bounds(test_id, q.ns(window[0]), q.ns(window[1]))
        statements = q.counts(bounds) | per_step.statements(bounds)
        first = await first_pass(client, test_id, window, statements)
        active = first.active()
        if active is None:
            return first.empty()
        overall, span = active
        assert overall.active_seconds is not None
        # Second pass: exact-rank percentiles over the samples counted in the first (same bounds),
        # 1 s buckets over the active range.
        statements = q.buckets(span)
        step = q.series_step(overall.active_seconds, MAX_SERIES_POINTS)
        for name, group in first.counts.items():
            if group.samples:
                statements[f"pct:{name}"] = q.percentiles(
                    bounds, group.samples, None if name == OVERALL else name
                )
        statements |= q.series(span, step)
        second = await run(client, statements)
        tps, errors = by_group(second, "tps"), by_group(second, "errors")
        figures = {}
        for name, group in first.counts.items():
            pct_rows = second.get(f"pct:{name}", [])
            pct = k6_percentiles(pct_rows[0].first(), group.samples) if pct_rows else {}
            figures[name] = group_figures(group, name, pct, tps, errors)
        has_percentiles = figures[OVERALL].p50_response_time is not None
        source = PercentileSource.SAMPLES if has_percentiles else None
        return first.summary(figures, second, step, source)

    async def stored_requests(self, client: InfluxClient, bounds: q.Bounds) -> dict[str, int]:
        """Requests InfluxDB holds in ``bounds``: overall under ``OVERALL``, and per scenario."""
        return counted(await run(client, q.requests(bounds)), "requests", "requests")

    async def live_snapshot(self, client: InfluxClient, read: LiveRead) -> LiveSnapshot:
        """:meth:`.modes.MetricsPath.live_snapshot` over every sample."""
        totals, results = await read.results(client, q.live, lambda column: f"settle_{column}")
        requests = counted(results, "requests", "requests")
        failed = counted(results, "failed", "failed")
        in_window = counted(results, "window", "requests")
        durations = by_group(results, "durations")
        vus = number(results["vus"][0], "vus") if results.get("vus") else None
        seconds = read.window.total_seconds()
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
        return read.snapshot(figures, totals.failures(results))


PRECISE = PrecisePath()
