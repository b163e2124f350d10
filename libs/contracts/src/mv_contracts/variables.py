"""Variables of a journey: ``{{name}}`` in a path parameter, query value, header value or a JSON
body string takes the value an earlier step extracted from its answer.

A value that takes a variable is a template, not a secret: what it holds at run time comes from
the tested API's own answers, and its literal text is sent as written.

Built in, for values that must differ per request (unique keys): ``{{$test}}`` (the test's id),
``{{$vu}}`` (k6's VU number) and ``{{$iteration}}`` (the VU's iteration, from 0); together they
are unique within a test run by one runner.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field

VARIABLE_NAME = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
VariableName = Annotated[str, Field(pattern=f"^{VARIABLE_NAME}$", examples=["order_id"])]
BUILT_IN = ("$test", "$vu", "$iteration")
REFERENCE = re.compile(r"\{\{\s*(\$?" + VARIABLE_NAME + r")\s*\}\}")

# A template split into its parts: literal text and the names of variables, in order.
Part = tuple[bool, str]
"""(is a variable, text or name)."""


def references(value: Any) -> list[str]:
    """The variables ``value`` uses (a string, or any JSON value's strings), in order."""
    if isinstance(value, str):
        return REFERENCE.findall(value)
    if isinstance(value, dict):
        return [name for v in value.values() for name in references(v)]
    if isinstance(value, list):
        return [name for v in value for name in references(v)]
    return []


def uses_variables(value: Any) -> bool:
    return bool(references(value))


def parts(template: str) -> list[Part]:
    """``"Bearer {{token}}"`` → ``[(False, "Bearer "), (True, "token")]``; empty text dropped."""
    found: list[Part] = []
    at = 0
    for match in REFERENCE.finditer(template):
        if match.start() > at:
            found.append((False, template[at : match.start()]))
        found.append((True, match.group(1)))
        at = match.end()
    if at < len(template):
        found.append((False, template[at:]))
    return found


def templates(value: Any, at: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    """The paths of the strings of a JSON value that use variables."""
    if isinstance(value, str):
        if uses_variables(value):
            yield at
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from templates(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from templates(item, (*at, index))
