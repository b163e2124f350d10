"""How much load one test may ask for, checked on the validated request: the gateway's limits
for anyone (each refusal a 422 naming the field and the setting), then the starter's role's, and
how many tests one starter may have going at once (429).

What a scenario asks for — peak VUs, arrival rate, how long it runs — is
:func:`mv_contracts.load.scenario_load`, the one reading of k6's executors that every check
here (and the test-runner) uses. Durations k6 would reject (a zero ``duration`` or
``time_unit``, stages adding up to nothing) are refused too, rather than failing in k6 later
(exit 104).
"""

from __future__ import annotations

from dataclasses import dataclass

from mv_contracts.load import scenario_load, seconds, total_vus
from mv_contracts.runs import Executor, ScenarioRequest, TestRunRequest
from mv_gateway.auth import RoleLimits
from mv_gateway.core.errors import FieldError, GatewayError
from mv_gateway.core.settings import Settings

ITERATIONS = (Executor.PER_VU_ITERATIONS, Executor.SHARED_ITERATIONS)


class OverLimit(FieldError):
    """A request asking for more than a limit of the gateway allows, or what k6 refuses."""


class TooManyRunning(GatewayError):
    status_code = 429

    def __init__(self, actor: str, running: int, role: str, limit: int) -> None:
        super().__init__(
            f"{actor} has {running} tests pending or running: a {role} may have at most {limit}"
            " at once; wait for one to end or cancel one"
        )


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


def _own_script(vus: int, length: float, max_vus: int, max_seconds: float, whose: str) -> None:
    """An own script's load as k6 read it (its maxVUs and totalDuration) against limits."""
    if vus > max_vus:
        raise OverLimit("script", message=f"{vus} VUs at most (k6 inspect); {whose} {max_vus}")
    if length > max_seconds:
        raise OverLimit(
            "script", message=f"lasts {length:g} s (k6 inspect); {whose} {max_seconds:g} s"
        )


def check_limits(request: TestRunRequest, limits: RunLimits) -> None:
    """Raise :class:`OverLimit` for the first field over a limit of the gateway."""
    if (own := request.own_script) is not None:
        _own_script(own.max_vus, own.seconds, limits.max_vus, limits.max_test_seconds,
                    "the limit is (MAX_VUS, MAX_TEST_SECONDS)")  # fmt: skip
        return
    if len(request.scenarios) > limits.max_scenarios:
        raise OverLimit(
            "scenarios",
            message=f"{len(request.scenarios)} scenarios; the limit is {limits.max_scenarios}"
            " (MAX_SCENARIOS)",
        )
    for i, scenario in enumerate(request.scenarios):
        _durations(i, scenario)
        load = scenario_load(scenario)
        if load.vus > limits.max_vus:
            raise OverLimit(
                "scenarios", i, *load.vus_field,
                message=f"{load.vus} VUs; the limit is {limits.max_vus} (MAX_VUS)",
            )  # fmt: skip
        if load.rate is not None and load.rate > limits.max_arrival_rate:
            raise OverLimit(
                "scenarios", i, *load.rate_field,
                message=f"{load.rate:g} iterations/s; the limit is {limits.max_arrival_rate:g}"
                " (MAX_ARRIVAL_RATE)",
            )  # fmt: skip
        if load.seconds > limits.max_test_seconds:
            raise OverLimit(
                "scenarios", i, *load.seconds_field,
                message=f"runs {load.seconds:g} s{_counted(scenario)}; the limit is"
                f" {limits.max_test_seconds:g} s (MAX_TEST_SECONDS)",
            )  # fmt: skip
    if (vus := total_vus(request.scenarios)) > limits.max_vus:
        raise OverLimit(
            "scenarios",
            message=f"{vus} VUs over all scenarios; the limit is {limits.max_vus} (MAX_VUS)",
        )


def check_role_limits(request: TestRunRequest, limits: RoleLimits, role: str) -> None:
    """Scenarios run side by side: their VUs add up, the test lasts as long as the longest."""
    if (own := request.own_script) is not None:
        _own_script(own.max_vus, own.seconds, limits.max_vus, limits.max_seconds,
                    f"a {role} may use at most")  # fmt: skip
        return
    vus = total_vus(request.scenarios)
    length = max(scenario_load(s).seconds for s in request.scenarios)
    if vus > limits.max_vus:
        raise OverLimit(
            "scenarios", message=f"{vus} VUs in all: a {role} may use at most {limits.max_vus}"
        )
    if length > limits.max_seconds:
        raise OverLimit(
            "scenarios",
            message=f"lasts {length:g} s: a {role}'s test may last {limits.max_seconds:g} s",
        )


def check_running(actor: str, running: int, limits: RoleLimits, role: str) -> None:
    """Refuse one more test to a starter who has ``running`` pending or running already."""
    if running >= limits.max_running_tests:
        raise TooManyRunning(actor, running, role, limits.max_running_tests)


def _counted(scenario: ScenarioRequest) -> str:
    """What the length counts beside the scenario's own duration, if anything."""
    if scenario.executor in ITERATIONS and not scenario.duration:
        return " (k6's default maxDuration)"
    return " with its start_time" if scenario.start_time else ""


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
