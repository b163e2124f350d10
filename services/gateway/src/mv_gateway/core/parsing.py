"""One strict parse of a JSON request body, with every refusal a list of field errors.

Python's parser takes what a request must not carry: nesting deep enough to exhaust the
recursion limit (a ``RecursionError``, a 500), ``NaN``, ``Infinity`` and ``1e400`` (infinity: then
the answer or the bus command cannot be encoded), lone UTF-16 surrogates (``"\\ud800"``: a string no
database or bus encoder takes), integers of more than 4300 digits. Each is refused here with the
place it was found. Duplicate keys are taken as JavaScript's ``JSON.parse`` takes them (the last
wins): refusing them would cost a Python call per object. The common body is parsed once by the
C parser, its depth measured beforehand at C speed, and never walked.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

MAX_REPORTED = 20

# A JSON string literal (escapes included) is removed before the depth is measured, so brackets
# inside strings do not count; then each opening bracket becomes 1, each closing one -1.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_OPEN, _CLOSE = b"\x01", b"\xff"
_STEPS = bytes.maketrans(b"[]{}", _OPEN + _CLOSE + _OPEN + _CLOSE)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
# \uD800-\uDBFF not followed by \uDC00-\uDFFF, or the low half alone; an escaped backslash
# before the "u" makes it text, not an escape.
_LONE_SURROGATE = re.compile(
    rb"(?<!\\)(?:\\\\)*\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F][0-9a-fA-F]{2})"
    rb"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})(?<!\\)(?:\\\\)*\\u[dD][c-fC-F][0-9a-fA-F]{2}"
)


class BodyRefused(ValueError):
    """The body cannot be taken; ``errors`` are ``{"loc", "msg", "type"}`` as FastAPI gives."""

    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["msg"])
        self.errors = errors


def _error(loc: tuple[Any, ...], msg: str, kind: str) -> dict[str, Any]:
    return {"loc": ["body", *loc], "msg": msg, "type": kind}


def too_deep(body: bytes, max_depth: int) -> bool:
    """Whether arrays and objects nest more than ``max_depth`` deep anywhere: the brackets, as
    +1 and -1, summed up at C speed (one pass removing the innermost pairs first, which lowers
    the deepest point by exactly one, often shortens the sum a lot). Unpaired brackets are the
    parser's syntax error to name; its recursion never goes deeper than this sum."""
    brackets = _STRING.sub(b"", body).translate(_STEPS, _NOT_BRACKETS).lstrip(_CLOSE)
    if len(brackets) <= max_depth:
        return False
    if _OPEN * (max_depth + 1) in brackets:
        return True
    rest = brackets.replace(_OPEN + _CLOSE, b"")
    steps = accumulate(memoryview(rest).cast("b"))  # 1 and -1 as signed bytes
    return any(map((max_depth - 1).__lt__, steps))


class _NonFinite(float):
    """Marks where the parser met a number that is not finite (it is one, as a float)."""


@dataclass
class _Seen:
    non_finite: bool = False

    def constant(self, _name: str) -> float:
        self.non_finite = True
        return _NonFinite(math.nan)

    def number(self, literal: str) -> float:
        value = float(literal)
        if math.isfinite(value):
            return value
        self.non_finite = True
        return _NonFinite(value)


def _problems(document: Any, path: tuple[Any, ...] = ()) -> Iterator[dict[str, Any]]:
    if isinstance(document, _NonFinite):
        msg = "must be a finite number (not NaN, Infinity or beyond 1.8e308)"
        yield _error(path, msg, "finite_number")
    elif isinstance(document, dict):
        for key, value in document.items():
            yield from _problems(value, (*path, key))
    elif isinstance(document, list):
        for i, value in enumerate(document):
            yield from _problems(value, (*path, i))


def parse(body: bytes, max_depth: int) -> Any:
    """The document, else :class:`BodyRefused` naming why and where."""
    if too_deep(body, max_depth):
        msg = f"arrays and objects nest deeper than {max_depth} levels (MAX_JSON_DEPTH)"
        raise BodyRefused([_error((), msg, "json_too_deep")])
    if b"\\u" in body and (lone := _LONE_SURROGATE.search(body)):
        msg = f"contains a lone UTF-16 surrogate ({lone.group().decode()[-6:]}), not text"
        raise BodyRefused([_error((), msg, "string_unicode")])
    try:
        text = body.decode()  # JSON travels in UTF-8 (RFC 8259); json.loads would guess UTF-16
    except UnicodeDecodeError as error:
        msg = f"the body is not UTF-8 (byte {error.start})"
        raise BodyRefused([_error((), msg, "string_unicode")]) from error
    seen = _Seen()
    try:
        document = json.loads(text, parse_constant=seen.constant, parse_float=seen.number)
    except json.JSONDecodeError as error:
        msg = f"JSON decode error: {error.msg} (line {error.lineno}, column {error.colno})"
        raise BodyRefused([_error((error.pos,), msg, "json_invalid")]) from error
    except ValueError as error:  # an integer of more than sys.get_int_max_str_digits() digits
        msg = f"a number is too long: {error}"
        raise BodyRefused([_error((), msg, "number_too_long")]) from error
    if not seen.non_finite:
        return document
    # Rare, so only then walked, to name every place.
    raise BodyRefused(list(_problems(document))[:MAX_REPORTED])
