"""$ref resolution and example synthesis (cycles, chains, bounds, formats, enums); answer ids."""

from __future__ import annotations

import uuid
from typing import Any

from mv_contracts.spec import SpecAnalysisRequest, SpecAnalysisRequested, SpecSource
from mv_spec_analyzer.analysing import Analyzer
from mv_spec_analyzer.examples import ExampleBuilder
from mv_spec_analyzer.handlers import answer_to, outcome
from mv_spec_analyzer.refs import Resolver, external_refs, pointer_get, where
from mv_spec_analyzer.settings import Settings

DOC: dict[str, Any] = {
    "components": {
        "schemas": {
            "A": {"$ref": "#/components/schemas/B"},
            "B": {"$ref": "#/components/schemas/A"},
            "Node": {
                "type": "object",
                "required": ["value", "children"],
                "properties": {
                    "value": {"type": "integer", "exclusiveMinimum": 10, "multipleOf": 5},
                    "children": {"type": "array", "items": {"$ref": "#/components/schemas/Node"}},
                },
            },
            "a/b~c": {"type": "string", "format": "uuid"},
            "Choice": {"oneOf": [{"type": "boolean"}, {"type": "string"}]},
            "Merged": {
                "allOf": [
                    {"type": "object", "properties": {"x": {"type": "number", "maximum": -3}}},
                    {"type": "object", "properties": {"y": {"type": "string", "maxLength": 2}}},
                ]
            },
            "Nullable": {"type": ["null", "string"], "enum": [None, "on"]},
            "Wide": {
                "type": "object",
                "properties": {f"p{n}": {"$ref": "#/components/schemas/Node"} for n in range(60)},
            },
        }
    }
}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_a_reference_cycle_ends_without_recursion() -> None:
    resolver = Resolver(DOC)
    node, _ = resolver.deref(ref("A"))
    assert node in (ref("A"), ref("B"))
    assert resolver.inline(ref("A")) in (ref("A"), ref("B"))
    assert ExampleBuilder(resolver).build(ref("A")) is None


def test_recursive_schema_is_inlined_once_and_leaves_the_ref() -> None:
    inlined = Resolver(DOC).inline(ref("Node"))
    assert inlined["properties"]["children"]["items"] == ref("Node")


def test_inlining_is_bounded_by_a_node_budget() -> None:
    inlined = Resolver(DOC).inline(ref("Wide"), budget=50)
    assert sum(1 for v in inlined["properties"].values() if v == ref("Node")) > 0


def test_json_pointer_escapes_and_missing_targets() -> None:
    assert pointer_get(DOC, "/components/schemas/a~1b~0c") == {"type": "string", "format": "uuid"}
    resolver = Resolver(DOC)
    assert resolver.deref(ref("Missing"))[0] == ref("Missing")
    assert resolver.deref({"$ref": "other.yaml#/A"})[0] == {"$ref": "other.yaml#/A"}
    assert [m.ref for m in resolver.misses] == ["#/components/schemas/Missing", "other.yaml#/A"]
    assert resolver.deref({"$ref": "#/components/schemas/a~1b~0c"})[0]["format"] == "uuid"


def test_external_refs_are_listed() -> None:
    document = {"a": [{"$ref": "x.yaml#/A"}, {"$ref": "#/local"}], "x-a/b": {"$ref": "y.md"}}
    assert sorted(external_refs(document)) == ["x.yaml#/A", "y.md"]
    assert where(document, "y.md") == "/x-a~1b"
    assert where(document, "x.yaml#/A") == "/a/0"
    assert where(document, "z.yaml") == "?"


def test_examples_follow_bounds_formats_enums_and_composition() -> None:
    build = ExampleBuilder(Resolver(DOC)).build
    assert build(ref("Node")) == {"value": 15, "children": [None]}
    assert build(ref("a/b~c".replace("/", "~1").replace("~c", "~0c")))
    assert build(ref("Choice")) is True
    assert build(ref("Merged")) == {"x": -3.0, "y": "st"}
    assert build(ref("Nullable")) is None
    assert build({"type": "string", "format": "date"}) == "2024-01-01"
    assert build({"type": "string", "minLength": 8}) == "stringxx"
    assert build({"type": "integer", "minimum": 3, "maximum": 9}) == 3
    assert build({"type": "array", "items": {"type": "boolean"}, "minItems": 2}) == [True, True]
    assert build({"type": "object", "properties": {"a": {"type": "string"}}}) == {"a": "string"}
    assert build({"example": {"given": 1}, "type": "object"}) == {"given": 1}
    assert build({"examples": ["first"], "type": "string"}) == "first"


def test_example_budget_bounds_the_work() -> None:
    builder = ExampleBuilder(Resolver(DOC), budget=30)
    result = builder.build(ref("Wide"))
    assert isinstance(result, dict)
    assert builder.remaining <= 0


async def test_a_redelivered_command_gets_the_same_answer_id() -> None:
    command = SpecAnalysisRequested(
        correlation_id="a1",
        payload=SpecAnalysisRequest(
            analysis_id="a1", project_id=1, source=SpecSource(document="openapi: 3.0.0\npaths: {}")
        ),
    )
    analyzer = Analyzer(Settings())
    first = answer_to(command, await outcome(analyzer, command.payload))
    again = answer_to(command, await outcome(analyzer, command.payload))
    assert first.id == again.id
    assert first.type == "spec.analysed"
    other = command.model_copy(update={"id": uuid.uuid4()})
    assert answer_to(other, await outcome(analyzer, command.payload)).id != first.id
