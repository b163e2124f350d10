"""How much load one test may ask for: gateway settings with sane defaults, checked on the
validated request, each refusal a 422 naming the field and the limit. Durations k6 would reject
(a zero ``duration`` or ``time_unit``, stages adding up to nothing) are refused here too, rather
than failing in k6 later (exit 104).

Stage targets are VUs for the VU executors and iterations per ``time_unit`` for the
arrival-rate ones, so they are held to the VU or the arrival-rate limit accordingly.
"""

from __future__ import annotations

from dataclasses import dataclass

from mv_contracts.runs import Executor, ScenarioRequest, TestRunRequest
from mv_gateway.core.errors import FieldError
from mv_gateway.core.settings import Settings

from .rules import seconds

ARRIVAL_RATE = (Executor.CONSTANT_ARRIVAL_RATE, Executor.RAMPING_ARRIVAL_RATE)
ITERATIONS = (Executor.PER_VU_ITERATIONS, Executor.SHARED_ITERATIONS)
K6_MAX_DURATION = 600.0  # k6's default maxDuration of the iteration executors


class OverLimit(FieldError):
    """A request asking for more than a limit of the gateway allows, or what k6 refuses."""


@dataclass(frozen=True, slots=True)
class RunLimits:
    max_vus: int = 5_000
    max_arrival_rate: float = 50_000.0
    max_test_seconds: float = 4 * 3600.0
    max_scenarios: int = 20

    @classmethod
    def of(cls, settings: Settings) -> RunLimits:
        return cls(
            max_vus=settings.max_vus,
            max_arrival_rate=settings.max_arrival_rate,
            max_test_seconds=settings.max_test_seconds,
            max_scenarios=settings.max_scenarios,
        )


def check_limits(request: TestRunRequest, limits: RunLimits) -> None:
    """Raise :class:`OverLimit` for the first field over a limit."""
    if len(request.scenarios) > limits.max_scenarios:
        raise OverLimit(
            "scenarios",
            message=f"{len(request.scenarios)} scenarios; the limit is {limits.max_scenarios}"
            " (MAX_SCENARIOS)",
        )
    total_vus = 0
    for i, scenario in enumerate(request.scenarios):
        _durations(i, scenario)
        total_vus += _vus(i, scenario, limits)
        _arrival_rate(i, scenario, limits)
        length = _seconds_of(scenario)
        if length > limits.max_test_seconds:
            raise OverLimit(
                "scenarios", i, "duration",
                message=f"runs {length:g} s with its start_time; the limit is"
                f" {limits.max_test_seconds:g} s (MAX_TEST_SECONDS)",
            )  # fmt: skip
    if total_vus > limits.max_vus:
        raise OverLimit(
            "scenarios",
            message=f"{total_vus} VUs over all scenarios; the limit is {limits.max_vus} (MAX_VUS)",
        )


def _durations(i: int, scenario: ScenarioRequest) -> None:
    if scenario.duration is not None and seconds(scenario.duration) <= 0:
        raise OverLimit("scenarios", i, "duration", message="k6 needs a duration above 0")
    if seconds(scenario.time_unit) <= 0:
        raise OverLimit("scenarios", i, "time_unit", message="k6 needs a time_unit above 0")
    if scenario.stages and sum(seconds(s.duration) for s in scenario.stages) <= 0:
        raise OverLimit("scenarios", i, "stages", message="k6 needs stages lasting above 0 s")
    if (
        scenario.max_vus is not None
        and scenario.pre_allocated_vus is not None
        and scenario.max_vus < scenario.pre_allocated_vus
    ):
        raise OverLimit(
            "scenarios", i, "max_vus", message="k6 needs max_vus at least pre_allocated_vus"
        )


def _vus(i: int, scenario: ScenarioRequest, limits: RunLimits) -> int:
    """The scenario's peak VUs (refused over the limit)."""
    peaks: dict[str, int] = {
        name: value
        for name in ("vus", "pre_allocated_vus", "max_vus")
        if (value := getattr(scenario, name)) is not None
    }
    if scenario.executor not in ARRIVAL_RATE:
        for j, stage in enumerate(scenario.stages):
            if stage.target > limits.max_vus:
                raise OverLimit(
                    "scenarios", i, "stages", j, "target",
                    message=f"{stage.target} VUs; the limit is {limits.max_vus} (MAX_VUS)",
                )  # fmt: skip
            peaks[f"stages.{j}"] = stage.target
    for name, value in peaks.items():
        if value > limits.max_vus and not name.startswith("stages"):
            raise OverLimit(
                "scenarios", i, name,
                message=f"{value} VUs; the limit is {limits.max_vus} (MAX_VUS)",
            )  # fmt: skip
    return max(peaks.values(), default=1)


def _arrival_rate(i: int, scenario: ScenarioRequest, limits: RunLimits) -> None:
    if scenario.executor not in ARRIVAL_RATE:
        return
    unit = seconds(scenario.time_unit)
    rates: list[tuple[tuple[str | int, ...], int]] = []
    if scenario.rate is not None:
        rates.append((("rate",), scenario.rate))
    rates += [(("stages", j, "target"), s.target) for j, s in enumerate(scenario.stages)]
    for loc, rate in rates:
        per_second = rate / unit
        if per_second > limits.max_arrival_rate:
            raise OverLimit(
                "scenarios", i, *loc,
                message=f"{per_second:g} iterations/s; the limit is {limits.max_arrival_rate:g}"
                " (MAX_ARRIVAL_RATE)",
            )  # fmt: skip


def _seconds_of(scenario: ScenarioRequest) -> float:
    start = seconds(scenario.start_time) if scenario.start_time else 0.0
    if scenario.executor in ITERATIONS:
        return start + K6_MAX_DURATION
    if scenario.stages and not scenario.duration:
        return start + sum(seconds(s.duration) for s in scenario.stages)
    return start + (seconds(scenario.duration) if scenario.duration else 0.0)
