"""One Postman request as a step's fields: the endpoint of the project it calls (by method and
path template), its path values, query, headers and JSON body, its variables read. A secret's
field holds its value here; the preview masks it (:mod:`.convert`)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote

from mv_contracts.calls import HEADER_NAME
from mv_contracts.secrecy import dotted

from .values import POSTMAN_REFERENCE, Used, Variables

METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE"}
_TEMPLATE = re.compile(r"^\{([^{}]+)\}$")
Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Known:
    """An endpoint of the project a request may call."""

    id: int
    method: str
    path: str


@dataclass
class Call:
    method: str
    origin: str  # scheme://host[:port], "" when the URL names none
    path: str
    endpoint: Known | None = None
    prefix: str = ""  # the base URL's path the endpoint's template follows
    path_params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    marks: dict[str, list[str]] = field(
        default_factory=lambda: {"headers": [], "query": [], "body": []}
    )
    # field (("headers", name), ("body", *path)...) → (its value with secrets as {{name}}, names)
    templates: dict[Loc, tuple[str, list[str]]] = field(default_factory=dict)
    notes: list[tuple[str, str]] = field(default_factory=list)  # (what, reason)

    def fields(self) -> dict[str, Any]:
        return {
            "path_params": self.path_params,
            "query": self.query,
            "headers": self.headers,
            "body": self.body,
            "secrets": self.marks,
        }


def _read(values: Variables, text: str, call: Call, loc: Loc | None) -> str:
    """``text`` read; a secret it takes is recorded (at ``loc``) or, where a field cannot be
    secret (``loc`` None: the URL's path), left out and said so."""
    used = Used()
    template = values.resolve(text, used, keep_secrets=True)
    _noted(used, call)
    if not used.secrets:
        return template
    if loc is None:
        call.notes.append(
            (
                "variable",
                f"the secret {{{{{used.secrets[0]}}}}} in the URL's path"
                " is left out: a path cannot be secret",
            )
        )
        return POSTMAN_REFERENCE.sub("", template)
    call.templates[loc] = (template, list(dict.fromkeys(used.secrets)))
    return values.resolve(text, Used(), keep_secrets=False)


def _noted(used: Used, call: Call) -> None:
    for name in dict.fromkeys(used.unknown):
        call.notes.append(
            (
                "variable",
                f"{{{{{name}}}}} has no value in the collection or environment; left empty",
            )
        )
    for name in dict.fromkeys(used.dynamic):
        call.notes.append(("variable", f"{{{{{name}}}}} is not generated alike; random letters"))


def _pairs(entries: Any, what: str, call: Call) -> list[tuple[str, str]]:
    if isinstance(entries, str):  # a header block as text
        entries = [
            {"key": line.split(":", 1)[0].strip(), "value": line.split(":", 1)[1].strip()}
            for line in entries.splitlines()
            if ":" in line
        ]
    found = []
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or entry.get("disabled") is True:
            continue
        key, value = entry.get("key"), entry.get("value")
        if not isinstance(key, str) or not key:
            call.notes.append((what, "an entry without a name is left out"))
            continue
        found.append((key, "" if value is None else str(value)))
    return found


def _url(request: dict[str, Any], values: Variables, call: Call) -> str | None:
    """The URL's query and path values taken into ``call``; its text before the query."""
    url = request.get("url")
    parts = url if isinstance(url, dict) else {"raw": url}
    raw = parts.get("raw")
    if not isinstance(raw, str):
        host = parts.get("host")
        host = ".".join(str(h) for h in host) if isinstance(host, list) else str(host or "")
        path = parts.get("path")
        path = "/".join(str(p) for p in path) if isinstance(path, list) else str(path or "")
        port = f":{parts['port']}" if parts.get("port") else ""
        raw = f"{parts.get('protocol') or 'http'}://{host}{port}/{path}" if host else ""
    if not raw:
        call.notes.append(("request", "no URL"))
        return None
    base, _, query = raw.split("#", 1)[0].partition("?")
    if isinstance(parts.get("query"), list):
        pairs = _pairs(parts["query"], "query", call)
    else:
        pairs = parse_qsl(query, keep_blank_values=True)
    for key, value in pairs:
        call.query[key] = _read(values, value, call, ("query", key))
    given = dict(_pairs(parts.get("variable"), "path", call))

    def path_value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in given:
            call.notes.append(("variable", f"the path variable :{name} has no value"))
        return given.get(name, "")

    return re.sub(r"(?<=/):([A-Za-z_][\w-]*)", path_value, base)


def _split(text: str) -> tuple[str, str]:
    """(origin, path) of a URL's text; Postman takes ``host/path`` as http."""
    if text.startswith("/") or not text:
        return "", text or "/"
    scheme, found, rest = text.partition("://")
    if not found:
        scheme, rest = "http", text
    host, _, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}", "/" + path


def match(call: Call, endpoints: list[Known], prefixes: list[str]) -> None:
    """The project's endpoint the request calls: the method, and a template whose fixed
    segments equal the path's (the most such segments wins), after a base path or none."""
    segments = [s for s in call.path.split("/") if s]
    for prefix in ["", *prefixes]:
        fixed = [s for s in prefix.split("/") if s]
        if segments[: len(fixed)] != fixed:
            continue
        rest = segments[len(fixed) :]
        best: tuple[int, Known, dict[str, str]] | None = None
        for known in endpoints:
            template = [s for s in known.path.split("/") if s]
            if known.method != call.method or len(template) != len(rest):
                continue
            params, score = {}, 0
            for wanted, given in zip(template, rest, strict=True):
                if found := _TEMPLATE.match(wanted):
                    params[found.group(1)] = unquote(given)
                elif wanted == given:
                    score += 1
                else:
                    break
            else:
                if best is None or score > best[0]:
                    best = (score, known, params)
        if best is not None:
            call.endpoint, call.path_params, call.prefix = best[1], best[2], "/".join(fixed)
            return


def _body(request: dict[str, Any], values: Variables, call: Call) -> None:
    body = request.get("body")
    if not isinstance(body, dict) or body.get("disabled") is True:
        return
    mode = body.get("mode")
    if mode != "raw":
        if body.get(str(mode)):
            call.notes.append(("body", f"a {mode} body is not carried over: a step sends JSON"))
        return
    raw = body.get("raw")
    if not isinstance(raw, str) or not raw.strip():
        return
    used = Used()
    template_text = values.resolve(raw, used, keep_secrets=True)
    try:
        template = json.loads(template_text)
        value = json.loads(values.resolve(raw, Used(), keep_secrets=False))
    except ValueError:
        call.notes.append(
            (
                "body",
                "a raw body that is not JSON (its variables read) is not "
                "carried over: a step sends JSON",
            )
        )
        return
    _noted(used, call)
    secrets = set(used.secrets)
    for path, text in _strings(template, ()):
        names = [n.strip() for n in POSTMAN_REFERENCE.findall(text) if n.strip() in secrets]
        if names:
            call.templates[("body", *path)] = (text, list(dict.fromkeys(names)))
            call.marks["body"].append(dotted(path))
    call.body = value


def _strings(value: Any, at: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    if isinstance(value, str):
        return [(at, value)]
    if isinstance(value, dict):
        return [found for k, v in value.items() for found in _strings(v, (*at, k))]
    if isinstance(value, list):
        return [found for i, v in enumerate(value) for found in _strings(v, (*at, i))]
    return []


def call_of(request: dict[str, Any], values: Variables) -> Call:
    """The request's step fields; what it cannot carry is in its notes."""
    method = str(request.get("method") or "GET").upper()
    call = Call(method, "", "/")
    if method not in METHODS:
        call.notes.append(("request", f"the method {method[:20]!r} is not one k6 sends"))
        return call
    text = _url(request, values, call)
    if text is None:
        return call
    call.origin, call.path = _split(_read(values, text, call, None))
    for key, value in _pairs(request.get("header"), "header", call):
        if not re.match(HEADER_NAME, key) or "\n" in value or "\r" in value:
            call.notes.append(("header", f"the header {key[:60]!r} is not a valid header"))
            continue
        call.headers[key] = _read(values, value, call, ("headers", key))
        if ("headers", key) in call.templates:
            call.marks["headers"].append(key)
    call.marks["query"] = [k for k in call.query if ("query", k) in call.templates]
    _body(request, values, call)
    return call
