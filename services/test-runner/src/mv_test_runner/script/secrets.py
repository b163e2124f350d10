"""Which request fields hold secrets (the contract's rule: marked, or named like a secret), so
they reach k6 through its environment only."""

from __future__ import annotations

from mv_contracts.secrecy import looks_secret

ENV_PREFIX = "MV_SECRET_"


def is_secret_header(name: str) -> bool:
    """A header secret without a mark (Authorization, Cookie, X-Api-Key, X-Signature...)."""
    return looks_secret(name.strip())
