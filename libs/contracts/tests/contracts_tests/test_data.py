"""Test data and generated values in the contract: a scenario's columns are variables, a file
is named by the test, unique rows are one scenario's, and generated values are known ones with
arguments in their bounds."""

from __future__ import annotations

import re
from typing import Any

import pytest
from pydantic import ValidationError

from mv_contracts.data import DataSet
from mv_contracts.runs import TestRunRequest
from mv_contracts.variables import references

PEOPLE: dict[str, Any] = {"id": 3, "name": "p.csv", "columns": ["email"], "rows": [["a@b.c"]]}


def request(*bodies: Any, data: list[dict[str, Any]] | None = None, mode: str = "unique",
            file_id: int = 3) -> TestRunRequest:  # fmt: skip
    return TestRunRequest.model_validate(
        {
            "test_id": "t",
            "title": "t",
            "project_id": 1,
            "base_url": "http://127.0.0.1:9",
            "data": [PEOPLE] if data is None else data,
            "scenarios": [
                {
                    "name": f"s{i}",
                    "data": {"file_id": file_id, "mode": mode},
                    "endpoint": {"method": "POST", "path": "/p", "body": body},
                    "duration": "1s",
                }
                for i, body in enumerate(bodies)
            ],
        }
    )


def test_columns_and_generators_are_variables_of_the_scenario() -> None:
    made = request({"to": "{{email}}", "id": "{{ $uuid }}", "n": "{{$int(-5, 5)}}"})
    call = made.scenarios[0].endpoint
    assert made.scenarios[0].data is not None
    assert call is not None
    assert references(call.body) == ["email", "$uuid", "$int(-5,5)"]


@pytest.mark.parametrize(
    ("body", "words"),
    [
        ({"x": "{{age}}"}, "'age' is not defined"),
        ({"x": "{{$nope}}"}, "unknown generated value '$nope'"),
        ({"x": "{{$uuid(3)}}"}, "$uuid takes 0 arguments"),
        ({"x": "{{$int(5,1)}}"}, "min must not be above max"),
        ({"x": "{{$string(0)}}"}, "length must be from 1 to 1000"),
        ({"x": "{{$vu(1)}}"}, "$vu takes no arguments"),
    ],
)
def test_unknown_variables_and_generators_are_refused(body: Any, words: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(words)):
        request(body)


def test_a_file_is_named_by_the_test_and_unique_rows_belong_to_one_scenario() -> None:
    with pytest.raises(ValidationError, match="data file 9 is not among the test's data"):
        request({"x": 1}, file_id=9)
    with pytest.raises(ValidationError, match="used in unique mode by another scenario"):
        request({"x": 1}, {"x": 2})
    assert len(request({"x": 1}, {"x": 2}, mode="random").scenarios) == 2


def test_rows_fit_their_columns() -> None:
    with pytest.raises(ValidationError, match=r"rows\.1: 1 values for 2 columns"):
        DataSet.model_validate({"id": 1, "name": "n", "columns": ["a", "b"],
                                "rows": [[1, 2], [3]]})  # fmt: skip
    with pytest.raises(ValidationError, match="given twice"):
        DataSet.model_validate({"id": 1, "name": "n", "columns": ["a", "a"], "rows": [[1, 2]]})
