"""Credentials in URLs (``http://user:password@host/``): used to fetch, on the same host only,
and kept out of what the analyzer publishes and logs, shown as ``http://user:***@host/`` by
:mod:`mv_runtime.credentials` (re-exported here)."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from mv_runtime.credentials import redact, redact_optional

__all__ = ["carry_credentials", "redact", "redact_optional"]


def carry_credentials(previous: str, following: str) -> str:
    """``following`` with ``previous``'s credentials when it names the same host without any
    (a redirect from http to https, a URL a page computes from its own origin); a URL to
    another host goes without them."""
    before, after = urlsplit(previous), urlsplit(following)
    if before.username is None or after.username is not None or before.hostname != after.hostname:
        return following
    userinfo = before.netloc.rsplit("@", 1)[0]
    return urlunsplit(after._replace(netloc=f"{userinfo}@{after.netloc}"))
