"""Whether a summary's figures are whole: what InfluxDB holds against k6's own count (no I/O).

k6 counts every request it made in its end-of-test summary (the runner carries that count on
the finished event). Samples k6 could not write (InfluxDB down or refusing: k6 logs "Couldn't
write stats") are missing from every figure of the summary, so a shortfall is stated on it, in
words a person reads, instead of figures that look whole.
"""

from __future__ import annotations

from mv_contracts.lifecycle import K6Counts
from mv_contracts.metrics import TestSummary

# Scenario mismatches named in a reason; more are summed up as "and N more".
MAX_SCENARIOS_NAMED = 5


def compare(stored: int, counted: int, what: str) -> str | None:
    """``None`` when equal, else e.g. "InfluxDB has 1,033 of 2,290 requests k6 made"."""
    if stored == counted:
        return None
    if stored < counted:
        return f"InfluxDB has {stored:,} of {counted:,} {what}"
    return f"InfluxDB has {stored:,} {what.replace(' k6 ', ' where k6 ', 1)} {counted:,}"


def shortfall(summary: TestSummary, k6: K6Counts) -> str | None:
    """Why ``summary`` is not whole against ``k6``'s count; ``None`` when every count matches."""
    found = [
        reason
        for reason in (
            compare(summary.overall.total_requests, k6.overall.requests, "requests k6 made"),
            compare(
                summary.overall.failed_requests, k6.overall.failed, "failed requests k6 counted"
            ),
        )
        if reason
    ]
    stored = {s.name: s.figures for s in summary.scenarios}
    scenarios = []
    # One scenario only: the overall clause has said it all.
    for tag, counts in sorted(k6.scenarios.items()) if len(k6.scenarios) > 1 else ():
        figures = stored.get(tag)
        have = figures.total_requests if figures else 0
        if have != counts.requests:
            scenarios.append(f"{tag} {have:,} of {counts.requests:,}")
    if scenarios:
        named = scenarios[:MAX_SCENARIOS_NAMED]
        more = len(scenarios) - len(named)
        found.append(
            "by scenario, requests stored of made: "
            + ", ".join(named)
            + (f" and {more} more" if more else "")
        )
    return "; ".join(found) or None


def mark(summary: TestSummary, k6: K6Counts | None) -> TestSummary:
    """``summary`` with k6's count and, when they differ, ``complete=False`` and the reason."""
    if k6 is None:
        return summary
    reason = shortfall(summary, k6)
    return summary.model_copy(
        update={"k6_counts": k6, "complete": reason is None, "incomplete_reason": reason}
    )
