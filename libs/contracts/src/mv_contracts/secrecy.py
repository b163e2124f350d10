"""Which fields of a test request are secret: the ones a user marked, and the ones whose name
says so (the heuristic only adds; it never takes a mark away).

A secret reaches k6 through its environment only (a Kubernetes Secret or the process
environment): never a script, a preview, a report, a log or a stored plan in clear. Headers and
query parameters are named; a JSON body field is named by its path, dotted (``password``,
``user.password``, ``items.0.token`` for a list's first item). A value that takes a journey's
variable (``Bearer {{token}}``) is a template, never a secret (:mod:`.variables`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Annotated, Any

from pydantic import Field

from .variables import uses_variables

# A name that mentions one of these words holds a secret (headers, query parameters, JSON keys):
# api_key, Ocp-Apim-Subscription-Key, X-Signature, access_token, password, Cookie... "auth" is
# not "author"; "key" is broad on purpose: a harmless name marked by mistake still works.
SECRET_NAME = re.compile(
    r"key|token|secret|passw|pwd|signature|auth(?!or(?!iz))|cookie|session|credential|csrf|xsrf"
    r"|bearer|private|jwt",
    re.IGNORECASE,
)
# What an answer shows in place of a secret's value; sent back unchanged, it means "keep".
SECRET_MASK = "••••••"  # noqa: S105 -- a mask, not a secret

BodyPath = Annotated[
    str,
    Field(min_length=1, max_length=500, pattern=r"^[^.]+(\.[^.]+)*$", examples=["user.password"]),
]
# A resolved path: keys of objects and indexes of lists.
Path = tuple[str | int, ...]


def looks_secret(name: str) -> bool:
    return SECRET_NAME.search(name) is not None


def secret_names(values: Mapping[str, Any], marked: Iterable[str], *, fold: bool) -> list[str]:
    """The names of ``values`` that are secret: marked (case-insensitively when ``fold``, as
    header names are) or named like a secret; in the order of ``values``."""
    marks = {m.lower() for m in marked} if fold else set(marked)
    return [
        n
        for n, value in values.items()
        if ((n.lower() if fold else n) in marks or looks_secret(n)) and not uses_variables(value)
    ]


def resolve(body: Any, dotted: str) -> Path | None:
    """The path ``dotted`` names in ``body``, or None when it names nothing there."""
    path: list[str | int] = []
    node = body
    for part in dotted.split("."):
        if isinstance(node, dict) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            path.append(int(part))
            node = node[int(part)]
        else:
            return None
    return tuple(path)


def _named(body: Any, prefix: Path) -> Iterable[Path]:
    if isinstance(body, dict):
        for key, value in body.items():
            if looks_secret(key) and not uses_variables(value):
                yield (*prefix, key)
            else:
                yield from _named(value, (*prefix, key))
    elif isinstance(body, list):
        for index, value in enumerate(body):
            yield from _named(value, (*prefix, index))


def body_secrets(body: Any, marked: Iterable[str]) -> list[Path]:
    """The secret fields of a JSON body: marked paths that name something, and every key named
    like a secret; a field inside another secret one is part of it."""
    found = {p for p in (resolve(body, m) for m in marked) if p}
    found = {p for p in found if not uses_variables(value_at(body, p))}
    found |= set(_named(body, ()))
    ordered = sorted(found, key=lambda p: [str(s) for s in p])
    return [p for p in ordered if not any(p[: len(q)] == q and p != q for q in found)]


def dotted(path: Path) -> str:
    return ".".join(str(part) for part in path)


def value_at(body: Any, path: Path) -> Any:
    for part in path:
        body = body[part]
    return body


def with_value(body: Any, path: Path, value: Any) -> Any:
    """A copy of ``body`` with ``value`` at ``path`` (copied along the path only)."""
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(body, dict):
        return {**body, head: with_value(body[head], rest, value)}
    copied = list(body)
    copied[head] = with_value(copied[head], rest, value)  # type: ignore[index]
    return copied
