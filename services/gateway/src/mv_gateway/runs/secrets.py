"""The secret values of a load test as the API takes it (``LoadTestCreate`` as JSON): found by
:mod:`mv_contracts.secrecy` (marked, or named like a secret), masked in every answer, sealed in
a stored plan, and refused when a mask comes back where a value must be.

A value is keyed by where it is, the scenario by its name (unique in a test), so a plan edited
with its scenarios reordered keeps each stored secret: ``("headers", "authorization")``,
``("scenario", "login", "query", "api_key")``, ``("scenario", "login", "body", "user",
"password")``. The key's header names are lower-case, as HTTP compares them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mv_contracts.secrecy import (
    SECRET_MASK,
    body_secrets,
    dotted,
    resolve,
    secret_names,
    value_at,
    with_value,
)
from mv_contracts.signin import SIGN_IN_SECRETS
from mv_gateway.core.errors import FieldError

Key = tuple[str | int, ...]
Loc = tuple[str | int, ...]
# (key, loc in the body for an error, value) -> the value to put in its place
Change = Callable[[Key, Loc, Any], Any]


class InvalidSecret(FieldError):
    """A mark that names no field, or a mask where a value must be."""


def _marks_exist(scenario: dict[str, Any], loc: Loc) -> None:
    marks = scenario.get("secrets") or {}
    headers = {name.lower() for name in scenario.get("headers") or {}}
    for name in marks.get("headers") or []:
        if name.lower() not in headers:
            raise InvalidSecret(*loc, "secrets", "headers", message=f"no header {name!r}")
    for name in marks.get("query") or []:
        if name not in (scenario.get("query") or {}):
            raise InvalidSecret(*loc, "secrets", "query", message=f"no query parameter {name!r}")
    for path in marks.get("body") or []:
        if resolve(scenario.get("body"), path) is None:
            raise InvalidSecret(*loc, "secrets", "body", message=f"no body field {path!r}")


def _call(call: dict[str, Any], key: Key, loc: Loc, change: Change) -> dict[str, Any]:
    """A request's fields (headers, query, body and their marks) with its secrets changed."""
    _marks_exist(call, loc)
    marks = call.get("secrets") or {}
    headers = dict(call.get("headers") or {})
    header_names = secret_names(headers, marks.get("headers") or [], fold=True)
    for name in header_names:
        headers[name] = change((*key, "headers", name.lower()), (*loc, "headers", name),
                               headers[name])  # fmt: skip
    query = dict(call.get("query") or {})
    query_names = secret_names(query, marks.get("query") or [], fold=False)
    for name in query_names:
        query[name] = change((*key, "query", name), (*loc, "query", name), query[name])
    body = call.get("body")
    paths = body_secrets(body, marks.get("body") or [])
    for path in paths:
        value = change((*key, "body", *path), (*loc, "body", *path), value_at(body, path))
        body = with_value(body, path, value)
    # Every secret field is named, the ones the heuristic found too, so a reader sees them all.
    found = {
        "headers": header_names,
        "query": query_names,
        "body": [dotted(p) for p in paths if resolve(body, dotted(p)) == p],
    }
    return {**call, "headers": headers, "query": query, "body": body, "secrets": found}


def _sign_in(sign_in: Any, key: Key, loc: Loc, change: Change) -> Any:
    if not isinstance(sign_in, dict):
        return sign_in
    if sign_in.get("kind") == "login":
        return _call(sign_in, (*key, "login"), loc, change)
    changed = dict(sign_in)
    for field in SIGN_IN_SECRETS.get(str(sign_in.get("kind")), ()):
        if sign_in.get(field) is not None:  # an optional secret left out stays out
            changed[field] = change((*key, field), (*loc, field), sign_in[field])
    return changed


def _scenario(scenario: dict[str, Any], index: int, change: Change) -> dict[str, Any]:
    loc: Loc = ("scenarios", index)
    key: Key = ("scenario", scenario["name"])
    changed = _call(scenario, key, loc, change)
    if scenario.get("steps"):
        changed["steps"] = [
            _call(step, (*key, "step", step.get("name", j)), (*loc, "steps", j), change)
            for j, step in enumerate(scenario["steps"])
        ]
    if scenario.get("sign_in"):
        changed["sign_in"] = _sign_in(scenario["sign_in"], (*key, "sign_in"),
                                      (*loc, "sign_in"), change)  # fmt: skip
    return changed


def walk(test: dict[str, Any], change: Change) -> dict[str, Any]:
    """``test`` with ``change`` applied to each secret value, and each secret field named in
    its marks (``secret_headers``, a scenario's ``secrets``)."""
    headers = dict(test.get("headers") or {})
    known = {name.lower() for name in headers}
    for name in test.get("secret_headers") or []:
        if name.lower() not in known:
            raise InvalidSecret("secret_headers", message=f"no header {name!r}")
    names = secret_names(headers, test.get("secret_headers") or [], fold=True)
    for name in names:
        headers[name] = change(("headers", name.lower()), ("headers", name), headers[name])
    scenarios = [_scenario(s, i, change) for i, s in enumerate(test.get("scenarios") or [])]
    return {**test, "headers": headers, "secret_headers": names, "scenarios": scenarios}


def masked(test: dict[str, Any]) -> dict[str, Any]:
    """What an answer shows: every secret value replaced by :data:`SECRET_MASK`."""
    return walk(test, lambda _key, _loc, _value: SECRET_MASK)


def values(test: dict[str, Any]) -> dict[Key, Any]:
    """Each secret value by its key."""
    found: dict[Key, Any] = {}

    def keep(key: Key, _loc: Loc, value: Any) -> Any:
        found[key] = value
        return value

    walk(test, keep)
    return found


def no_masks(test: dict[str, Any], *prefix: str | int) -> dict[str, Any]:
    """``test`` when no secret field holds the mask in place of its value, else a 422."""

    def check(_key: Key, loc: Loc, value: Any) -> Any:
        if value == SECRET_MASK:
            raise InvalidSecret(*prefix, *loc, message="the secret's mask, not its value: type it")
        return value

    return walk(test, check)
