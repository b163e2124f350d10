"""An example value synthesised from a JSON schema: required fields, formats, enums, bounds.

Bounded: depth, a reference met again on its own path (a recursive schema) and a node budget
all stop the descent, so any schema the resolver can reach gives an answer quickly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .refs import Resolver, split_ref

MAX_DEPTH = 8
MAX_PROPERTIES = 30

FORMAT_EXAMPLES: dict[str, Any] = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "time": "12:00:00",
    "duration": "P1D",
    "email": "user@example.com",
    "idn-email": "user@example.com",
    "hostname": "example.com",
    "idn-hostname": "example.com",
    "ipv4": "192.0.2.1",
    "ipv6": "2001:db8::1",
    "uri": "https://example.com",
    "uri-reference": "https://example.com",
    "iri": "https://example.com",
    "url": "https://example.com",
    "uuid": "3fa85f64-5717-4562-b3fc-2c963f66afa6",
    "byte": "c3RyaW5n",
    "binary": "",
    "password": "********",
    "int32": 0,
    "int64": 0,
}


def _first_type(schema: Mapping[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if kinds else "null"
    if isinstance(kind, str):
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return None


def _number(schema: Mapping[str, Any], integer: bool) -> int | float:
    low = schema.get("minimum")
    high = schema.get("maximum")
    exclusive_low = schema.get("exclusiveMinimum")
    exclusive_high = schema.get("exclusiveMaximum")
    step: float = 1 if integer else 0.5
    if isinstance(exclusive_low, int | float) and not isinstance(exclusive_low, bool):
        low = exclusive_low + step
    elif exclusive_low is True and isinstance(low, int | float):
        low = low + step
    if isinstance(exclusive_high, int | float) and not isinstance(exclusive_high, bool):
        high = exclusive_high - step
    elif exclusive_high is True and isinstance(high, int | float):
        high = high - step
    value: float = 0
    if isinstance(low, int | float) and not isinstance(low, bool):
        value = low
    elif isinstance(high, int | float) and not isinstance(high, bool) and high < 0:
        value = high
    multiple = schema.get("multipleOf")
    if isinstance(multiple, int | float) and not isinstance(multiple, bool) and multiple > 0:
        value = -(-value // multiple) * multiple
    return int(value) if integer else float(value)


def _string(schema: Mapping[str, Any]) -> str:
    fmt = schema.get("format")
    value = FORMAT_EXAMPLES.get(fmt, "string") if isinstance(fmt, str) else "string"
    value = value if isinstance(value, str) else "string"
    low = schema.get("minLength")
    high = schema.get("maxLength")
    if isinstance(low, int) and len(value) < low:
        value = value + "x" * (low - len(value))
    if isinstance(high, int) and len(value) > high >= 0:
        value = value[:high]
    return value


class ExampleBuilder:
    def __init__(self, resolver: Resolver, budget: int = 2_000) -> None:
        self.resolver = resolver
        self.remaining = budget

    def build(self, schema: Any, base: str | None = None) -> Any:
        return self._build(schema, self.resolver.base if base is None else base, (), 0)

    def _build(self, schema: Any, base: str, path: tuple[str, ...], depth: int) -> Any:
        self.remaining -= 1
        if not isinstance(schema, Mapping) or depth > MAX_DEPTH or self.remaining <= 0:
            return None
        ref = schema.get("$ref")
        if isinstance(ref, str):
            key = "#".join(split_ref(ref, base))
            if key in path:
                return None
            target, base = self.resolver.deref(schema, base)
            if not isinstance(target, Mapping) or "$ref" in target:
                return None
            return self._build(target, base, (*path, key), depth)
        for key in ("example", "default", "const"):
            if key in schema:
                return schema[key]
        examples = schema.get("examples")
        if isinstance(examples, list) and examples:
            return examples[0]
        enum = schema.get("enum")
        if isinstance(enum, list) and enum:
            return enum[0]
        if isinstance(schema.get("allOf"), list):
            merged: dict[str, Any] = {}
            for part in schema["allOf"]:
                value = self._build(part, base, path, depth + 1)
                if isinstance(value, dict):
                    merged.update(value)
                elif value is not None and not merged:
                    return value
            rest = {k: v for k, v in schema.items() if k != "allOf"}
            extra = self._object(rest, base, path, depth) if "properties" in rest else {}
            return {**merged, **extra}
        for key in ("oneOf", "anyOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                return self._build(options[0], base, path, depth + 1)
        kind = _first_type(schema)
        if kind == "object":
            return self._object(schema, base, path, depth)
        if kind == "array":
            item = self._build(schema.get("items"), base, path, depth + 1)
            count = schema.get("minItems")
            return [item] * (count if isinstance(count, int) and 1 <= count <= 10 else 1)
        if kind == "string":
            return _string(schema)
        if kind == "integer":
            return _number(schema, integer=True)
        if kind == "number":
            return _number(schema, integer=False)
        if kind == "boolean":
            return True
        return None

    def _object(
        self, schema: Mapping[str, Any], base: str, path: tuple[str, ...], depth: int
    ) -> dict[str, Any]:
        properties = schema.get("properties")
        if not isinstance(properties, Mapping):
            return {}
        required = schema.get("required")
        names = [n for n in required if n in properties] if isinstance(required, list) else []
        if not names:
            names = list(properties)
        result: dict[str, Any] = {}
        for name in names[:MAX_PROPERTIES]:
            prop = properties[name]
            if isinstance(prop, Mapping) and prop.get("readOnly") is True:
                continue
            result[str(name)] = self._build(prop, base, path, depth + 1)
        return result
