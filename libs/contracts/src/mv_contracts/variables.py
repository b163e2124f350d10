"""Variables of a journey: ``{{name}}`` in a path parameter, query value, header value or a JSON
body string takes the value an earlier step extracted from its answer, or a column of the
scenario's data file (:mod:`.data`).

A value that takes a variable is a template, not a secret: what it holds at run time comes from
the tested API's own answers, and its literal text is sent as written.

Built in, for values that must differ per request (unique keys): ``{{$test}}`` (the test's id),
``{{$vu}}`` (k6's VU number) and ``{{$iteration}}`` (the VU's iteration, from 0); together they
are unique within a test run by one runner.

Generated, a fresh value at every use (:data:`GENERATORS`): ``{{$uuid}}``, ``{{$int(1,100)}}``
(a random integer, both ends included), ``{{$string(12)}}`` (random letters and digits),
``{{$timestamp}}`` (milliseconds since 1970), ``{{$sequence}}`` (1, 2, 3... per VU),
``{{$name}}`` and ``{{$email}}`` (unique per VU and use). A body field that is one generator
alone keeps its type: ``$int``, ``$timestamp`` and ``$sequence`` are numbers there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field

VARIABLE_NAME = r"[A-Za-z_][A-Za-z0-9_]{0,63}"
VariableName = Annotated[str, Field(pattern=f"^{VARIABLE_NAME}$", examples=["order_id"])]
BUILT_IN = ("$test", "$vu", "$iteration")

# Generator → (its arguments' names, each argument's bounds); the script's table of the same
# names (script.journey_js) computes them.
GENERATORS: dict[str, tuple[tuple[str, int, int], ...]] = {
    "$uuid": (),
    "$int": (("min", -(2**53), 2**53), ("max", -(2**53), 2**53)),
    "$string": (("length", 1, 1000),),
    "$timestamp": (),
    "$sequence": (),
    "$name": (),
    "$email": (),
}
_ARGUMENTS = r"(?:\(\s*-?\d{1,16}(?:\s*,\s*-?\d{1,16})*\s*\))?"
REFERENCE = re.compile(r"\{\{\s*(\$?" + VARIABLE_NAME + _ARGUMENTS + r")\s*\}\}")

# A template split into its parts: literal text and the names of variables, in order.
Part = tuple[bool, str]
"""(is a variable, text or name)."""


def generator_call(reference: str) -> tuple[str, list[int]] | None:
    """``"$int(1, 9)"`` → ``("$int", [1, 9])``; None for a plain variable (no ``$`` generator).
    Raises ValueError for an unknown generator or wrong arguments."""
    name, _, rest = reference.partition("(")
    if name in BUILT_IN:
        if rest:
            raise ValueError(f"{name} takes no arguments")
        return None
    if not name.startswith("$"):
        if rest:
            raise ValueError(f"variable {name!r} takes no arguments")
        return None
    if name not in GENERATORS:
        known = ", ".join([*BUILT_IN, *GENERATORS])
        raise ValueError(f"unknown generated value {name!r}; known: {known}")
    arguments = [int(a) for a in rest.rstrip(")").split(",")] if rest else []
    wanted = GENERATORS[name]
    if len(arguments) != len(wanted):
        names = ", ".join(w[0] for w in wanted)
        raise ValueError(f"{name} takes {len(wanted)} arguments ({names or 'none'})")
    for value, (what, low, high) in zip(arguments, wanted, strict=True):
        if not low <= value <= high:
            raise ValueError(f"{name}: {what} must be from {low} to {high}")
    if name == "$int" and arguments[0] > arguments[1]:
        raise ValueError("$int(min,max): min must not be above max")
    return name, arguments


def is_generated(reference: str) -> bool:
    """Whether the reference is a built-in or generated value, never user-defined."""
    return reference.startswith("$")


def references(value: Any) -> list[str]:
    """The variables ``value`` uses (a string, or any JSON value's strings), in order."""
    if isinstance(value, str):
        return [re.sub(r"\s+", "", found) for found in REFERENCE.findall(value)]
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
        found.append((True, re.sub(r"\s+", "", match.group(1))))
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


# Formats whose values must differ per request (a unique key, an account's address): a body
# started from the document's example takes a generated value there.
FORMAT_GENERATORS = {"uuid": "{{$uuid}}", "email": "{{$email}}", "idn-email": "{{$email}}"}
_MAX_DEPTH = 16


def with_generators(value: Any, schema: Any, depth: int = 0) -> Any:
    """``value`` (a body's example) with each string field whose schema has a format of
    :data:`FORMAT_GENERATORS` replaced by that generator; the rest as it was."""
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return value
    if isinstance(value, str) and schema.get("format") in FORMAT_GENERATORS:
        return FORMAT_GENERATORS[schema["format"]]
    if isinstance(value, dict):
        properties = _properties(schema)
        return {k: with_generators(v, properties.get(k), depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [with_generators(v, schema.get("items"), depth + 1) for v in value]
    return value


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    """An object schema's properties, those of its allOf parts and first oneOf/anyOf too."""
    found: dict[str, Any] = {}
    parts = list(schema.get("allOf") or [])
    for key in ("oneOf", "anyOf"):
        options = schema.get(key)
        if isinstance(options, list) and options:
            parts.append(options[0])
    for part in parts:
        if isinstance(part, dict):
            found |= _properties(part)
    properties = schema.get("properties")
    return found | (properties if isinstance(properties, dict) else {})
