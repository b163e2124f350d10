"""Credentials in URLs (``http://user:password@host/``): taken out of a test's base URL and sent
as a secret ``Authorization`` header instead; shown redacted by :mod:`mv_runtime.credentials`
(re-exported here), the rule the spec-analyzer uses too."""

from __future__ import annotations

import base64
from urllib.parse import unquote, urlsplit, urlunsplit

from mv_runtime.credentials import HIDDEN, redact, redact_optional

__all__ = ["redact", "redact_optional", "split_credentials"]


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
