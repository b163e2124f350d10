"""The precise metrics mode's path: every sample k6 wrote, read by :mod:`.definitions.precise`."""

from __future__ import annotations

from datetime import datetime

from mv_contracts.metrics import MAX_SERIES_POINTS, LiveSnapshot, PercentileSource, TestSummary
from mv_contracts.runs import K6Counts, MetricsMode

from . import definitions as q
from . import steps as per_step
from .aggregate import (
    NO_SAMPLES,
    OVERALL,
    LiveRead,
    assembled,
    by_group,
    counted,
    counts_of,
    empty_summary,
    failures_of,
    number,
    pod_resources,
    run,
    series_of,
)
from .influx import InfluxClient
from .summary import active_buckets, k6_percentiles, live_figures, metric_figures


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
