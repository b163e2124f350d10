"""API tokens and session ids: random secrets shown once, stored only as a hash.

A token carries 256 bits of randomness, so one SHA-256 is a safe hash to store (a slow hash
protects guessable secrets such as passwords, not random ones) and lets a request be checked
with one indexed look-up.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_PREFIX = "mvt_"  # noqa: S105 -- a prefix, not a secret
SESSION_PREFIX = "mvs_"


def new_secret(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def hint(secret: str) -> str:
    """What a listing shows of a token: its prefix and last four characters."""
    return f"{secret[: len(TOKEN_PREFIX)]}…{secret[-4:]}"


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
