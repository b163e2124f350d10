"""Test scripts read, never run: a script made only of lines this module recognises becomes
the step's checks and extractions; any other script is listed as not carried over, whole.

Recognised (each line alone, ``pm.test("...", function () {`` and its closing ``});`` around
them allowed, comments and blank lines skipped):
- ``pm.response.to.have.status(201)``, ``pm.expect(pm.response.code).to.eql(201)``;
- ``const body = pm.response.json();``
- ``pm.environment.set("id", pm.response.json().data.id)`` (or ``body.data.id``, or
  ``pm.response.headers.get("Location")``), in the environment, the collection's variables,
  the globals or the local variables alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mv_contracts.journeys import Extraction, Source, StatusCheck

from .values import variable_name

_IGNORED = re.compile(
    r"^(//.*|/\*.*\*/|pm\.test\(\s*(['\"`]).*\2\s*,\s*(function\s*\(\s*\)|\(\s*\)\s*=>)\s*\{"
    r"|\}\s*\)\s*;?|)$"
)
_STATUS = re.compile(
    r"^pm\.(?:response\.to\.have\.status|expect\(pm\.response\.code\)\.to\.(?:eql|equal|eq|be\.equal))"
    r"\(\s*([1-5]\d\d)\s*\)\s*;?$"
)
_BODY = re.compile(r"^(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*=\s*pm\.response\.json\(\)\s*;?$")
_SET = re.compile(
    r"^pm\.(?:environment|collectionVariables|globals|variables)\.set\(\s*(['\"])(.{1,200}?)\1"
    r"\s*,\s*(.+?)\s*\)\s*;?$"
)
_PATH = r"((?:\.[A-Za-z_$][\w$]*|\[\d+\]|\['[^']+'\]|\[\"[^\"]+\"\])+)"
_HEADER = re.compile(r"^pm\.response\.headers\.get\(\s*(['\"])([!#$%&'*+.^_`|~\w-]+)\1\s*\)$")


@dataclass
class Read:
    """What a test script becomes; ``carried`` is False when any line is not recognised."""

    carried: bool
    statuses: list[int] = field(default_factory=list)
    extract: list[Extraction] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)  # Postman names set from the answer

    def became(self) -> list[str]:
        found = [f"check: status {s}" for s in self.statuses]
        return found + [
            f"extraction: {e.variable} from {e.source} {e.expression}" for e in self.extract
        ]

    def checks(self) -> list[StatusCheck]:
        return [StatusCheck(statuses=sorted(set(self.statuses)))] if self.statuses else []


def _dotted(path: str) -> str | None:
    parts = re.findall(r"\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\['([^']+)'\]|\[\"([^\"]+)\"\]", path)
    keys = [a or b or c or d for a, b, c, d in parts]
    if not keys or any("." in k or " " in k for k in keys):
        return None
    return ".".join(keys)


def _value(expression: str, bodies: set[str]) -> tuple[Source, str] | None:
    if header := _HEADER.match(expression):
        return Source.HEADER, header.group(2)
    names = "|".join(re.escape(b) for b in sorted(bodies))
    roots = r"pm\.response\.json\(\)" + (f"|{names}" if names else "")
    found = re.match(rf"^(?:{roots}){_PATH}$", expression)
    if found and (dotted := _dotted(found.group(1))):
        return Source.JSON, dotted
    return None


def read_test(lines: list[str]) -> Read:
    """The checks and extractions of a test script, when it holds nothing else."""
    read = Read(carried=True)
    bodies: set[str] = set()
    for raw in lines:
        line = raw.strip()
        if _IGNORED.match(line):
            continue
        if status := _STATUS.match(line):
            read.statuses.append(int(status.group(1)))
        elif body := _BODY.match(line):
            bodies.add(body.group(1))
        elif (setter := _SET.match(line)) and (value := _value(setter.group(3), bodies)):
            source, expression = value
            variable = variable_name(setter.group(2))
            read.extract.append(Extraction(variable=variable, source=source, expression=expression))
            read.sets.append(setter.group(2))
        else:
            return Read(carried=False)
    return read


def sets_variables(lines: list[str]) -> list[str]:
    """The Postman names a recognised test script sets from the answer."""
    return read_test(lines).sets
