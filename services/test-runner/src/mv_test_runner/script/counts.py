"""k6's own count of a run, carried out of k6 as one marked line of its log.

The generated script's ``handleSummary`` (:func:`handle_summary`) logs ``COUNTS_MARKER`` and a
JSON object of k6's end-of-test figures: ``http_reqs`` and the true ``http_req_failed`` samples,
overall and per scenario. It returns nothing, so k6 still prints its usual summary. The line
reaches the platform the same way for both executors: the local k6's log file and the k6 pod's
log, read by :func:`parse_counts`. Per-scenario figures exist in k6's summary only for submetrics
that have a threshold, so :func:`counting_thresholds` adds ones that always pass.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from mv_contracts.runs import K6Counts, RequestCounts

COUNTS_MARKER = "metric-vault-k6-counts"
# k6 logs console.log as logfmt, the message Go-quoted: msg="<marker> {\"requests\":...}".
_COUNTS_LINE = re.compile(r'msg="' + re.escape(COUNTS_MARKER) + r' ((?:[^"\\]|\\.)*)"')

_HANDLE_SUMMARY = """\
// k6's own count of the run, logged as one line the runner reads back (the platform checks the
// samples InfluxDB stored against it). Returning nothing keeps k6's usual end-of-test summary.
const COUNTED_SCENARIOS = {keys};

export function handleSummary(data) {{
  const value = (metric, field) => {{
    const found = data.metrics[metric];
    return (found && found.values[field]) || 0;
  }};
  const counts = (suffix) => ({{
    requests: value("http_reqs" + suffix, "count"),
    failed: value("http_req_failed" + suffix, "passes"),
  }});
  const scenarios = {{}};
  for (const key of COUNTED_SCENARIOS) {{
    scenarios[key] = counts("{{scenario:" + key + "}}");
  }}
  console.log("{marker} " + JSON.stringify({{ overall: counts(""), scenarios }}));
}}
"""


def handle_summary(keys: list[str]) -> str:
    """The script's ``handleSummary``, counting the scenarios ``keys`` (k6 scenario tags)."""
    # The keys are scenario tags, [A-Za-z0-9_-] only: plain JSON is a safe literal.
    return _HANDLE_SUMMARY.format(keys=json.dumps(keys), marker=COUNTS_MARKER)


def counting_thresholds(key: str) -> dict[str, list[str]]:
    """Thresholds that always pass, so k6's summary counts scenario ``key`` on its own."""
    return {
        f"http_reqs{{scenario:{key}}}": ["count>=0"],
        f"http_req_failed{{scenario:{key}}}": ["rate>=0"],
    }


def parse_counts(output: str) -> K6Counts | None:
    """k6's counts from its log (the last marked line); None when k6 logged none."""
    found = _COUNTS_LINE.findall(output)
    if not found:
        return None
    try:
        data: Any = json.loads(json.loads(f'"{found[-1]}"'))
        return K6Counts(
            overall=_counts(data["overall"]),
            scenarios={str(k): _counts(v) for k, v in (data.get("scenarios") or {}).items()},
        )
    except (ValueError, TypeError, KeyError, AttributeError, ValidationError):
        return None


def _counts(data: dict[str, Any]) -> RequestCounts:
    # k6 reports counters as floats (JSON numbers): whole numbers, kept as int.
    return RequestCounts(requests=round(data["requests"]), failed=round(data["failed"]))


def summed(counts: list[K6Counts | None]) -> K6Counts | None:
    """k6's counts of a test split over runners: the sum of every runner's; None when a runner
    has none (a partial sum would let the aggregator accept a summary missing that runner)."""
    if not counts or any(c is None for c in counts):
        return None
    overall = RequestCounts(requests=0, failed=0)
    scenarios: dict[str, RequestCounts] = {}
    for c in counts:
        assert c is not None
        overall = _add(overall, c.overall)
        for key, figures in c.scenarios.items():
            scenarios[key] = _add(scenarios.get(key, RequestCounts(requests=0, failed=0)), figures)
    return K6Counts(overall=overall, scenarios=scenarios)


def _add(a: RequestCounts, b: RequestCounts) -> RequestCounts:
    return RequestCounts(requests=a.requests + b.requests, failed=a.failed + b.failed)
