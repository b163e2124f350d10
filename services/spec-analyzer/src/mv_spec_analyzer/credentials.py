"""Credentials in URLs (``http://user:password@host/``): used to fetch, on the same host only,
and kept out of what the analyzer publishes and logs, shown as ``http://user:***@host/``."""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# The authority's userinfo runs to its last "@" (the way urlsplit reads it), so a password
# holding a raw "@" is hidden whole.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]*)@")


def _hidden(match: re.Match[str]) -> str:
    user, colon, _ = match["userinfo"].partition(":")
    # A lone user name is often a token (https://TOKEN@host/), so it is hidden too.
    return f"{match['scheme']}{user}:***@" if colon else f"{match['scheme']}***@"


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``***``."""
    return _USERINFO.sub(_hidden, text) if "@" in text else text


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)


def carry_credentials(previous: str, following: str) -> str:
    """``following`` with ``previous``'s credentials when it names the same host without any
    (a redirect from http to https, a URL a page computes from its own origin); a URL to
    another host goes without them."""
    before, after = urlsplit(previous), urlsplit(following)
    if before.username is None or after.username is not None or before.hostname != after.hostname:
        return following
    userinfo = before.netloc.rsplit("@", 1)[0]
    return urlunsplit(after._replace(netloc=f"{userinfo}@{after.netloc}"))
