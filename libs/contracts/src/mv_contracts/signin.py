"""How a scenario signs in to the API it loads: one way for all its requests.

- ``bearer``: ``Authorization: Bearer <token>``.
- ``api_key``: a key in a header, a query parameter or a cookie.
- ``basic``: HTTP basic, a user name and a password.
- ``oauth2_client_credentials``: a token from ``token_url`` (OAuth2 client credentials, the
  client id and secret in HTTP basic), taken by each VU before its first iteration and again
  shortly before the ``expires_in`` of its answer; sent as ``Authorization: Bearer``, and
  ``{{token}}`` in the steps.
- ``oauth2_password``: the same, by the resource owner password grant (``username`` and
  ``password``); the client authenticates in HTTP basic when it has a secret, else by its
  ``client_id`` in the form.
- ``login``: a request of the project (its own secret fields marked as any request's) whose
  answer holds a token (a JSON path, a header or a pattern); each VU signs in before its first
  iteration and again once the token is ``refresh_seconds`` old, and sends it in ``header`` after
  ``prefix``. Its requests are tagged with the step name ``login``.

Every value that signs in (token, key, password, client secret) is a secret: it reaches k6
through its environment only, and is sealed and masked as any marked field is.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, HttpUrl

from .calls import EndpointCall, HeaderName, HeaderValue
from .common import DbId, Name, Text
from .envelope import Contract
from .journeys import Extraction

LOGIN_STEP = "login"
TOKEN_VARIABLE = "token"  # noqa: S105 -- a variable's name, not a secret


class BearerSignIn(Contract):
    kind: Literal["bearer"] = "bearer"
    token: HeaderValue = Field(min_length=1, max_length=8000, description="Secret")


class KeyLocation(StrEnum):
    HEADER = "header"
    QUERY = "query"
    COOKIE = "cookie"


class ApiKeySignIn(Contract):
    kind: Literal["api_key"] = "api_key"
    location: KeyLocation
    name: HeaderName = Field(
        description="The header, query parameter or cookie", examples=["X-Api-Key"]
    )
    value: HeaderValue = Field(min_length=1, max_length=8000, description="Secret")


class BasicSignIn(Contract):
    kind: Literal["basic"] = "basic"
    username: Name
    password: Text = Field(max_length=1000, description="Secret")


class OAuth2SignIn(Contract):
    kind: Literal["oauth2_client_credentials"] = "oauth2_client_credentials"
    token_url: HttpUrl = Field(description="Must be an allowed target, as the base URL is")
    client_id: Name
    client_secret: Text = Field(min_length=1, max_length=2000, description="Secret")
    scope: Text | None = Field(default=None, max_length=1000)


class OAuth2PasswordSignIn(Contract):
    kind: Literal["oauth2_password"] = "oauth2_password"
    token_url: HttpUrl = Field(description="Must be an allowed target, as the base URL is")
    username: Name
    password: Text = Field(min_length=1, max_length=1000, description="Secret")
    client_id: Name
    client_secret: Text | None = Field(
        default=None, min_length=1, max_length=2000, description="Secret; none: a public client"
    )
    scope: Text | None = Field(default=None, max_length=1000)


class LoginSignIn(Contract):
    kind: Literal["login"] = "login"
    endpoint_id: DbId | None = None
    endpoint: EndpointCall
    token: Extraction = Field(
        description="Where the answer holds the token; its variable is ``token`` in later steps",
        examples=[{"variable": "token", "source": "json", "expression": "access_token"}],
    )
    header: HeaderName = "Authorization"
    prefix: HeaderValue = Field(default="Bearer ", max_length=100)
    refresh_seconds: float | None = Field(
        default=None, gt=0, le=86_400, description="Sign in again once the token is this old"
    )


SignIn = Annotated[
    BearerSignIn | ApiKeySignIn | BasicSignIn | OAuth2SignIn | OAuth2PasswordSignIn | LoginSignIn,
    Field(discriminator="kind"),
]

# A sign-in whose token comes from an OAuth2 token endpoint.
OAuth2Grant = OAuth2SignIn | OAuth2PasswordSignIn


def secret_fields(sign_in: SignIn) -> tuple[str, ...]:
    """The fields holding the sign-in's own secret values (an optional one may be None)."""
    return SIGN_IN_SECRETS.get(sign_in.kind, ())


# The fields of each sign-in kind that hold its secrets (a login's are its request's fields).
SIGN_IN_SECRETS: dict[str, tuple[str, ...]] = {
    "bearer": ("token",),
    "api_key": ("value",),
    "basic": ("password",),
    "oauth2_client_credentials": ("client_secret",),
    "oauth2_password": ("password", "client_secret"),
}
