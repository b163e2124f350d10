"""Credentials in URLs (``http://user:password@host/``): used to fetch, on the same origin
(scheme, host and port) only, and kept out of what the analyzer publishes and logs, shown as
``http://user:***@host/`` by :mod:`mv_runtime.credentials` (re-exported here)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from mv_runtime.credentials import redact, redact_optional

__all__ = ["carry_credentials", "origin", "redact", "redact_optional"]

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin(url: str) -> tuple[str, str, int | None]:
    """(scheme, host, port) of a URL, the port filled in for http and https."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").rstrip("."), port or DEFAULT_PORTS.get(scheme)


def carry_credentials(previous: str, following: str) -> str:
    """``following`` with ``previous``'s credentials when it is on the same origin and names
    none (a redirect within the site, a URL a page computes from its own origin); a URL to
    another scheme, host or port goes without them."""
    before, after = urlsplit(previous), urlsplit(following)
    if before.username is None or after.username is not None:
        return following
    if origin(previous) != origin(following):
        return following
    userinfo = before.netloc.rsplit("@", 1)[0]
    return urlunsplit(after._replace(netloc=f"{userinfo}@{after.netloc}"))
