"""Hostile uploads refused before they are converted, each with the field and the reason."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from gateway_tests.postman.collections import SCHEMA, collection, request
from mv_gateway.postman.collection import (
    MAX_FILE_BYTES,
    MAX_FOLDER_DEPTH,
    MAX_ITEMS,
    MAX_JSON_DEPTH,
    MAX_STRING,
    ImportRefused,
)
from mv_gateway.postman.convert import convert


def _folders(depth: int) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = [request("r", "GET", "http://a.test/x")]
    for level in range(depth):
        items = [{"name": f"f{level}", "item": items}]
    return items


CASES: list[tuple[str, Callable[[], tuple[str, str | None]], tuple[object, ...], str]] = [
    ("not JSON", lambda: ("{ nope", None), ("collection",), "not JSON"),
    ("not an object", lambda: ("[1, 2]", None), ("collection",), "not a JSON object"),
    ("NaN", lambda: ('{"info": NaN}', None), ("collection", "info"), "finite number"),
    (
        "v2.0",
        lambda: (
            json.dumps({"info": {"name": "x", "schema": SCHEMA.replace("2.1", "2.0")}, "item": []}),
            None,
        ),
        ("collection", "info", "schema"),
        "not a Postman collection v2.1",
    ),
    (
        "v1, no info",
        lambda: (json.dumps({"name": "x", "requests": []}), None),
        ("collection", "info"),
        "must be an object",
    ),
    ("too big", lambda: (" " * (MAX_FILE_BYTES + 1), None), ("collection",), "bytes; a file may"),
    (
        "deep JSON",
        lambda: ('{"info": ' + "[" * 5000 + "]" * 5000 + "}", None),
        ("collection",),
        f"nest deeper than {MAX_JSON_DEPTH}",
    ),
    (
        "deep folders",
        lambda: (collection(_folders(MAX_FOLDER_DEPTH + 1)), None),
        ("collection", "item", *(0, "item") * MAX_FOLDER_DEPTH, 0),
        "folders nest deeper",
    ),
    (
        "many items",
        lambda: (collection([request("r", "GET", "http://a.test/x")] * (MAX_ITEMS + 1)), None),
        ("collection", "item", MAX_ITEMS),
        f"more than {MAX_ITEMS}",
    ),
    (
        "huge string",
        lambda: (
            collection([request("r", "GET", "http://a.test/" + "x" * (MAX_STRING + 1))]),
            None,
        ),
        ("collection", "item", 0, "request", "url"),
        "a string of",
    ),
    (
        "an item not an object",
        lambda: (collection(["x"]), None),
        ("collection", "item", 0),
        "must be an object",
    ),
    (
        "script lines not text",
        lambda: (
            collection(
                [
                    {
                        "name": "r",
                        "request": "http://a.test/x",
                        "event": [{"listen": "test", "script": {"exec": [1]}}],
                    }
                ]
            ),
            None,
        ),
        ("collection", "item", 0, "event", 0, "script", "exec"),
        "lines of text",
    ),
    ("environment not JSON", lambda: (collection([]), "nope"), ("environment",), "not JSON"),
    (
        "environment variable without a key",
        lambda: (collection([]), json.dumps({"values": [{"value": "x"}]})),
        ("environment", "values", 0),
        "needs a key",
    ),
]


@pytest.mark.parametrize(
    ("files", "loc", "reason"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_hostile_uploads_are_refused_naming_the_field_and_why(
    files: Callable[[], tuple[str, str | None]], loc: tuple[object, ...], reason: str
) -> None:
    collection_text, environment_text = files()
    with pytest.raises(ImportRefused) as refused:
        convert(collection_text, environment_text, [], [])
    assert refused.value.loc == loc
    assert reason in str(refused.value)


ODD = [
    {"name": "r", "request": {"method": "GET", "url": {"host": ["api", None, 1], "path": [None]}}},
    {"name": "r", "request": {"method": 7, "url": 5, "header": {"a": 1}, "body": {"mode": "raw"}}},
    {"name": "r", "request": {"url": {"raw": "http://[::1/x?a", "query": [{"key": 1}, "x"]}}},
    {"name": "r", "request": {"url": "{{a}}/:id", "auth": {"type": "apikey", "apikey": "x"}}},
    {"name": "r", "request": {"url": "h/x", "body": {"mode": "raw", "raw": '{"a": {{n}}}'}}},
]


@pytest.mark.parametrize("item", ODD)
def test_odd_shapes_are_converted_or_said_never_a_crash(item: dict[str, Any]) -> None:
    preview = convert(collection([item]), None, [], [])
    assert preview.test is None  # nothing matched an endpoint: all of it listed
    assert preview.not_carried
