"""Journeys: a scenario as ordered steps, each a request of the project, run in order on every
iteration. A step may take values from its answer (a JSON path, a header, a regular expression)
into variables that later steps use (:mod:`.variables`), and check its answer.

An extraction that finds nothing ends the iteration (counted by the script, never a crash of
the VU). Each check is a k6 check named ``"<step>: <what>"``, so its pass rate is k6's own.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from .calls import HEADER_NAME, EndpointCall, HeaderName
from .common import DbId, Name, Text
from .envelope import Contract
from .variables import BUILT_IN, VariableName, generator_call, is_generated, references

MAX_STEPS = 20
MAX_EXTRACTIONS = 10
MAX_CHECKS = 20

_JSON_KEY = re.compile(r"^[^.\[\]\s]+$")


def json_path(value: str) -> str:
    """A dotted JSON path (``data.items.0.id``, optionally after ``$.``), as the script walks
    it: object keys and list indexes, nothing else."""
    path = value.removeprefix("$.")
    if not path or not all(_JSON_KEY.match(part) for part in path.split(".")):
        raise ValueError(
            f"not a JSON path: {value!r}; use keys and indexes joined by dots, like data.items.0.id"
        )
    return value


def path_parts(value: str) -> list[str | int]:
    """The keys and indexes of a JSON path (a part of digits is an index)."""
    return [int(p) if p.isdigit() else p for p in value.removeprefix("$.").split(".")]


JsonPath = Annotated[str, Field(min_length=1, max_length=500, examples=["data.items.0.id"])]

# Constructs Python's engine takes and JavaScript's (k6's) reads otherwise or refuses.
_NOT_JAVASCRIPT = re.compile(r"\(\?P|\(\?#|\(\?[aiLmsux-]+[:)]|\\[AZz]")


def regular_expression(value: str) -> str:
    """A pattern both engines read alike: at most one group, whose match is the value."""
    if _NOT_JAVASCRIPT.search(value):
        raise ValueError(
            "a construct JavaScript reads otherwise ((?P, (?#, inline flags, \\A, \\Z or \\z)"
        )
    try:
        compiled = re.compile(value)
    except re.error as error:
        raise ValueError(f"not a regular expression: {error}") from None
    if compiled.groups > 1:
        raise ValueError("at most one group: its match is the value (none: the whole match)")
    return value


class Source(StrEnum):
    JSON = "json"
    HEADER = "header"
    REGEX = "regex"


class Extraction(Contract):
    """A value of a step's answer kept in a variable for later steps."""

    variable: VariableName
    source: Source
    expression: Text = Field(
        min_length=1,
        max_length=500,
        description="json: a dotted path (data.items.0.id); header: its name; regex: a "
        "pattern of at most one group over the body",
        examples=["id"],
    )

    @model_validator(mode="after")
    def _expression_of_its_source(self) -> Extraction:
        match self.source:
            case Source.JSON:
                json_path(self.expression)
            case Source.HEADER:
                if not re.match(HEADER_NAME, self.expression):
                    raise ValueError(f"not a header name: {self.expression!r}")
            case Source.REGEX:
                regular_expression(self.expression)
        return self


class StatusCheck(Contract):
    kind: Literal["status_in"] = "status_in"
    statuses: list[Annotated[int, Field(ge=100, le=599)]] = Field(min_length=1, max_length=20)


class JsonEqualsCheck(Contract):
    kind: Literal["json_equals"] = "json_equals"
    path: JsonPath
    value: Any = Field(description="The JSON value the field must equal")

    _path = field_validator("path")(json_path)


class JsonExistsCheck(Contract):
    kind: Literal["json_exists"] = "json_exists"
    path: JsonPath

    _path = field_validator("path")(json_path)


class BodyCheck(Contract):
    kind: Literal["body_contains"] = "body_contains"
    text: Text = Field(min_length=1, max_length=1000)


class HeaderCheck(Contract):
    kind: Literal["header_present"] = "header_present"
    header: HeaderName


class DurationCheck(Contract):
    kind: Literal["duration_under"] = "duration_under"
    max_ms: float = Field(gt=0, le=3_600_000)


Check = Annotated[
    StatusCheck | JsonEqualsCheck | JsonExistsCheck | BodyCheck | HeaderCheck | DurationCheck,
    Field(discriminator="kind"),
]


def check_label(check: Check) -> str:
    """What a check asks, in the words of its k6 name."""
    match check:
        case StatusCheck():
            return "status in " + ",".join(str(s) for s in check.statuses)
        case JsonEqualsCheck():
            return f"{check.path} equals " + _short(repr(check.value))
        case JsonExistsCheck():
            return f"{check.path} exists"
        case BodyCheck():
            return "body contains " + _short(check.text)
        case HeaderCheck():
            return f"header {check.header} present"
        case DurationCheck():
            return f"duration under {check.max_ms:g} ms"


def _short(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


class Step(Contract):
    """One request of a journey."""

    name: Name
    endpoint_id: DbId | None = None
    endpoint: EndpointCall
    think_time: float = Field(default=0, ge=0, le=3600, description="Seconds after this step")
    extract: list[Extraction] = Field(default_factory=list, max_length=MAX_EXTRACTIONS)
    checks: list[Check] = Field(default_factory=list, max_length=MAX_CHECKS)

    def uses(self) -> list[tuple[tuple[str | int, ...], str]]:
        """(field, variable) of every variable the step's request takes."""
        call = self.endpoint
        found: list[tuple[tuple[str | int, ...], str]] = []
        for where, values in (("path_params", call.path_params), ("query", call.query),
                              ("headers", call.headers)):  # fmt: skip
            for name, value in values.items():
                found += [((where, name), v) for v in references(value)]
        found += [(("body",), v) for v in references(call.body)]
        return [(("endpoint", *field), v) for field, v in found]

    def check_names(self) -> list[str]:
        """The k6 check names of the step's checks (unique within the step)."""
        names: list[str] = []
        for check in self.checks:
            name = f"{self.name}: {check_label(check)}"
            names.append(name if name not in names else f"{name} #{len(names) + 1}")
        return names


class UndefinedVariable(ValueError):
    def __init__(self, loc: tuple[str | int, ...], variable: str, why: str | None = None) -> None:
        self.loc = loc
        where = ".".join(str(p) for p in loc)
        super().__init__(
            f"{where}: {why}"
            if why
            else f"{where}: variable {variable!r} is not defined by an extraction of an earlier "
            "step or a column of the scenario's data file"
        )


def check_variables(steps: list[Step], defined: set[str]) -> None:
    """Every variable a step uses is extracted by an earlier one (or given: ``defined``, a
    sign-in's token or a data file's columns), built in, or a known generator."""
    known = set(defined) | set(BUILT_IN)
    for index, step in enumerate(steps):
        for field, variable in step.uses():
            if is_generated(variable):
                try:
                    generator_call(variable)
                except ValueError as error:
                    raise UndefinedVariable(
                        ("steps", index, *field), variable, str(error)
                    ) from None
            elif variable not in known:
                raise UndefinedVariable(("steps", index, *field), variable)
        known |= {e.variable for e in step.extract}


def unique_step_names(steps: list[Step]) -> None:
    names = [s.name for s in steps]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise ValueError(f"steps.{index}.name: {name!r} names an earlier step too")
