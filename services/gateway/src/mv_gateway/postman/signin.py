"""A collection's, folder's or request's ``auth`` as the scenario's sign-in
(:mod:`mv_contracts.signin`): bearer, basic, API key and OAuth2 client credentials; a bearer
token that a test script sets from a request's answer makes that request the sign-in (a login,
each VU signs in before its first iteration). Other kinds are listed, not carried over."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mv_contracts.journeys import Extraction

from .requests import Call, Loc
from .values import POSTMAN_REFERENCE, Used, Variables


@dataclass
class SignIn:
    value: dict[str, Any] | None
    # field of the sign-in → (its value with secrets as {{name}}, names); fields of a login's
    # request are its call's templates
    templates: dict[Loc, tuple[str, list[str]]] = field(default_factory=dict)
    login: Call | None = None
    notes: list[str] = field(default_factory=list)


def _params(auth: dict[str, Any], kind: str) -> dict[str, str]:
    """Postman v2.1 writes an auth's settings as a list of {key, value}."""
    listed = auth.get(kind)
    if isinstance(listed, dict):  # v2.0's shape
        return {str(k): str(v) for k, v in listed.items() if v is not None}
    found = {}
    for entry in listed if isinstance(listed, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("key"), str):
            value = entry.get("value")
            found[entry["key"]] = "" if value is None else str(value)
    return found


def _text(values: Variables, text: str, sign_in: SignIn, name: str, *, secret: bool) -> str:
    used = Used()
    template = values.resolve(text, used, keep_secrets=True)
    if used.unknown:
        sign_in.notes.append(f"{name}: {{{{{used.unknown[0]}}}}} has no value; left empty")
    if used.secrets and not secret:
        sign_in.notes.append(f"{name} takes the secret {{{{{used.secrets[0]}}}}}: type it")
        return POSTMAN_REFERENCE.sub("", template)
    if used.secrets:
        sign_in.templates[(name,)] = (template, list(dict.fromkeys(used.secrets)))
    return values.resolve(text, Used(), keep_secrets=False)


Logins = dict[str, tuple[Call, Extraction]]


def sign_in(auth: dict[str, Any] | None, values: Variables, logins: Logins) -> SignIn:
    """``logins``: each Postman variable a test script sets from an answer, with the request
    (matched to an endpoint) whose script sets it first, and how."""
    if auth is None:
        return SignIn(None)
    kind = str(auth.get("type"))
    params = _params(auth, kind)
    found = SignIn(None)
    match kind:
        case "bearer":
            token = params.get("token", "").strip()
            reference = POSTMAN_REFERENCE.fullmatch(token)
            name = reference.group(1).strip() if reference else None
            if name is not None and name in values.extracted and name in logins:
                login, extraction = logins[name]
                assert login.endpoint is not None  # only matched requests are logins
                found.login = login
                found.value = {
                    "kind": "login",
                    "endpoint_id": login.endpoint.id,
                    **login.fields(),
                    "token": extraction.model_dump(mode="json"),
                }
                return found
            found.value = {
                "kind": "bearer",
                "token": _text(values, token, found, "token", secret=True),
            }
        case "basic":
            found.value = {
                "kind": "basic",
                "username": _text(
                    values, params.get("username", ""), found, "username", secret=False
                )
                or "user",
                "password": _text(
                    values, params.get("password", ""), found, "password", secret=True
                ),
            }
        case "apikey":
            where = params.get("in", "header")
            found.value = {
                "kind": "api_key",
                "location": where if where in ("header", "query") else "header",
                "name": _text(values, params.get("key", ""), found, "name", secret=False),
                "value": _text(values, params.get("value", ""), found, "value", secret=True),
            }
        case "oauth2" if params.get("grant_type", params.get("grantType")) in (
            "client_credentials",
        ):
            found.value = {
                "kind": "oauth2_client_credentials",
                "token_url": _text(
                    values, params.get("accessTokenUrl", ""), found, "token_url", secret=False
                ),
                "client_id": _text(
                    values, params.get("clientId", ""), found, "client_id", secret=False
                ),
                "client_secret": _text(
                    values, params.get("clientSecret", ""), found, "client_secret", secret=True
                ),
            }
            scope = _text(values, params.get("scope", ""), found, "scope", secret=False)
            if scope:
                found.value["scope"] = scope
        case "oauth2":
            found.notes.append("OAuth2 other than client credentials is not carried over")
        case _:
            found.notes.append(f"{kind[:40]} auth is not carried over")
    return found
