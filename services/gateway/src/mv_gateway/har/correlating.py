"""Correlation, as k6 Studio does it: a value an answer gave (a JSON field or a header) that a
later request sends back (in its path, query, a header or its JSON body) is extracted from that
answer into a variable, and the later literal becomes ``{{variable}}``. A login's token sent as
``Authorization: Bearer <token>`` becomes ``Bearer {{access_token}}``.

Only values that look made by the server are taken: at least :data:`MIN_CHARS` characters, no
whitespace (names and texts a person typed have some), and never sent by an earlier request
(then the client made it, not the answer).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mv_contracts.calls import HEADER_NAME
from mv_contracts.journeys import MAX_EXTRACTIONS, json_path
from mv_contracts.variables import VARIABLE_NAME

from .drafting import Draft

MIN_CHARS = 6
MAX_VALUES = 500
"""Values of one answer considered at most (a long list answer offers its first ones)."""
MAX_DEPTH = 12
# Answer headers that describe the transfer, never a value the client sends back.
_PLAIN_HEADERS = frozenset(
    [
        "date",
        "server",
        "content-type",
        "content-length",
        "content-encoding",
        "connection",
        "keep-alive",
        "vary",
        "cache-control",
        "expires",
        "last-modified",
        "transfer-encoding",
        "set-cookie",
        "age",
        "via",
        "alt-svc",
        "accept-ranges",
        "strict-transport-security",
        "x-content-type-options",
        "x-frame-options",
        "referrer-policy",
        "content-security-policy",
        "pragma",
        "report-to",
        "nel",
    ]
)
_KEY = re.compile(r"^[^.\[\]\s]+$")
_WHITESPACE = re.compile(r"\s")


@dataclass
class Found:
    step: int
    source: str  # json | header
    expression: str
    variable: str = ""
    used_in: list[str] = field(default_factory=list)


def _answer_values(draft: Draft) -> Iterator[tuple[str, str, str]]:
    """(source, expression, value) of the answer's candidate values."""
    for count, (path, value) in enumerate(_leaves(draft.answer, ())):
        if count >= MAX_VALUES:
            break
        yield "json", ".".join(path), value
    for name, value in draft.entry.response_headers:
        lower = name.lower()
        if (
            lower not in _PLAIN_HEADERS
            and not lower.startswith("access-control-")
            and re.match(HEADER_NAME, name)
        ):
            yield "header", name, value


def _leaves(value: Any, at: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], str]]:
    if len(at) > MAX_DEPTH:
        return
    if isinstance(value, str):
        if at:
            yield at, value
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str) and _KEY.match(key) and not key.isdigit():
                yield from _leaves(item, (*at, key))
    elif isinstance(value, list):
        for index, item in enumerate(value[:50]):
            yield from _leaves(item, (*at, str(index)))


def _server_made(value: str) -> bool:
    return len(value) >= MIN_CHARS and not _WHITESPACE.search(value) and "{{" not in value


class _Names:
    """Variable names, unique, and at most :data:`MAX_EXTRACTIONS` from one step's answer."""

    def __init__(self) -> None:
        self.taken: set[str] = set()
        self.per_step: dict[int, int] = {}

    def of(self, found: Found) -> str | None:
        if found.variable:
            return found.variable
        if self.per_step.get(found.step, 0) >= MAX_EXTRACTIONS:
            return None  # the value stays as recorded
        self.per_step[found.step] = self.per_step.get(found.step, 0) + 1
        words = [p for p in found.expression.split(".") if not p.isdigit()] or ["value"]
        base = re.sub(r"[^A-Za-z0-9_]+", "_", words[-1]).strip("_").lower()[:50] or "value"
        base = base if re.match(r"[A-Za-z_]", base) else f"v_{base}"
        name, n = base, 1
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        assert re.fullmatch(VARIABLE_NAME, name)
        self.taken.add(name)
        found.variable = name
        return name


def _template(
    text: str, known: dict[str, Found], names: _Names, whole: bool
) -> tuple[str, list[Found]]:
    """``text`` with known values as variables (whole: only a value that is all of it), and
    the sources it now uses."""
    candidates = [text] if text in known else [] if whole else [v for v in known if v in text]
    changed, used = text, []
    for value in sorted(candidates, key=len, reverse=True):
        variable = names.of(known[value])
        if variable is not None and value in changed:
            changed = changed.replace(value, "{{" + variable + "}}")
            used.append(known[value])
    return changed, used


def _sent(draft: Draft) -> Iterator[str]:
    yield from draft.path_params.values()
    yield from draft.query.values()
    yield from draft.headers.values()
    yield from (v for _, v in _leaves(draft.body, ()))


def _replace_in_body(
    body: Any, known: dict[str, Found], names: _Names, at: str, uses: list[tuple[str, Found]]
) -> Any:
    if isinstance(body, str):
        changed, used = _template(body, known, names, whole=True)
        uses += [(at, f) for f in used]
        return changed
    if isinstance(body, dict):
        return {k: _replace_in_body(v, known, names, f"{at}.{k}", uses) for k, v in body.items()}
    if isinstance(body, list):
        return [_replace_in_body(v, known, names, f"{at}.{i}", uses) for i, v in enumerate(body)]
    return body


def correlate(drafts: list[Draft]) -> list[Found]:
    """Rewrites the drafts' requests to use variables, and answers each variable's source (with
    where it is used), in the order of their sources. Extractions go on ``drafts[].extract``
    through :func:`extractions`."""
    known: dict[str, Found] = {}
    sent: set[str] = set()
    names = _Names()
    for index, draft in enumerate(drafts):
        uses: list[tuple[str, Found]] = []
        for where, values, whole in (("path_params", draft.path_params, True),
                                     ("query", draft.query, True),
                                     ("headers", draft.headers, False)):  # fmt: skip
            for name, value in values.items():
                values[name], used = _template(value, known, names, whole)
                uses += [(f"{where}.{name}", f) for f in used]
        draft.body = _replace_in_body(draft.body, known, names, "body", uses)
        for where, found in uses:
            label = f"{draft.name}: {where}"
            if label not in found.used_in:
                found.used_in.append(label)
        sent.update(_sent(draft))
        for source, expression, value in _answer_values(draft):
            if value in known or value in sent or not _server_made(value):
                continue
            if source == "json":
                try:
                    json_path(expression)
                except ValueError:
                    continue
            known[value] = Found(step=index, source=source, expression=expression)
    used = [f for f in known.values() if f.used_in]
    return sorted(used, key=lambda f: f.step)


def extractions(found: list[Found], step: int) -> list[dict[str, str]]:
    """The extractions of ``step``: the sources of used values that its answer holds."""
    mine = [f for f in found if f.step == step]
    return [{"variable": f.variable, "source": f.source, "expression": f.expression} for f in mine]
