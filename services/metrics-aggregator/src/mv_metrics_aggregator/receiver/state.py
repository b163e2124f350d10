"""A test's cumulative state (:class:`.compact.TestState`) to JSON-able values and back.

The receiver puts the state after each push into that push's message on the stream, so a
restarted receiver picks a running test up where the last stored push left it instead of
counting k6's cumulative totals again. The conversion follows the dataclasses' type hints, so a
field added to the compactor's state travels without a change here; dicts become lists of
``[key, value]`` pairs because their keys (ints, tuples) are not JSON object keys.
``seen`` is the receiver's monotonic clock, meaningless in another process: it is set on load.
A field needs a type hint made of scalars, dicts, lists, tuples, sets and dataclasses; anything
else is passed to JSON as it is (and fails there, loudly: ``test_receiver_state.py``).
"""

from __future__ import annotations

import dataclasses
import functools
import time
import types
import typing
from typing import Any

from .compact import TestState

NOT_CARRIED = frozenset({"seen"})


@functools.cache
def _hints(cls: type) -> tuple[tuple[str, Any], ...]:
    hints = typing.get_type_hints(cls)
    return tuple(
        (f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.name not in NOT_CARRIED
    )


SCALARS = (int, float, str, bool, type(None))
Dumper = typing.Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


@functools.cache
def _dumper(hint: Any) -> Dumper:
    """The function that makes a value of type ``hint`` JSON-able (built once per type)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        fields = [(name, _dumper(h)) for name, h in _hints(hint)]
        return lambda value: {name: dump(getattr(value, name)) for name, dump in fields}
    if origin is dict:
        if args[0] in SCALARS and args[1] in SCALARS:
            return lambda value: list(value.items())  # histogram buckets: JSON makes pairs lists
        key, item = _dumper(args[0]), _dumper(args[1])
        return lambda value: [[key(k), item(v)] for k, v in value.items()]
    if origin in (set, frozenset):
        one = _dumper(args[0])
        return lambda value: [one(v) for v in value]
    if origin in (list, tuple):
        if all(a in SCALARS or a is Ellipsis for a in args):
            return _same
        if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
            each = [_dumper(a) for a in args]
            return lambda value: [dump(v) for v, dump in zip(value, each, strict=True)]
        one = _dumper(args[0])
        return lambda value: [one(v) for v in value]
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in args if a is not type(None)]
        some = _dumper(inner)
        return lambda value: None if value is None else some(value)
    return _same


def _load(value: Any, hint: Any) -> Any:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return hint(**{name: _load(value[name], h) for name, h in _hints(hint) if name in value})
    if origin is dict:
        return {_load(k, args[0]): _load(v, args[1]) for k, v in value}
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_load(v, args[0]) for v in value)
        return tuple(_load(v, h) for v, h in zip(value, args, strict=True))
    if origin is list:
        return [_load(v, args[0]) for v in value]
    if origin in (set, frozenset):
        return origin(_load(v, args[0]) for v in value)
    if origin in (typing.Union, types.UnionType):
        if value is None:
            return None
        (hint,) = [a for a in args if a is not type(None)]
        return _load(value, hint)
    if hint is float and isinstance(value, int):
        return float(value)
    return value


def dump(value: Any, cls: type) -> Any:
    """``value`` (an instance of the dataclass ``cls``) as JSON-able values."""
    return _dumper(cls)(value)


def load(value: Any, cls: type) -> Any:
    return _load(value, cls)


def dump_state(state: TestState) -> dict[str, Any]:
    dumped: dict[str, Any] = dump(state, TestState)
    return dumped


def load_state(value: dict[str, Any]) -> TestState:
    state: TestState = load(value, TestState)
    state.seen = time.monotonic()
    return state
