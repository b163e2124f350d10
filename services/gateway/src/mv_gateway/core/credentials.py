"""Credentials in URLs (``http://user:password@host/``): taken out before anything is stored or
logged, and shown as ``http://user:***@host/`` wherever a URL is shown.

The same redaction as the spec-analyzer's (services never import each other): the userinfo runs
to the authority's last ``@``, and a lone user name (often a token) is hidden too.
"""

from __future__ import annotations

import base64
import re
from urllib.parse import unquote, urlsplit, urlunsplit

HIDDEN = "***"
_USERINFO = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/?#\s]*)@")


def _hidden(match: re.Match[str]) -> str:
    user, colon, _ = match["userinfo"].partition(":")
    return f"{match['scheme']}{user}:***@" if colon else f"{match['scheme']}***@"


def redact(text: str) -> str:
    """``text`` with the credentials of every URL in it replaced by ``***``."""
    return _USERINFO.sub(_hidden, text) if "@" in text else text


def redact_optional(text: str | None) -> str | None:
    return None if text is None else redact(text)


def split_credentials(url: str) -> tuple[str, str | None]:
    """The URL without its userinfo, and an ``Authorization: Basic`` value made of it (None
    when it had none, or when it had only a redacted ``***`` password, which is no secret)."""
    parts = urlsplit(url)
    if parts.username is None:
        return url, None
    host = parts.netloc.rsplit("@", 1)[1]
    clean = urlunsplit(parts._replace(netloc=host))
    password = unquote(parts.password or "")
    if password == HIDDEN:
        return clean, None
    pair = f"{unquote(parts.username)}:{password}".encode()
    return clean, "Basic " + base64.b64encode(pair).decode("ascii")
