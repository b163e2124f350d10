"""What a scenario asks of k6, per executor: peak VUs, peak rate, longest run (k6 itself agrees:
the test-runner's test_script_generation compares these with ``k6 inspect``)."""

from __future__ import annotations

from typing import Any

import pytest

from mv_contracts.load import ScenarioLoad, scenario_load, seconds, total_vus
from mv_contracts.runs import Executor, ScenarioRequest

STAGES = [{"duration": "1m", "target": 40}, {"duration": "30s", "target": 1000}]


def _scenario(executor: Executor | str, **options: Any) -> ScenarioRequest:
    return ScenarioRequest.model_validate(
        {
            "name": "s",
            "endpoint": {"method": "GET", "path": "/"},
            "executor": executor,
            **options,
        }
    )


@pytest.mark.parametrize(
    ("executor", "options", "expected"),
    [
        (Executor.CONSTANT_VUS, {"vus": 20, "duration": "5h"},
         ScenarioLoad(20, ("vus",), None, (), 18_000, ("duration",))),
        (Executor.CONSTANT_VUS, {"duration": "1m", "start_time": "30s"},  # k6's default 1 VU
         ScenarioLoad(1, ("vus",), None, (), 90, ("duration",))),
        # starts at vus, peaks at the highest target; a duration is not k6's for this executor
        (Executor.RAMPING_VUS, {"vus": 5, "duration": "1s", "stages": STAGES},
         ScenarioLoad(1000, ("stages", 1, "target"), None, (), 90, ("stages",))),
        (Executor.RAMPING_VUS, {"vus": 2000, "stages": STAGES},
         ScenarioLoad(2000, ("vus",), None, (), 90, ("stages",))),
        # VUs: max_vus, else pre_allocated_vus (k6's maxVUs default); the rate per second
        (Executor.CONSTANT_ARRIVAL_RATE,
         {"rate": 300, "time_unit": "1m", "duration": "2m", "pre_allocated_vus": 10},
         ScenarioLoad(10, ("pre_allocated_vus",), 5.0, ("rate",), 120, ("duration",))),
        (Executor.CONSTANT_ARRIVAL_RATE,
         {"rate": 50, "duration": "2m", "pre_allocated_vus": 10, "max_vus": 80},
         ScenarioLoad(80, ("max_vus",), 50.0, ("rate",), 120, ("duration",))),
        # stage targets are iterations per time_unit, never VUs
        (Executor.RAMPING_ARRIVAL_RATE, {"pre_allocated_vus": 50, "stages": STAGES},
         ScenarioLoad(50, ("pre_allocated_vus",), 1000.0, ("stages", 1, "target"), 90,
                      ("stages",))),
        (Executor.RAMPING_ARRIVAL_RATE,
         {"rate": 4000, "time_unit": "2s", "pre_allocated_vus": 5, "stages": STAGES},
         ScenarioLoad(5, ("pre_allocated_vus",), 2000.0, ("rate",), 90, ("stages",))),
        # the iteration executors run until their maxDuration (duration), k6's 10 minutes
        (Executor.PER_VU_ITERATIONS, {"vus": 3, "iterations": 9, "duration": "5h50m"},
         ScenarioLoad(3, ("vus",), None, (), 21_000, ("duration",))),
        (Executor.PER_VU_ITERATIONS, {"iterations": 9, "start_time": "1m"},
         ScenarioLoad(1, ("vus",), None, (), 660, ("duration",))),
        (Executor.SHARED_ITERATIONS, {"vus": 4, "iterations": 100},
         ScenarioLoad(4, ("vus",), None, (), 600, ("duration",))),
    ],
)  # fmt: skip
def test_the_load_of_each_executor(
    executor: Executor, options: dict[str, Any], expected: ScenarioLoad
) -> None:
    assert scenario_load(_scenario(executor, **options)) == expected


def test_every_executor_of_the_contract_has_a_load() -> None:
    required = {"duration": "1s", "stages": STAGES, "rate": 1, "pre_allocated_vus": 1,
                "iterations": 1}  # fmt: skip
    for executor in Executor:
        assert scenario_load(_scenario(executor, **required)).vus >= 1


def test_k6_externally_controlled_is_not_taken() -> None:
    with pytest.raises(ValueError, match="executor"):
        _scenario("externally-controlled", vus=1, max_vus=10, duration="1h")


def test_a_zero_time_unit_is_no_division_by_zero() -> None:
    load = scenario_load(
        _scenario(Executor.CONSTANT_ARRIVAL_RATE, rate=1, time_unit="0s", duration="1s",
                  pre_allocated_vus=1)
    )  # fmt: skip
    assert load.rate == float("inf")


def test_a_tests_vus_add_up_over_its_scenarios() -> None:
    scenarios = [
        _scenario(Executor.CONSTANT_VUS, vus=3, duration="1s"),
        _scenario(Executor.RAMPING_ARRIVAL_RATE, pre_allocated_vus=50, stages=STAGES),
    ]
    assert total_vus(scenarios) == 53


@pytest.mark.parametrize(
    ("duration", "expected"), [("30s", 30), ("1m30s", 90), ("500ms", 0.5), ("5h50m", 21_000)]
)
def test_seconds(duration: str, expected: float) -> None:
    assert seconds(duration) == expected
