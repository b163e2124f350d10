"""How much load a scenario asks of k6: its peak VUs, its peak arrival rate and how long it may
run, for every executor the contract takes, read the way k6 reads the options the test-runner's
generator writes. The gateway's limits (global and per role) and the test-runner's count of VUs
all use this one definition, so they cannot disagree.

- VUs: ``vus`` of the VU executors (k6's default 1; ``ramping-vus`` starts at ``vus`` and peaks
  at its highest stage target); ``max_vus`` of the arrival-rate executors, which k6 takes to be
  ``pre_allocated_vus`` when it is not set. Their stage targets are iterations, not VUs.
- Rate: iterations per second of the arrival-rate executors (``rate`` or a stage target over
  ``time_unit``); none for the others, whose pace is that of their VUs.
- Seconds: from the test's start, ``start_time`` plus the ``duration`` (``constant-*``), the
  stages' total (``ramping-*``), or the ``maxDuration`` of the iteration executors (their
  ``duration``; k6's default 10 minutes). k6's ``gracefulStop`` (30 s, not settable here) starts
  no new iteration and is not counted.

k6's ``externally-controlled`` executor is not one the contract takes (a request naming it is
refused by validation): its load is whatever a client sets while it runs.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import assert_never

from .runs import K6_DURATION_PART, Executor, ScenarioRequest

K6_ITERATIONS_MAX_DURATION = 600.0
"""k6's default ``maxDuration`` of ``per-vu-iterations`` and ``shared-iterations``, in seconds."""

_DURATION_PART = re.compile(K6_DURATION_PART)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0}

Field = tuple[str | int, ...]
"""A field of the scenario, as an error's ``loc`` names it: ``("stages", 2, "target")``."""


def seconds(duration: str) -> float:
    """A k6 duration ("1m30s", "500ms") in seconds."""
    return sum(float(n) * _UNIT_SECONDS[u] for n, u in _DURATION_PART.findall(duration))


@dataclass(frozen=True, slots=True)
class ScenarioLoad:
    vus: int
    vus_field: Field
    rate: float | None
    """Iterations per second at the peak, for the arrival-rate executors."""
    rate_field: Field
    seconds: float
    """The longest it may run, counted from the test's start (``start_time`` included)."""
    seconds_field: Field


def _peak(candidates: list[tuple[Field, float]]) -> tuple[Field, float]:
    """The first of the largest values (the field an error names)."""
    return max(candidates, key=lambda c: c[1])


def _stages(scenario: ScenarioRequest) -> list[tuple[Field, float]]:
    return [(("stages", j, "target"), s.target) for j, s in enumerate(scenario.stages)]


def _stages_seconds(scenario: ScenarioRequest) -> float:
    return sum(seconds(s.duration) for s in scenario.stages)


def scenario_load(scenario: ScenarioRequest) -> ScenarioLoad:
    """The scenario's peak VUs, peak rate and longest run (see the module's documentation)."""
    vus: tuple[Field, float]
    length: tuple[Field, float]
    rate: tuple[Field, float] | None = None
    duration = seconds(scenario.duration) if scenario.duration else 0.0
    match scenario.executor:
        case Executor.CONSTANT_VUS:
            vus = (("vus",), scenario.vus or 1)
            length = (("duration",), duration)
        case Executor.RAMPING_VUS:
            vus = _peak([(("vus",), scenario.vus or 0), *_stages(scenario)])
            length = (("stages",), _stages_seconds(scenario))
        case Executor.CONSTANT_ARRIVAL_RATE | Executor.RAMPING_ARRIVAL_RATE:
            vus = _peak(
                [
                    (("pre_allocated_vus",), scenario.pre_allocated_vus or 1),
                    (("max_vus",), scenario.max_vus or 0),
                ]
            )
            per_unit = _peak(
                [(("rate",), scenario.rate or 0)]
                + (_stages(scenario) if scenario.executor is Executor.RAMPING_ARRIVAL_RATE else [])
            )
            unit = seconds(scenario.time_unit)  # k6 refuses 0 (so does the gateway, first)
            rate = (per_unit[0], per_unit[1] / unit if unit > 0 else math.inf)
            if scenario.executor is Executor.CONSTANT_ARRIVAL_RATE:
                length = (("duration",), duration)
            else:
                length = (("stages",), _stages_seconds(scenario))
        case Executor.PER_VU_ITERATIONS | Executor.SHARED_ITERATIONS:
            vus = (("vus",), scenario.vus or 1)
            length = (("duration",), duration or K6_ITERATIONS_MAX_DURATION)
        case _:
            assert_never(scenario.executor)
    start = seconds(scenario.start_time) if scenario.start_time else 0.0
    return ScenarioLoad(
        vus=int(vus[1]),
        vus_field=vus[0],
        rate=rate[1] if rate else None,
        rate_field=rate[0] if rate else (),
        seconds=start + length[1],
        seconds_field=length[0],
    )


def total_vus(scenarios: list[ScenarioRequest]) -> int:
    """The VUs of a test: its scenarios' peaks added up, as if they all ran at once (k6's
    ``maxVUs`` for scenarios that overlap; an upper bound for ones after another)."""
    return sum(scenario_load(s).vus for s in scenarios)
