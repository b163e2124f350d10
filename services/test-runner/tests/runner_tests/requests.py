"""Test requests for the tests: one scenario per executor, with its options."""

from __future__ import annotations

from typing import Any

from mv_contracts.runs import TestRunRequest

EXECUTOR_OPTIONS: dict[str, dict[str, Any]] = {
    "constant-vus": {"vus": 2, "duration": "1s"},
    "ramping-vus": {
        "vus": 1,
        "stages": [{"duration": "1s", "target": 2}, {"duration": "500ms", "target": 0}],
    },
    "constant-arrival-rate": {
        "rate": 5,
        "time_unit": "1s",
        "duration": "1s",
        "pre_allocated_vus": 1,
        "max_vus": 3,
    },
    "ramping-arrival-rate": {
        "rate": 1,
        "time_unit": "1s",
        "pre_allocated_vus": 1,
        "max_vus": 2,
        "stages": [{"duration": "1s", "target": 5}],
    },
    "per-vu-iterations": {"vus": 2, "iterations": 3, "duration": "10s"},
    "shared-iterations": {"vus": 2, "iterations": 4},
}


def make_request(
    base_url: str, *scenarios: dict[str, Any], test_id: str = "t-0001", **fields: Any
) -> TestRunRequest:
    return TestRunRequest.model_validate(
        {
            "test_id": test_id,
            "title": "a test",
            "project_id": 1,
            "base_url": base_url,
            "scenarios": list(scenarios),
            **fields,
        }
    )


def scenario(name: str, executor: str | None = None, **fields: Any) -> dict[str, Any]:
    """One scenario; without an executor: shared-iterations, 1 VU, 1 iteration."""
    options = EXECUTOR_OPTIONS[executor] if executor else {"vus": 1, "iterations": 1}
    executor = executor or "shared-iterations"
    return {
        "name": name,
        "executor": executor,
        "endpoint": {"method": "GET", "path": "/items"},
        **options,
        **fields,
    }
