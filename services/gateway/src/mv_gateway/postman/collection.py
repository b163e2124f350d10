"""A Postman collection (v2.1) and its environment read into plain values, every hostile shape
refused with the field and the reason before any request is converted.

Bounds, one definition each: a file's size (:data:`MAX_FILE_BYTES`, counted before the text is
parsed), the nesting of its JSON (:data:`MAX_JSON_DEPTH`, measured before the parser recurses),
the folders' depth (:data:`MAX_FOLDER_DEPTH`), the items of a collection (:data:`MAX_ITEMS`) and
the longest string (:data:`MAX_STRING`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mv_gateway.core.parsing import BodyRefused, parse, too_deep

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_JSON_DEPTH = 40
MAX_FOLDER_DEPTH = 8
MAX_ITEMS = 500
MAX_STRING = 200_000
SCHEMA_V21 = "/collection/v2.1"

Loc = tuple[str | int, ...]


class ImportRefused(ValueError):
    """The upload cannot be read: ``loc`` names the field (``collection`` or ``environment``
    first), the message says why."""

    def __init__(self, loc: Loc, why: str) -> None:
        super().__init__(why)
        self.loc = loc


@dataclass
class Script:
    """A pre-request or test script, never run: listed, or read when trivially simple."""

    where: str
    kind: str  # "prerequest" | "test"
    lines: list[str]


@dataclass
class Request:
    """One request of the collection with what it inherits from its folders."""

    name: str
    folder: tuple[str, ...]
    request: dict[str, Any]
    auth: dict[str, Any] | None  # the one in force: its own, a folder's or the collection's
    own_auth: bool
    scripts: list[Script] = field(default_factory=list)


@dataclass
class Collection:
    name: str
    requests: list[Request]
    variables: list[dict[str, Any]]
    folder_auth: dict[tuple[str, ...], dict[str, Any] | None]
    scripts: list[Script]  # of the collection and its folders, not of a request


def document(text: str, what: str) -> Any:
    """The JSON of an uploaded file, bounded before the parser sees it."""
    data = text.encode()
    if len(data) > MAX_FILE_BYTES:
        raise ImportRefused((what,), f"{len(data)} bytes; a file may hold {MAX_FILE_BYTES}")
    if too_deep(data, MAX_JSON_DEPTH):
        raise ImportRefused((what,), f"arrays and objects nest deeper than {MAX_JSON_DEPTH}")
    try:
        found = parse(data, MAX_JSON_DEPTH)
    except BodyRefused as refused:
        error = refused.errors[0]
        if error["type"] == "json_invalid":  # its place is an offset, said in the message
            raise ImportRefused((what,), "not JSON: " + error["msg"]) from None
        raise ImportRefused((what, *error["loc"][1:]), error["msg"]) from None
    _strings_bounded(found, (what,))
    if not isinstance(found, dict):
        raise ImportRefused((what,), "not a JSON object")
    return found


def _strings_bounded(value: Any, loc: Loc) -> None:
    stack: list[tuple[Any, Loc]] = [(value, loc)]
    while stack:
        node, at = stack.pop()
        if isinstance(node, str) and len(node) > MAX_STRING:
            raise ImportRefused(at, f"a string of {len(node)} characters; at most {MAX_STRING}")
        if isinstance(node, dict):
            stack += [(v, (*at, k)) for k, v in node.items()]
        elif isinstance(node, list):
            stack += [(v, (*at, i)) for i, v in enumerate(node)]


def _list(node: dict[str, Any], key: str, loc: Loc) -> list[Any]:
    value = node.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise ImportRefused((*loc, key), "must be a list")
    return value


def _object(value: Any, loc: Loc) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImportRefused(loc, "must be an object")
    return value


def _auth(node: dict[str, Any], loc: Loc, inherited: dict[str, Any] | None) -> Any:
    auth = node.get("auth")
    if auth is None or (isinstance(auth, dict) and auth.get("type") == "inherit"):
        return inherited
    auth = _object(auth, (*loc, "auth"))
    return None if auth.get("type") == "noauth" else auth


def _scripts(node: dict[str, Any], loc: Loc, where: str) -> list[Script]:
    found = []
    for index, event in enumerate(_list(node, "event", loc)):
        event = _object(event, (*loc, "event", index))
        script = event.get("script")
        exec_ = script.get("exec") if isinstance(script, dict) else None
        lines = exec_.splitlines() if isinstance(exec_, str) else exec_ or []
        if not isinstance(lines, list) or not all(isinstance(line, str) for line in lines):
            raise ImportRefused((*loc, "event", index, "script", "exec"), "must be lines of text")
        if event.get("disabled") is True or not any(line.strip() for line in lines):
            continue
        found.append(Script(where, str(event.get("listen") or "test"), lines))
    return found


def collection(doc: dict[str, Any]) -> Collection:
    """The requests of a v2.1 collection in the order a collection run sends them."""
    info = _object(doc.get("info"), ("collection", "info"))
    schema = info.get("schema")
    if not isinstance(schema, str) or SCHEMA_V21 not in schema:
        raise ImportRefused(
            ("collection", "info", "schema"),
            f"not a Postman collection v2.1 (schema {schema!r}); export it as "
            "Collection v2.1 from Postman",
        )
    name = info.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ImportRefused(("collection", "info", "name"), "a collection needs a name")
    root: Loc = ("collection",)
    auth = _auth(doc, root, None)
    found = Collection(
        name.strip()[:200],
        [],
        _list(doc, "variable", root),
        {(): auth},
        _scripts(doc, root, "collection"),
    )
    count = 0
    # (items, their folder path, its auth, their loc), walked depth first in order.
    pending: list[tuple[list[Any], tuple[str, ...], Any, Loc]] = [
        (_list(doc, "item", root), (), auth, (*root, "item"))
    ]
    while pending:
        items, folder, inherited, loc = pending.pop()
        later: list[tuple[list[Any], tuple[str, ...], Any, Loc]] = []
        for index, item in enumerate(items):
            at = (*loc, index)
            item = _object(item, at)
            count += 1
            if count > MAX_ITEMS:
                raise ImportRefused(at, f"more than {MAX_ITEMS} requests and folders")
            label = str(item.get("name") or "").strip()[:200]
            if "item" in item:  # a folder
                path = (*folder, label or f"folder {index + 1}")
                if len(path) > MAX_FOLDER_DEPTH:
                    raise ImportRefused(at, f"folders nest deeper than {MAX_FOLDER_DEPTH}")
                folder_auth = _auth(item, at, inherited)
                found.folder_auth[path] = folder_auth
                found.scripts += _scripts(item, at, " / ".join(path))
                later.append((_list(item, "item", at), path, folder_auth, (*at, "item")))
                continue
            request = item.get("request")
            if isinstance(request, str):  # the short form: a URL, GET
                request = {"method": "GET", "url": request}
            request = _object(request, (*at, "request"))
            own = _auth(request, (*at, "request"), inherited)
            label = label or "request"
            where = " / ".join((*folder, label))
            found.requests.append(
                Request(
                    label,
                    folder,
                    request,
                    own,
                    "auth" in request and own is not inherited,
                    _scripts(item, at, where),
                )
            )
        pending += reversed(later)
    return found


def environment(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """An environment's variables that are on (as collection variables are written)."""
    values = _list(doc, "values", ("environment",))
    found = []
    for index, value in enumerate(values):
        value = _object(value, ("environment", "values", index))
        if value.get("enabled", True) is not False:
            found.append(value)
    return found
