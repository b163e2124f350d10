"""What every statement shares: the bounds of a test's points, literals, k6's measurement names."""

# InfluxQL built here: the only value from outside (the test id, a scenario name) goes through
# quote_string, so the statement-building warning does not apply.
# ruff: noqa: S608

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from mv_contracts.runs import RUNNER_TAG, SCENARIO_TAG, TEST_ID_TAG

REQUESTS = "http_reqs"
FAILED = "http_req_failed"
DURATION = "http_req_duration"
VUS = "vus"
DROPPED = "dropped_iterations"
STATUS_TAG, ERROR_CODE_TAG = "status", "error_code"
PERCENTILES: tuple[int, ...] = (50, 90, 95, 99)
LIVE_PERCENTILES: tuple[int, ...] = (95, 99)
BUCKET = "1s"


def quote_string(value: str) -> str:
    """An InfluxQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def ns(moment: datetime | int) -> int:
    """Nanoseconds since the epoch (ints are taken as epoch milliseconds)."""
    if isinstance(moment, int):
        return moment * 1_000_000
    return round(moment.timestamp() * 1_000_000) * 1_000


@dataclass(frozen=True, slots=True)
class Bounds:
    """Which samples a statement reads: one test, a half-open time range ``[start, end)``."""

    test_id: str
    start_ns: int
    end_ns: int

    def where(self, scenario: str | None = None) -> str:
        clause = (
            f'"{TEST_ID_TAG}" = {quote_string(self.test_id)} '
            f"AND time >= {self.start_ns} AND time < {self.end_ns}"
        )
        if scenario is not None:
            clause += f' AND "{SCENARIO_TAG}" = {quote_string(scenario)}'
        return clause


def both(statement: str) -> tuple[str, str]:
    """The statement overall and grouped by scenario."""
    if " GROUP BY " in statement:
        return statement, f'{statement}, "{SCENARIO_TAG}"'
    return statement, f'{statement} GROUP BY "{SCENARIO_TAG}"'


def grouped(statements: dict[str, str], prefix: str = "") -> dict[str, str]:
    """Each statement overall, under ``prefix + key``, and by scenario, ``..._by_scenario``."""
    out: dict[str, str] = {}
    for key, statement in statements.items():
        out[prefix + key], out[f"{prefix}{key}_by_scenario"] = both(statement)
    return out


@dataclass(frozen=True, slots=True)
class Vus:
    """The VUs of a test from ``field`` of ``measurement``: per second, each runner's values
    summed over the runners (a test on one runner has one). A second can hold two of a runner's
    samples (k6's one-second ticker runs late under load), so its highest and its lowest are kept
    beside its last: the test's max and min are those of every sample."""

    measurement: str = VUS
    field: str = "value"

    def per_second(self, bounds: Bounds) -> str:
        """Per second: ``high``, ``low`` and ``last``, each summed over the runners."""
        per_runner = (
            f'SELECT MAX("{self.field}") AS high, MIN("{self.field}") AS low, '
            f'LAST("{self.field}") AS last FROM "{self.measurement}" WHERE {bounds.where()} '
            f'GROUP BY time(1s), "{RUNNER_TAG}"'
        )
        return (
            'SELECT SUM("high") AS high, SUM("low") AS low, SUM("last") AS last '
            f"FROM ({per_runner}) "
            f"WHERE time >= {bounds.start_ns} AND time < {bounds.end_ns} GROUP BY time(1s)"
        )

    def figures(self, bounds: Bounds) -> str:
        """Max, min and mean over the seconds of ``bounds``."""
        return (
            'SELECT MAX("high") AS max, MIN("low") AS min, MEAN("last") AS mean '
            f"FROM ({self.per_second(bounds)})"
        )

    def series(self, bounds: Bounds, step: str) -> str:
        """The most VUs of each ``step``."""
        return (
            f'SELECT MAX("high") AS vus FROM ({self.per_second(bounds)}) '
            f"WHERE time >= {bounds.start_ns} AND time < {bounds.end_ns} "
            f"GROUP BY time({step}) fill(none)"
        )

    def now(self, window: Bounds) -> str:
        """The VUs of the window: each runner's last value, summed."""
        return (
            f'SELECT SUM("v") AS vus FROM (SELECT LAST("{self.field}") AS v '
            f'FROM "{self.measurement}" WHERE {window.where()} GROUP BY "{RUNNER_TAG}")'
        )


def series_step(active_seconds: float, max_points: int) -> int:
    """Whole seconds per stored step, so ``active_seconds`` fits in ``max_points`` steps."""
    return max(1, math.ceil(active_seconds / max_points))
