"""Which request fields hold secrets (the contract's rule: marked, or named like a secret), so
they reach k6 through its environment only, each under a variable name of its own."""

from __future__ import annotations

from mv_contracts.secrecy import looks_secret

ENV_PREFIX = "MV_SECRET_"


def is_secret_header(name: str) -> bool:
    """A header secret without a mark (Authorization, Cookie, X-Api-Key, X-Signature...)."""
    return looks_secret(name.strip())


class Secrets:
    """The secret values of a script, each behind its own environment variable name."""

    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def reference(self, value: str) -> str:
        name = f"{ENV_PREFIX}{len(self.values) + 1}"
        self.values[name] = value
        return name
