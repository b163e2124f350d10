"""Which recorded requests become steps: the main host's API calls. Static assets, other hosts,
CORS preflights, failed requests and bodies a step cannot send are set aside, each with its
reason. A request the user keeps by its index is taken whatever its reason, as long as it can
be sent at all; a host the user keeps counts as the main one (its assets still set aside)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from enum import StrEnum
from posixpath import splitext
from typing import get_args

from mv_contracts.spec import HttpMethod

from .reading import Entry


class Reason(StrEnum):
    ASSET = "asset"
    THIRD_PARTY = "third_party"
    PREFLIGHT = "preflight"
    NOT_HTTP = "not_http"
    FAILED = "failed"
    METHOD = "method"
    BODY_NOT_JSON = "body_not_json"
    NO_ENDPOINT = "no_endpoint"
    TOO_MANY = "too_many"
    INVALID = "invalid"


# Reasons a user may overrule (keep): the request can still be sent as a step.
KEEPABLE = frozenset({Reason.ASSET, Reason.THIRD_PARTY, Reason.PREFLIGHT, Reason.FAILED})

_ASSET_TYPES = ("image/", "font/", "audio/", "video/", "text/css")
_ASSET_WORDS = ("javascript", "ecmascript", "font", "x-icon")
_ASSET_EXTENSIONS = frozenset(
    [
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".ico",
        ".webp",
        ".avif",
        ".bmp",
        ".css",
        ".js",
        ".mjs",
        ".map",
        ".woff",
        ".woff2",
        ".ttf",
        ".otf",
        ".eot",
        ".mp4",
        ".webm",
        ".mp3",
        ".ogg",
        ".wav",
        ".m4a",
    ]
)
_ASSET_RESOURCES = frozenset({"image", "stylesheet", "font", "script", "media", "manifest"})
_METHODS = frozenset(get_args(HttpMethod))


def is_asset(entry: Entry) -> bool:
    """An image, stylesheet, font, script or media file, by its type, resource or extension."""
    mime = entry.response_mime
    if mime.startswith(_ASSET_TYPES) or any(word in mime for word in _ASSET_WORDS):
        return True
    if (entry.resource_type or "").lower() in _ASSET_RESOURCES:
        return True
    return splitext(entry.url.path)[1].lower() in _ASSET_EXTENSIONS


def _is_http(entry: Entry) -> bool:
    return entry.url.scheme in ("http", "https") and bool(entry.host)


def main_host(entries: Sequence[Entry]) -> str | None:
    """The host of most of the recording's API calls (assets aside); the earliest on a tie."""
    calls = [e.host for e in entries if _is_http(e) and not is_asset(e)]
    if not calls:
        calls = [e.host for e in entries if _is_http(e)]
    if not calls:
        return None
    counts = Counter(calls)
    return max(counts, key=lambda h: (counts[h], -calls.index(h)))


def hosts(entries: Sequence[Entry]) -> dict[str, int]:
    return dict(Counter(e.host for e in entries if _is_http(e)))


def reason_of(
    entry: Entry, main: str, keep_hosts: Collection[str], keep: Collection[int]
) -> tuple[Reason, str] | None:
    """Why the request is set aside (its reason and the words for it), or None to take it."""
    if not _is_http(entry):
        return Reason.NOT_HTTP, f"a {entry.url.scheme or 'schemeless'} URL, not HTTP"
    if entry.index in keep:
        return _sendable(entry)
    if entry.host != main and entry.host not in keep_hosts:
        return Reason.THIRD_PARTY, f"another host than {main}"
    if entry.method == "OPTIONS" and any(
        n.lower() == "access-control-request-method" for n, _ in entry.headers
    ):
        return Reason.PREFLIGHT, "a CORS preflight, which the browser sends and k6 needs not"
    if is_asset(entry):
        return Reason.ASSET, f"a static file ({entry.response_mime or 'by its name'})"
    if entry.status <= 0:
        return Reason.FAILED, "it got no answer in the recording"
    return _sendable(entry)


def _sendable(entry: Entry) -> tuple[Reason, str] | None:
    if entry.method not in _METHODS:
        return Reason.METHOD, f"{entry.method[:20]!r} is not a method a step sends"
    if (
        entry.body_text
        and entry.body_mime not in ("application/json", "")
        and not (entry.body_mime.endswith("+json"))
    ):
        return Reason.BODY_NOT_JSON, (
            f"a {entry.body_mime[:100]} body: a step sends JSON bodies only"
        )
    return None
