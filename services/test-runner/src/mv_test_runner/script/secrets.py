"""Which request headers hold secrets, so they reach k6 through its environment only."""

from __future__ import annotations

import re

# Exact names (lower-case) that always carry credentials.
SECRET_HEADERS = frozenset(
    {
        "authorization",
        "proxy-authorization",
        "cookie",
        "x-api-key",
        "api-key",
        "apikey",
        "x-auth-token",
        "x-access-token",
        "x-csrf-token",
    }
)
# Any header whose name mentions one of these words is treated as a secret too.
SECRET_WORDS = re.compile(r"token|secret|password|passwd|api[-_]?key|auth|session|credential")

ENV_PREFIX = "MV_SECRET_"


def is_secret_header(name: str) -> bool:
    lowered = name.strip().lower()
    return lowered in SECRET_HEADERS or SECRET_WORDS.search(lowered) is not None
