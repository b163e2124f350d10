"""A kept request as the draft of a step: matched to an endpoint of the project (its path
template and parameters), its query, the headers a k6 request should send, its JSON body, and
its Cookie header less the cookies an earlier answer set (k6 keeps a cookie jar per VU)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import parse_qsl, unquote

from .reading import Entry, json_of

# Headers the browser adds by itself, that k6 sets (Host, Content-Length, Content-Type of a
# JSON body) or that describe the browser rather than the call.
_DROPPED = frozenset(
    [
        "host",
        "connection",
        "content-length",
        "accept-encoding",
        "user-agent",
        "origin",
        "referer",
        "cookie",
        "upgrade-insecure-requests",
        "pragma",
        "cache-control",
        "accept-language",
        "dnt",
        "priority",
        "te",
        "keep-alive",
        "content-type",
        "if-none-match",
        "if-modified-since",
    ]
)


@dataclass(frozen=True)
class EndpointOption:
    """An endpoint of the project a request may be: its request line and its spec's base path."""

    id: int
    method: str
    path: str
    prefix: str = ""


@dataclass
class Draft:
    entry: Entry
    endpoint: EndpointOption
    path_params: dict[str, str]
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    answer: Any
    cookies_set: dict[str, str] = field(default_factory=dict)
    """Name → value of each cookie the answer set."""
    dropped_cookies: list[str] = field(default_factory=list)
    name: str = ""


def match(
    method: str, path: str, options: Sequence[EndpointOption]
) -> tuple[EndpointOption, dict[str, str]] | None:
    """The endpoint whose template fits the path best (most literal segments), and the values
    of its path parameters."""
    best: tuple[int, EndpointOption, dict[str, str]] | None = None
    for option in options:
        if option.method != method:
            continue
        rest = path
        if option.prefix:
            if not path.startswith(option.prefix + "/"):
                continue
            rest = path[len(option.prefix) :]
        found = _fits(option.path, rest)
        if found is None:
            continue
        literal = sum(1 for s in option.path.split("/") if not _is_parameter(s))
        if best is None or literal > best[0]:
            best = (literal, option, found)
    return None if best is None else (best[1], best[2])


def _is_parameter(segment: str) -> bool:
    return segment.startswith("{") and segment.endswith("}") and len(segment) > 2


def _fits(template: str, path: str) -> dict[str, str] | None:
    wanted = template.strip("/").split("/")
    given = path.strip("/").split("/")
    if len(wanted) != len(given):
        return None
    values: dict[str, str] = {}
    for want, got in zip(wanted, given, strict=True):
        got = unquote(got)
        if _is_parameter(want):
            if not got:
                return None
            values[want[1:-1]] = got
        elif want != got:
            return None
    return values


def set_cookies(entry: Entry) -> dict[str, str]:
    """Name → value of the cookies the answer set."""
    found: dict[str, str] = {}
    for name, value in entry.response_headers:
        if name.lower() != "set-cookie":
            continue
        for line in value.split("\n"):  # some recorders join several with line breaks
            cookie_name, equals, rest = line.partition("=")
            if cookie_name.strip() and equals:
                found[cookie_name.strip()] = rest.split(";", 1)[0].strip().strip('"')
    return found


def _cookie_pairs(value: str) -> list[tuple[str, str]]:
    try:
        jar = SimpleCookie(value)
    except CookieError:
        return [(p.split("=", 1)[0].strip(), p) for p in value.split(";") if "=" in p]
    return [(name, f"{name}={morsel.coded_value}") for name, morsel in jar.items()]


def draft(entry: Entry, endpoint: EndpointOption, params: dict[str, str], jar: set[str]) -> Draft:
    """The step's request; ``jar`` holds the cookies earlier answers set (k6 sends those)."""
    query: dict[str, str] = {}
    for name, value in parse_qsl(entry.url.query, keep_blank_values=True):
        query[name] = value  # a name twice: the last, as most servers read it
    headers: dict[str, str] = {}
    dropped: list[str] = []
    for name, value in entry.headers:
        lower = name.lower()
        if lower == "cookie":
            pairs = _cookie_pairs(value)
            dropped += [n for n, _ in pairs if n in jar]
            kept = "; ".join(p for n, p in pairs if n not in jar)
            if kept:
                headers["Cookie"] = kept
        elif not (name.startswith(":") or lower.startswith("sec-") or lower in _DROPPED):
            headers[name] = value
    return Draft(
        entry=entry,
        endpoint=endpoint,
        path_params=params,
        query=query,
        headers=headers,
        body=json_of(entry.body_text),
        answer=json_of(entry.response_text),
        cookies_set=set_cookies(entry),
        dropped_cookies=dropped,
    )
