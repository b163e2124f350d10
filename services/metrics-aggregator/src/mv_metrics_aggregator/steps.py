"""Figures per step of a journey, in both metrics modes: the requests carrying a ``step`` tag
(``mv_contracts.runs.STEP_TAG``), grouped by scenario and step, so each scenario's steps add up
to the scenario's requests. Counts and failures by status are exact in both modes; response
times are the samples' min, mean and max (precise), or the compact points' (fast: the mean
exact, min and max when k6 sends trend stats, none with native histograms).
"""

# ruff: noqa: S608 -- InfluxQL of constants and the test id quoted by definitions.Bounds

from __future__ import annotations

from mv_contracts.metrics import CheckSummary, FailureCount, StepSummary
from mv_contracts.runs import RUNNER_TAG, SCENARIO_TAG, STEP_TAG

from . import definitions as q
from .influx import Result
from .schema import (
    CHECK_LABEL,
    CHECKS_MEASUREMENT,
    FAILURES_MEASUREMENT,
    REQUESTS_MEASUREMENT,
)

CHECKS = "checks"  # k6's own metric: 1 for a check that held, 0 for one that did not

_BY_STEP = f'GROUP BY "{SCENARIO_TAG}", "{STEP_TAG}"'
_KINDS = f'"{q.STATUS_TAG}", "{q.ERROR_CODE_TAG}"'


def statements(bounds: q.Bounds) -> dict[str, str]:
    """Precise mode: over k6's own samples."""
    w = bounds.where()
    return {
        "step_requests": f'SELECT COUNT("value") AS requests FROM "{q.REQUESTS}" WHERE {w} '
        f"{_BY_STEP}",
        "step_first": f'SELECT FIRST("value") FROM "{q.REQUESTS}" WHERE {w} {_BY_STEP}',
        "step_failed": f'SELECT SUM("value") AS failed FROM "{q.FAILED}" WHERE {w} {_BY_STEP}',
        "step_durations": 'SELECT MIN("value") AS min, MEAN("value") AS mean, MAX("value") AS max '
        f'FROM "{q.DURATION}" WHERE {w} {_BY_STEP}',
        "step_failures": f'SELECT COUNT("value") AS n FROM "{q.FAILED}" WHERE {w} AND '
        f'"value" = 1 {_BY_STEP}, {_KINDS}',
        "step_checks": f'SELECT SUM("value") AS passes, COUNT("value") AS total FROM "{CHECKS}" '
        f'WHERE {w} {_BY_STEP}, "{CHECK_LABEL}"',
    }


def compact_statements(bounds: q.Bounds) -> dict[str, str]:
    """Fast mode: over the receiver's compact points, which keep the step tag."""
    w = bounds.where()
    return {
        "step_requests": 'SELECT SUM("requests") AS requests, SUM("failed") AS failed, '
        f'MIN("duration_min") AS min, {q.COMPACT_MEAN} AS mean, MAX("duration_max") AS max '
        f'FROM "{REQUESTS_MEASUREMENT}" WHERE {w} {_BY_STEP}',
        "step_first": f'SELECT FIRST("requests") FROM "{REQUESTS_MEASUREMENT}" WHERE {w} '
        f"{_BY_STEP}",
        "step_failures": f'SELECT SUM("failed") AS n FROM "{FAILURES_MEASUREMENT}" WHERE {w} '
        f"{_BY_STEP}, {_KINDS}",
        # Per runner: each runner's cumulative pass rate times its own requests of the step.
        "step_check_rates": f'SELECT LAST("rate") AS rate FROM "{CHECKS_MEASUREMENT}" WHERE {w} '
        f'{_BY_STEP}, "{RUNNER_TAG}", "{CHECK_LABEL}"',
        "step_runner_requests": f'SELECT SUM("requests") AS requests FROM '
        f'"{REQUESTS_MEASUREMENT}" WHERE {w} {_BY_STEP}, "{RUNNER_TAG}"',
    }


Key = tuple[str, str]


def _by_step(result: Result) -> dict[Key, dict[str, object]]:
    found: dict[Key, dict[str, object]] = {}
    for series in result:
        step = series.tags.get(STEP_TAG, "")
        if step:  # requests of a scenario that is not a journey have no step
            found[(series.tags.get(SCENARIO_TAG, ""), step)] = series.first()
    return found


def steps_of(results: dict[str, Result]) -> dict[str, list[StepSummary]]:
    """Per scenario tag, its steps in the order they first ran."""
    requests = _by_step(results.get("step_requests", []))
    failed = _by_step(results.get("step_failed", [])) or requests
    durations = _by_step(results.get("step_durations", [])) or requests
    first = _by_step(results.get("step_first", []))
    failures: dict[Key, list[FailureCount]] = {}
    for series in results.get("step_failures", []):
        count = int(_float(series.first().get("n")) or 0)
        step = series.tags.get(STEP_TAG, "")
        if count and step:
            failures.setdefault((series.tags.get(SCENARIO_TAG, ""), step), []).append(
                FailureCount(
                    status=series.tags.get(q.STATUS_TAG) or "0",
                    error_code=series.tags.get(q.ERROR_CODE_TAG) or None,
                    count=count,
                )
            )
    ordered = sorted(requests, key=lambda k: (k[0], int(str(first.get(k, {}).get("time", 0)))))
    steps: dict[str, list[StepSummary]] = {}
    for scenario, step in ordered:
        row, times = requests[(scenario, step)], durations.get((scenario, step), {})
        steps.setdefault(scenario, []).append(
            StepSummary(
                name=step,
                requests=int(_float(row.get("requests")) or 0),
                failed=int(_float(failed.get((scenario, step), {}).get("failed")) or 0),
                min_response_time=_float(times.get("min")),
                avg_response_time=_float(times.get("mean")),
                max_response_time=_float(times.get("max")),
                failures=sorted(
                    failures.get((scenario, step), []),
                    key=lambda kind: (-kind.count, kind.status, kind.error_code or ""),
                ),
            )
        )
    return steps


def _float(value: object) -> float | None:
    return None if value is None else float(str(value))


def checks_of(results: dict[str, Result]) -> dict[str, list[CheckSummary]]:
    """Per scenario tag, its checks' passes and evaluations, by name."""
    found: dict[tuple[str, str, str], list[int]] = {}
    for series in results.get("step_checks", []):
        row = series.first()
        key = _check_key(series.tags)
        if key[1]:
            found[key] = [int(_float(row.get("passes")) or 0), int(_float(row.get("total")) or 0)]
    requests = {
        (s.tags.get(SCENARIO_TAG, ""), s.tags.get(STEP_TAG, ""), s.tags.get(RUNNER_TAG, "")): int(
            _float(s.first().get("requests")) or 0
        )
        for s in results.get("step_runner_requests", [])
    }
    for series in results.get("step_check_rates", []):
        key = _check_key(series.tags)
        runner = series.tags.get(RUNNER_TAG, "")
        total = requests.get((key[0], key[1], runner), 0)
        rate = _float(series.first().get("rate")) or 0.0
        if key[1]:
            counts = found.setdefault(key, [0, 0])
            counts[0] += round(rate * total)
            counts[1] += total
    checks: dict[str, list[CheckSummary]] = {}
    for (scenario, step, name), (passes, total) in sorted(found.items()):
        checks.setdefault(scenario, []).append(
            CheckSummary(name=name, step=step, passes=passes, total=total)
        )
    return checks


def _check_key(tags: dict[str, str]) -> tuple[str, str, str]:
    return tags.get(SCENARIO_TAG, ""), tags.get(STEP_TAG, ""), tags.get(CHECK_LABEL, "")
