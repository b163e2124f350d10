"""Secret values sealed with Fernet (the ``cryptography`` package: AES-128-CBC and HMAC-SHA256)
under SECRETS_KEY, shared by the gateway and the test-runner.

The gateway seals a test request's secret values before the command is stored (outbox), sent
and kept by JetStream, and before a plan is stored; the test-runner opens them to hand them to
k6's environment. SECRETS_KEY is one key or several separated by commas: the first seals, every
one opens (MultiFernet), so a key is rotated by putting a new one first.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import SettingsConfigDict

from mv_contracts.runs import EndpointCall, ScenarioRequest, TestRunRequest
from mv_contracts.secrecy import body_secrets, resolve, secret_names, value_at, with_value
from mv_contracts.signin import LoginSignIn, SignIn, secret_fields

from .settings import ServiceSettings

# Every Fernet token starts so: version byte 0x80, then a time whose high bytes are zero.
_TOKEN_START = "gAAAAA"  # noqa: S105 -- a format's prefix, not a secret


def is_sealed(value: Any) -> bool:
    """Whether ``value`` is a sealed value (a value stored before sealing is not)."""
    return isinstance(value, str) and value.startswith(_TOKEN_START)


class SealingError(ValueError):
    """A sealed value that no key opens, or a sealed request and no key."""


class SealingSettings(ServiceSettings):
    # A malformed key must not be printed whole in the start-up error.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    secrets_key: SecretStr | None = Field(
        default=None,
        description="Fernet key(s) sealing secret values at rest and on the bus (comma-separated:"
        " the first seals, all open). Unset: plans refuse secrets, commands carry them in clear",
    )

    @field_validator("secrets_key")
    @classmethod
    def _valid_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().strip():
            return None  # SECRETS_KEY= (compose's default) is no key
        if value is not None:
            Sealer.of(value.get_secret_value())  # a bad key fails at start-up, not at a test
        return value

    def sealer(self) -> Sealer | None:
        key = self.secrets_key
        return None if key is None else Sealer.of(key.get_secret_value())


class Sealer:
    def __init__(self, fernet: MultiFernet) -> None:
        self._fernet = fernet

    @classmethod
    def of(cls, keys: str) -> Sealer:
        try:
            return cls(MultiFernet([Fernet(k.strip()) for k in keys.split(",") if k.strip()]))
        except ValueError as error:
            raise ValueError(f"SECRETS_KEY: not Fernet keys ({error})") from None

    @staticmethod
    def new_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def seal(self, value: Any) -> str:
        """A token of ``value`` as JSON, so a body field keeps its type."""
        return self._fernet.encrypt(json.dumps(value, ensure_ascii=False).encode()).decode("ascii")

    def open(self, token: Any) -> Any:
        try:
            return json.loads(self._fernet.decrypt(str(token).encode("ascii")))
        except (InvalidToken, UnicodeEncodeError, ValueError):
            raise SealingError("a sealed secret opens with no key of SECRETS_KEY") from None


def _call(call: EndpointCall, change: Callable[[Any], Any]) -> EndpointCall:
    headers = dict(call.headers)
    for name in secret_names(headers, call.secrets.headers, fold=True):
        headers[name] = change(headers[name])
    query = dict(call.query)
    for name in secret_names(query, call.secrets.query, fold=False):
        query[name] = change(query[name])
    body = call.body
    for path in body_secrets(body, call.secrets.body):
        body = with_value(body, path, change(value_at(body, path)))
    # Marks inside a field now sealed whole name nothing any more: keep the ones that still do.
    kept = [m for m in call.secrets.body if resolve(body, m) in body_secrets(body, [m])]
    secrets = call.secrets.model_copy(update={"body": kept})
    return call.model_copy(update={"headers": headers, "query": query, "body": body,
                                   "secrets": secrets})  # fmt: skip


def _sign_in(sign_in: SignIn, change: Callable[[Any], Any]) -> SignIn:
    if isinstance(sign_in, LoginSignIn):
        return sign_in.model_copy(update={"endpoint": _call(sign_in.endpoint, change)})
    update = {f: change(getattr(sign_in, f)) for f in secret_fields(sign_in)
              if getattr(sign_in, f) is not None}  # fmt: skip
    return sign_in.model_copy(update=update)


def _scenario(scenario: ScenarioRequest, change: Callable[[Any], Any]) -> ScenarioRequest:
    update: dict[str, Any] = {
        "steps": [
            s.model_copy(update={"endpoint": _call(s.endpoint, change)}) for s in scenario.steps
        ]
    }
    if scenario.endpoint is not None:
        update["endpoint"] = _call(scenario.endpoint, change)
    if scenario.sign_in is not None:
        update["sign_in"] = _sign_in(scenario.sign_in, change)
    return scenario.model_copy(update=update)


def _request(request: TestRunRequest, change: Callable[[Any], Any], sealed: bool) -> TestRunRequest:
    headers = dict(request.headers)
    for name in secret_names(headers, request.secret_headers, fold=True):
        headers[name] = change(headers[name])
    scenarios = [_scenario(s, change) for s in request.scenarios]
    own = request.own_script
    if own is not None:  # an own script's __ENV values are secrets, each of them
        own = own.model_copy(update={"env": {k: change(v) for k, v in own.env.items()}})
    return request.model_copy(
        update={"headers": headers, "scenarios": scenarios, "own_script": own, "sealed": sealed}
    )


def replace_secrets(request: TestRunRequest, change: Callable[[Any], Any]) -> TestRunRequest:
    """``request`` with ``change`` applied to each secret value (to mask them, say)."""
    return _request(request, change, sealed=request.sealed)


def seal_request(request: TestRunRequest, sealer: Sealer) -> TestRunRequest:
    """``request`` with every secret value sealed (header and query values stay strings)."""
    if request.sealed:
        return request
    return _request(request, sealer.seal, sealed=True)


def open_request(request: TestRunRequest, sealer: Sealer | None) -> TestRunRequest:
    """``request`` with its secret values in clear again, for k6's environment."""
    if not request.sealed:
        return request
    if sealer is None:
        raise SealingError("the request's secrets are sealed and SECRETS_KEY is not set")
    return _request(request, sealer.open, sealed=False)
