"""Which fields of a request are secret: marked, or named like a secret."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from mv_contracts.runs import EndpointCall, TestRunRequest
from mv_contracts.secrecy import body_secrets, resolve, secret_names, with_value


def test_marks_and_names_make_secrets() -> None:
    headers = {"Authorization": "a", "X-Trace": "t", "Accept": "x"}
    assert secret_names(headers, ["x-trace"], fold=True) == ["Authorization", "X-Trace"]
    assert secret_names({"api_key": "k", "Page": "1"}, ["page"], fold=False) == ["api_key"]
    user = {"name": "k", "password": "p", "pin": 1}
    body: dict[str, Any] = {"user": user, "items": [{"token": "t"}]}
    assert body_secrets(body, ["user.pin", "nothing.here"]) == [
        ("items", 0, "token"), ("user", "password"), ("user", "pin"),
    ]  # fmt: skip
    # A field inside a secret one is part of it.
    assert body_secrets({"auth": {"user": "u"}}, ["auth.user"]) == [("auth",)]
    assert resolve([{"a": 1}], "0.a") == (0, "a")
    assert with_value(body, ("user", "pin"), None)["user"] == {"name": "k", "password": "p",
                                                               "pin": None}  # fmt: skip
    assert body["user"]["pin"] == 1  # copied, not changed


def test_a_mark_must_name_a_field() -> None:
    call = {"method": "GET", "path": "/", "headers": {"X-A": "1"}, "query": {"q": "1"}}
    EndpointCall.model_validate(call | {"secrets": {"headers": ["x-a"], "query": ["q"]}})
    wrong = [
        ({"headers": ["X-B"]}, "secrets.headers"),
        ({"query": ["Q"]}, "secrets.query"),
        ({"body": ["a.b"]}, "secrets.body"),
    ]
    for marks, says in wrong:
        with pytest.raises(ValidationError, match=says):
            EndpointCall.model_validate(call | {"secrets": marks})
    scenario = {"name": "s", "vus": 1, "duration": "1s", "endpoint": call}
    request = {"test_id": "t", "title": "t", "project_id": 1, "base_url": "http://h",
               "scenarios": [scenario]}  # fmt: skip
    with pytest.raises(ValidationError, match="secret_headers"):
        TestRunRequest.model_validate(request | {"secret_headers": ["Cookie"]})
