"""Postman's ``{{name}}`` read into the platform's terms.

Postman substitutes a variable's text wherever it is written; the platform's ``{{name}}`` is a
value taken from an answer (or a data file's column) at run time. So a reference becomes:
- the platform's variable, when a test script of the collection sets it from an answer;
- one of the platform's generated values, for Postman's dynamic ones (``{{$guid}}``...);
- a secret, when the variable's name says so (:mod:`mv_contracts.secrecy`) or the environment
  marks it ``secret``: its value is kept in the request (and sealed like any secret there) and
  never shown; the preview names where it goes;
- its text otherwise (the environment's value before the collection's, as Postman does).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from mv_contracts.secrecy import looks_secret

from .collection import ImportRefused

POSTMAN_REFERENCE = re.compile(r"\{\{([^{}]{1,200})\}\}")
# Postman's dynamic variables the platform generates alike; the rest become random letters.
DYNAMIC = {
    "$guid": "{{$uuid}}",
    "$randomUUID": "{{$uuid}}",
    "$timestamp": "{{$timestamp}}",
    "$isoTimestamp": "{{$timestamp}}",
    "$randomInt": "{{$int(0,1000)}}",
    "$randomEmail": "{{$email}}",
    "$randomExampleEmail": "{{$email}}",
    "$randomFullName": "{{$name}}",
    "$randomUserName": "{{$name}}",
}
OTHER_DYNAMIC = "{{$string(12)}}"
_NESTING = 3  # a value naming another variable is read this deep, as Postman reads it


def variable_name(name: str) -> str:
    """A Postman name as a platform variable (letters, digits and _; not a digit first)."""
    cleaned = re.sub(r"[^A-Za-z0-9_]", "_", name)[:64] or "_"
    return cleaned if not cleaned[0].isdigit() else "_" + cleaned[:63]


@dataclass
class Variable:
    name: str
    value: str
    secret: bool
    source: str  # "collection" | "environment"


@dataclass
class Used:
    """What a resolved text took: secrets (by Postman name), and what could not be read."""

    secrets: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    dynamic: list[str] = field(default_factory=list)


@dataclass
class Variables:
    known: dict[str, Variable]
    extracted: set[str]  # names a test script sets from an answer

    def resolve(self, text: str, used: Used, *, keep_secrets: bool, depth: int = 0) -> str:
        """``text`` with every reference read. A secret's reference stays ``{{name}}`` when
        ``keep_secrets`` (the template the preview shows), else becomes its value."""

        def one(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name in self.extracted:
                return "{{" + variable_name(name) + "}}"
            if name.startswith("$"):
                if name not in DYNAMIC:
                    used.dynamic.append(name)
                return DYNAMIC.get(name, OTHER_DYNAMIC)
            variable = self.known.get(name)
            if variable is None:
                used.unknown.append(name)
                return ""
            if variable.secret:
                used.secrets.append(name)
                if keep_secrets:
                    return match.group(0)
            if depth >= _NESTING:
                return variable.value
            return self.resolve(variable.value, used, keep_secrets=keep_secrets, depth=depth + 1)

        return POSTMAN_REFERENCE.sub(one, text)


def _entries(values: list[Any], what: str, loc: tuple[str, ...]) -> list[Variable]:
    found = []
    for index, entry in enumerate(values):
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise ImportRefused((*loc, index), "a variable needs a key")
        if entry.get("disabled") is True:
            continue
        value = entry.get("value")
        text = "" if value is None else value if isinstance(value, str) else str(value)
        name = entry["key"].strip()
        secret = entry.get("type") == "secret" or looks_secret(name)
        found.append(Variable(name, text, secret, what))
    return found


def variables(
    collection: list[Any], environment: list[Any], extracted: set[str]
) -> tuple[Variables, list[Variable]]:
    """The collection's and the environment's variables (the environment's win), and all of
    them in order, for the preview."""
    listed = _entries(collection, "collection", ("collection", "variable"))
    listed += _entries(environment, "environment", ("environment", "values"))
    known = {v.name: v for v in listed}
    return Variables(known, extracted), listed
