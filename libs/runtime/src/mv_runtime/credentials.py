"""Credentials in URLs (``http://user:password@host/``) hidden wherever a URL is shown, stored or
logged: ``http://user:***@host/``. Every service that handles user URLs uses this one rule."""

from __future__ import annotations

import re

HIDDEN = "***"
# The authority's userinfo runs to its last "@" (the way urlsplit reads it), so a password
# holding a raw "@" is hidden whole.
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]*)@")


def _hidden(match: re.Match[str]) -> str:
    user, colon, _ = match["userinfo"].partition(":")
    # A lone user name is often a token (https://TOKEN@host/), so it is hidden too.
    return f"{match['scheme']}{user}:{HIDDEN}@" if colon else f"{match['scheme']}{HIDDEN}@"


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``***``."""
    return _USERINFO.sub(_hidden, text) if "@" in text else text


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)
