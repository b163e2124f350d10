"""Every field of the recorded HAR replaced, one at a time, by values of other types and shapes:
the converter answers a preview or a GatewayError (a 4xx naming the field), never anything
else (which the app would answer with a 500)."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from gateway_tests.har.hars import DEMO_ENDPOINTS, demo_har
from mv_gateway.core.errors import GatewayError
from mv_gateway.har.converting import preview
from mv_gateway.har.reading import read_entries

ODD: list[Any] = [
    None, -1, 10**30, 1e308, True, "", " ", "\x00", "\ud7ff\uffff", "%zz", "http://[::1",
    "9999-99-99", "{{x}}", "a\r\nb", [], [None], {}, {"": {}}, "x" * 5000,
]  # fmt: skip


def _paths(value: Any, at: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield at
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*at, index))


def _with(document: Any, path: tuple[Any, ...], value: Any) -> Any:
    changed = copy.deepcopy(document)
    node = changed
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return changed


def _status(document: Any) -> int:
    """The status the app would answer: 200, a GatewayError's, or 500 for anything else."""
    try:
        preview(read_entries(document), DEMO_ENDPOINTS)
    except GatewayError as error:
        return error.status_code
    except Exception:  # what the app's last handler would make a 500
        return 500
    return 200


def test_no_field_of_any_shape_makes_the_converter_fail_otherwise_than_by_a_4xx() -> None:
    document = demo_har()
    # The answers' bodies hold no structure the converter walks as such: their JSON is parsed
    # from text, so the fields of the entries are enough (and the first API calls' own).
    entries = document["log"]["entries"]
    small = {"log": {"entries": [entries[0], entries[3], *entries[6:10]]}}
    tried = 0
    for path in _paths(small):
        if not path:
            continue
        for value in ODD:
            status = _status(_with(small, path, value))
            if not 200 <= status < 500:
                pytest.fail(f"{'.'.join(map(str, path))} = {value!r}: answered {status}")
            tried += 1
    assert tried > 1000
