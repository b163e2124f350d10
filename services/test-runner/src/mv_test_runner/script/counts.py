"""k6's own count of a run, carried out of k6 as one marked line of its log.

The generated script's ``handleSummary`` (:func:`handle_summary`) logs ``COUNTS_MARKER`` and a
JSON object of k6's end-of-test figures: ``http_reqs``, the true ``http_req_failed`` samples and
the statistics of ``http_req_duration`` (``SUMMARY_TREND_STATS``, ms), overall and per scenario.
It returns nothing, so k6 still prints its usual summary. The line reaches the platform the same
way for both executors: the local k6's log file and the k6 pod's log, read by
:func:`parse_counts`. Per-scenario figures exist in k6's summary only for submetrics that have a
threshold, so :func:`counting_thresholds` adds ones that always pass.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pydantic import ValidationError

from mv_contracts.lifecycle import K6Counts, RequestCounts, ResponseTimes

COUNTS_MARKER = "metric-vault-k6-counts"
# k6 logs console.log as logfmt, the message Go-quoted: msg="<marker> {\"requests\":...}".
_COUNTS_LINE = re.compile(r'msg="' + re.escape(COUNTS_MARKER) + r' ((?:[^"\\]|\\.)*)"')
# The script's options.summaryTrendStats: what handleSummary reads (med is p50), and what the
# local executor's summary.json holds.
SUMMARY_TREND_STATS = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)", "count"]
PERCENTILES = ("p50", "p90", "p95", "p99")

_HANDLE_SUMMARY = """\
// k6's own count and response times of the run, logged as one line the runner reads back (the
// platform checks what it stored against it). Returning nothing keeps k6's usual summary.
const COUNTED_SCENARIOS = {keys};

export function handleSummary(data) {{
  const values = (metric) => (data.metrics[metric] || {{ values: {{}} }}).values;
  const times = (metric) => {{
    const v = values(metric);
    return {{
      count: v.count || 0, min: v.min, max: v.max, avg: v.avg,
      p50: v.med, p90: v["p(90)"], p95: v["p(95)"], p99: v["p(99)"],
    }};
  }};
  const counts = (suffix) => ({{
    requests: values("http_reqs" + suffix).count || 0,
    failed: values("http_req_failed" + suffix).passes || 0,
    response_time: times("http_req_duration" + suffix),
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
        f"http_req_duration{{scenario:{key}}}": ["max>=0"],
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


def exported_counts(text: str) -> K6Counts | None:
    """k6's counts from its ``--summary-export`` file (the legacy JSON summary), for a script
    whose ``handleSummary`` is its own: requests, failed, and per scenario where k6's summary has
    the submetric (a threshold of the script names it). No response times: their statistics are
    the script's ``summaryTrendStats``, not the platform's. None when the file is not there."""
    try:
        metrics: Any = json.loads(text)["metrics"]
        overall = _exported(metrics, "")
        if overall is None:
            return None
        scenarios = {}
        for name in metrics:
            found = re.fullmatch(r"http_reqs\{scenario:([A-Za-z0-9_-]+)\}", name)
            if found and (counted := _exported(metrics, f"{{scenario:{found[1]}}}")) is not None:
                scenarios[found[1]] = counted
        return K6Counts(overall=overall, scenarios=scenarios)
    except (ValueError, TypeError, KeyError, ValidationError):
        return None


def exported_in_log(output: str) -> str:
    """The summary export a k6 wrote to its standard output (``--summary-export /dev/stdout``,
    as a Job's k6 of an own script does), amid its log and the script's own summary: the last
    JSON object there with k6's ``metrics``; empty when there is none."""
    decoder = json.JSONDecoder()
    found = ""
    for start in re.finditer(r'\{\s*"', output):
        try:
            data, end = decoder.raw_decode(output, start.start())
        except ValueError:
            continue
        if isinstance(data, dict) and isinstance(data.get("metrics"), dict):
            found = output[start.start() : end]
    return found


def _exported(metrics: dict[str, Any], suffix: str) -> RequestCounts | None:
    requests = metrics.get("http_reqs" + suffix)
    if requests is None:
        return RequestCounts(requests=0, failed=0) if suffix == "" and metrics else None
    failed = metrics.get("http_req_failed" + suffix) or {}
    return RequestCounts(requests=round(requests["count"]), failed=round(failed.get("passes", 0)))


def _counts(data: dict[str, Any]) -> RequestCounts:
    # k6 reports counters as floats (JSON numbers): whole numbers, kept as int.
    times = data.get("response_time")
    return RequestCounts(
        requests=round(data["requests"]),
        failed=round(data["failed"]),
        response_time=None if times is None else _times(times),
    )


def _times(data: dict[str, Any]) -> ResponseTimes:
    count = round(data.get("count") or 0)
    if count == 0:  # k6 reports 0 for every statistic of an empty trend: there are none
        return ResponseTimes(count=0)
    return ResponseTimes(
        count=count, **{k: data.get(k) for k in ("min", "max", "avg", *PERCENTILES)}
    )


def summed(counts: list[K6Counts | None]) -> K6Counts | None:
    """k6's counts of a test split over runners: the sum of every runner's; None when a runner
    has none (a partial sum would let the aggregator accept a summary missing that runner).

    Response times: count, min, max and the mean (weighted by count) merge exactly; percentiles
    do not, so a sum of more than one runner has none (the aggregator takes them from merged
    histograms). ``runners`` says how many summaries were summed."""
    if not counts or any(c is None for c in counts):
        return None
    present = [c for c in counts if c is not None]
    if len(present) == 1:
        return present[0]
    keys = list(dict.fromkeys(key for c in present for key in c.scenarios))
    return K6Counts(
        overall=_add([c.overall for c in present]),
        scenarios={k: _add([c.scenarios[k] for c in present if k in c.scenarios]) for k in keys},
        runners=sum(c.runners for c in present),
    )


def _add(parts: list[RequestCounts]) -> RequestCounts:
    times = [p.response_time for p in parts if p.response_time is not None]
    return RequestCounts(
        requests=sum(p.requests for p in parts),
        failed=sum(p.failed for p in parts),
        # One runner without response times (an older script) leaves the sum without them.
        response_time=_merged(times) if len(times) == len(parts) else None,
    )


def _merged(parts: list[ResponseTimes]) -> ResponseTimes:
    counted = [p for p in parts if p.count > 0]
    count = sum(p.count for p in counted)
    if count == 0:
        return ResponseTimes(count=0)
    mins = [p.min for p in counted if p.min is not None]
    maxes = [p.max for p in counted if p.max is not None]
    means = [(p.avg, p.count) for p in counted if p.avg is not None]
    return ResponseTimes(
        count=count,
        min=min(mins) if len(mins) == len(counted) else None,
        max=max(maxes) if len(maxes) == len(counted) else None,
        avg=sum(a * c for a, c in means) / count if len(means) == len(counted) else None,
    )
