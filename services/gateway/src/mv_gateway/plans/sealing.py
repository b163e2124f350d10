"""A plan's secret values, sealed in its stored test and shown masked.

The stored test is the body of ``POST /load-testing`` with each secret value replaced by its
Fernet token (:mod:`mv_runtime.sealing`, SECRETS_KEY): the row read raw holds none in clear.
Credentials in the base URL become a secret ``Authorization`` header first, as a run makes them.
A value sent back as the mask keeps the one stored at the same place; a plan stored before its
values were sealed is opened as it is (its values pass unchanged).
"""

from __future__ import annotations

from typing import Any

from mv_contracts.secrecy import SECRET_MASK
from mv_gateway.core.errors import FieldError
from mv_gateway.runs import (
    InvalidSecret,
    Key,
    LoadTestCreate,
    Loc,
    base_url_and_headers,
    masked,
    values,
    walk,
)
from mv_runtime.sealing import Sealer, SealingError, is_sealed


class NoSecretsKey(FieldError):
    """The gateway cannot keep a secret in a plan without SECRETS_KEY."""


def normal(test: LoadTestCreate) -> dict[str, Any]:
    """The test as JSON, credentials of its base URL moved to a secret header."""
    data = test.model_dump(mode="json")
    if test.base_url is not None:
        url, headers = base_url_and_headers(str(test.base_url), test.headers)
        data |= {"base_url": url, "headers": headers}
    return data


def seal(
    test: dict[str, Any], sealer: Sealer | None, stored: dict[str, Any] | None
) -> dict[str, Any]:
    """``test`` as a plan keeps it: each secret value sealed; a mask takes the value ``stored``
    (the plan's test as it was) holds at the same place."""
    kept = values(stored) if stored is not None else {}

    def sealed(key: Key, loc: Loc, value: Any) -> Any:
        if value == SECRET_MASK:
            if key not in kept:
                raise InvalidSecret("test", *loc, message="no value stored for it yet: type it")
            value = kept[key]
            if is_sealed(value):
                return value
        if sealer is None:
            raise NoSecretsKey(
                "test", *loc, message="a secret: the gateway keeps none in a plan without "
                "SECRETS_KEY (send it with each run instead)",
            )  # fmt: skip
        return sealer.seal(value)

    return walk(test, sealed)


def seal_in_place(test: dict[str, Any], sealer: Sealer) -> dict[str, Any]:
    """A stored test with every secret value not yet sealed sealed (the others as they are)."""
    return walk(test, lambda _key, _loc, value: value if is_sealed(value) else sealer.seal(value))


def opened(test: dict[str, Any], sealer: Sealer | None) -> LoadTestCreate:
    """The plan's test with its secret values in clear, to run it."""

    def clear(_key: Key, loc: Loc, value: Any) -> Any:
        if not is_sealed(value):
            return value
        if sealer is None:
            raise NoSecretsKey("test", *loc, message="sealed, and SECRETS_KEY is not set")
        try:
            return sealer.open(value)
        except SealingError:
            raise InvalidSecret(
                "test", *loc, message="sealed with a key SECRETS_KEY no longer holds: type it "
                "again (PUT /plans/{id})",
            ) from None  # fmt: skip

    return LoadTestCreate.model_validate(walk(test, clear))


def shown(test: dict[str, Any]) -> LoadTestCreate:
    """What an answer shows of the plan's test: the mask in place of every secret value."""
    return LoadTestCreate.model_validate(masked(test))
