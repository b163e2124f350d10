"""A journey's stored steps and checks read back in the journey's order (its login first),
whatever order the summary found them in."""

from __future__ import annotations

from typing import Any

from mv_contracts.metrics import (
    CheckSummary,
    MetricFigures,
    ScenarioSummary,
    StepSummary,
    TestSummary,
)
from mv_gateway.history.result_routes import _journeys
from mv_gateway.history.tables import TestHistory


def test_steps_and_checks_follow_the_journey() -> None:
    request: dict[str, Any] = {
        "scenarios": [
            {"name": "금고", "steps": [{"name": n} for n in ("create", "read", "delete")]}
        ]
    }
    test = TestHistory(run_request=request)
    found = ScenarioSummary(
        name="s01_vault",
        figures=MetricFigures(),
        steps=[StepSummary(name=n) for n in ("read", "delete", "login", "create")],
        checks=[
            CheckSummary(name=f"{step}: status in 200", step=step, passes=1, total=1)
            for step in ("delete", "read", "create")
        ],
    )
    summary = TestSummary(test_id="t", overall=MetricFigures(), scenarios=[found])
    journey = _journeys(test, summary, {"s01_vault": "금고"})["금고"]
    assert [s.name for s in journey.steps] == ["login", "create", "read", "delete"]
    assert [c.step for c in journey.checks] == ["create", "read", "delete"]
