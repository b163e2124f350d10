"""A JSON body is parsed once (before: by the body middleware, then again by FastAPI), and its
depth is measured without the parser's recursion, exactly at the limit."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from mv_gateway.core.parsing import BodyRefused, parse, too_deep


async def test_a_json_body_is_parsed_once(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = json.dumps({"title": "한 번만", "summary": "once"}).encode()
    parsed: list[Any] = []
    loads = json.loads

    def counting(text: Any, *args: Any, **kwargs: Any) -> Any:
        if text in (body, body.decode()):
            parsed.append(text)
        return loads(text, *args, **kwargs)

    monkeypatch.setattr(json, "loads", counting)
    response = await client.post(
        "/project", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["title"] == "한 번만"
    assert len(parsed) == 1


@pytest.mark.parametrize(
    ("body", "deep"),
    [
        (b"[" * 64 + b"]" * 64, False),
        (b"[" * 65 + b"]" * 65, True),
        (b'{"a": ' * 64 + b"1" + b"}" * 64, False),
        (b'{"a": ' * 65 + b"1" + b"}" * 65, True),
        (b"[" + b"[[]]," * 1000 + b"[]]", False),
        (b'["' + b"[" * 5000 + b'"]', False),  # brackets inside a string do not count
        (b'["\\"' + b"[" * 5000 + b'"]', False),  # nor after an escaped quote
        (b'"' + b"]" * 5000 + b'"' + b"[" * 100, True),  # closing ones in a string hide none
        (b"]" * 5000 + b"[" * 100, True),
        (b"[" + (b"[" * 63 + b"]" * 63 + b",") * 50 + b"[]]", False),
        (
            b"[" + (b"[" * 63 + b"1" + b"]" * 63 + b",") * 50 + b"[[[" * 22 + b"]]]" * 22 + b"]",
            True,
        ),
    ],
)
def test_depth_is_measured_exactly(body: bytes, deep: bool) -> None:
    assert too_deep(body, 64) is deep


def test_unpaired_brackets_are_a_syntax_error_not_a_recursion() -> None:
    with pytest.raises(BodyRefused) as refused:
        parse(b"[" * 5000, 64)
    assert refused.value.errors[0]["type"] == "json_too_deep"
    with pytest.raises(BodyRefused) as refused:
        parse(b"[" * 60 + b"}" * 60, 64)
    assert refused.value.errors[0]["type"] == "json_invalid"
