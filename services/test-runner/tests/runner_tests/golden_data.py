"""Test data whose k6 scripts are kept byte for byte: one scenario per data mode over one file,
its columns in a path parameter, a query value, a header and the body, and generated values
beside them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mv_contracts.data import DataMode
from mv_contracts.runs import TestRunRequest

from .golden_requests import BASE_URL, TEST_ID

PEOPLE: dict[str, Any] = {
    "id": 7,
    "name": "people.csv",
    "columns": ["email", "name", "age"],
    "rows": [["kim@example.com", "김민수", "31"], ["lee@example.com", "이서연", "27"]],
}


def _scenario(mode: DataMode, **options: Any) -> dict[str, Any]:
    return {
        "name": f"sign up {mode.value}",
        "data": {"file_id": PEOPLE["id"], "mode": mode.value},
        "endpoint": {
            "method": "POST",
            "path": "/people/{email}",
            "path_params": {"email": "{{email}}"},
            "query": {"age": "{{age}}", "ref": "{{$string(8)}}"},
            "headers": {"X-Request-Id": "{{$uuid}}"},
            "body": {
                "name": "{{name}}",
                "id": "{{$uuid}}",
                "contact": "{{$email}}",
                "score": "{{$int(1,100)}}",
                "at": "{{$timestamp}}",
                "n": "{{$sequence}}",
                "nickname": "{{$name}} ({{email}})",
            },
        },
        **({"vus": 2, "duration": "2s"} | options),
    }


def data_mode(mode: DataMode, **options: Any) -> TestRunRequest:
    return TestRunRequest.model_validate(
        {
            "test_id": TEST_ID,
            "title": "test data",
            "project_id": 1,
            "base_url": BASE_URL,
            "data": [PEOPLE],
            "scenarios": [_scenario(mode, **options)],
        }
    )


DATA_CASES: dict[str, Callable[[], TestRunRequest]] = {
    "data-per-vu": lambda: data_mode(DataMode.PER_VU),
    "data-per-iteration": lambda: data_mode(DataMode.PER_ITERATION),
    "data-random": lambda: data_mode(
        DataMode.RANDOM,
        executor="constant-arrival-rate",
        rate=5,
        duration="2s",
        pre_allocated_vus=2,
        vus=None,
    ),
    "data-unique": lambda: data_mode(
        DataMode.UNIQUE, executor="shared-iterations", iterations=2, duration=None
    ),
}
