"""Turning document bytes into plain data: JSON or YAML, bounded in size, time and expansion.

YAML aliases are shared, not copied, by the loader; a document whose aliases would expand into
more than ``max_nodes`` nodes (a "billion laughs" alias bomb) is refused before it is loaded,
by one pass over the parser's events.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from mv_contracts.spec import FailureKind

from .errors import AnalysisError

DEFAULT_MAX_NODES = 5_000_000
# An anchor (&name) at a node position; documents without one cannot hold an alias bomb.
_ANCHOR = re.compile(rb"(?:^[ \t]*|[:\-,\[{][ \t]+)&[^\s,\[\]{}]", re.M)

# libyaml's loader is in the wheels we install; the pure-Python one is the fallback.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def decode(data: bytes) -> str:
    """UTF-8 (a BOM allowed), else UTF-16/32 by BOM; anything else is malformed."""
    for bom, codec in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe\x00\x00", "utf-32"),
        (b"\x00\x00\xfe\xff", "utf-32"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as error:
                raise AnalysisError(FailureKind.MALFORMED, f"not valid {codec}: {error}") from error
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise AnalysisError(
            FailureKind.MALFORMED, f"the document is not UTF-8 text: {error}"
        ) from error


def check_expansion(text: str, max_nodes: int = DEFAULT_MAX_NODES) -> None:
    """Refuse YAML whose aliases expand into more than ``max_nodes`` nodes."""
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[None, 0]]  # [anchor, size] per open collection
    total = 0
    for event in yaml.parse(text, Loader=_Loader):
        if isinstance(event, yaml.AliasEvent):
            size = sizes.get(event.anchor or "", 1)
        elif isinstance(event, yaml.ScalarEvent):
            size = 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            stack.append([event.anchor, 1])
            continue
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, size = stack.pop()
            if anchor:
                sizes[anchor] = size
        else:
            continue
        stack[-1][1] += size
        total += size
        if total > max_nodes or stack[-1][1] > max_nodes:
            raise AnalysisError(
                FailureKind.MALFORMED,
                f"YAML aliases expand to more than {max_nodes} nodes (an alias bomb?)",
            )


def parse_document(data: bytes | str, *, max_bytes: int, max_nodes: int = DEFAULT_MAX_NODES) -> Any:
    """JSON when it looks like JSON, else YAML (a superset); errors name line and column."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        raise AnalysisError(
            FailureKind.TOO_LARGE,
            f"the document has {len(raw)} bytes, more than the limit of {max_bytes}",
        )
    text = decode(raw) if isinstance(data, bytes) else data
    stripped = text.lstrip()
    if not stripped:
        raise AnalysisError(FailureKind.MALFORMED, "the document is empty")
    if stripped[0] in "{[":
        try:
            return json.loads(stripped)
        except RecursionError as error:
            raise AnalysisError(
                FailureKind.MALFORMED, "the document is nested too deeply"
            ) from error
        except json.JSONDecodeError as error:
            if stripped[0] == "[" or '"' in stripped[:2]:
                raise AnalysisError(
                    FailureKind.MALFORMED,
                    f"malformed JSON at line {error.lineno} column {error.colno}: {error.msg}",
                ) from error
            # A YAML flow mapping such as {openapi: 3.0.0} is not JSON; fall through.
    try:
        if _ANCHOR.search(raw):
            check_expansion(text, max_nodes)
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 1} column {mark.column + 1}" if mark else ""
        raise AnalysisError(
            FailureKind.MALFORMED, f"malformed YAML{where}: {error.problem or error}"
        ) from error
    except yaml.YAMLError as error:
        raise AnalysisError(FailureKind.MALFORMED, f"malformed YAML: {error}") from error
    except RecursionError as error:
        raise AnalysisError(FailureKind.MALFORMED, "the document is nested too deeply") from error
