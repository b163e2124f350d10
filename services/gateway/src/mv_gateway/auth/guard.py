"""The FastAPI dependencies every route declares: who is asking, and may they.

``Depends(require(Permission.X))`` answers 401 without a valid credential, 403 when the role
lacks the permission, and 403 for a write authenticated by the session cookie that does not
repeat the CSRF token in ``X-CSRF-Token`` (double submit: a browser page of another site can
make the browser send the cookie, but cannot read the readable CSRF cookie to copy it).
``Depends(public)`` marks the few routes open to anyone, so that every route says which it is.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.core.deps import get_session

from . import tokens
from .principal import Principal
from .roles import Permission
from .store import Accounts
from .usage import TokenUsage

SESSION_COOKIE = "mv_session"
CSRF_COOKIE = "mv_csrf"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(auto_error=False, description="An API token: Authorization: Bearer mvt_…")
session_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="The web UI's login (POST /auth/login)"
)


def csrf_token_for(session_secret: str) -> str:
    """The CSRF token of a login: derived from its secret, so it needs no storage of its own
    and a cookie planted by another site (without the secret) cannot match."""
    return tokens.digest("csrf:" + session_secret)


async def identify(
    accounts: Accounts, authorization: str | None, cookie: str | None
) -> Principal | None:
    """The principal of a bearer token or, without one, of a session cookie."""
    if authorization:
        return await accounts.by_token(authorization)
    if cookie:
        return await accounts.by_session(cookie)
    return None


def _unauthenticated() -> HTTPException:
    return HTTPException(
        status.HTTP_401_UNAUTHORIZED,
        "sign in (POST /auth/login) or send an API token: Authorization: Bearer mvt_…",
        headers={"WWW-Authenticate": "Bearer"},
    )


async def current_principal(
    request: Request,
    # Its own session, closed when the route returns, so a streaming answer holds none.
    session: Annotated[AsyncSession, Depends(get_session, scope="function")],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    cookie: Annotated[str | None, Depends(session_cookie)],
) -> Principal:
    principal = await identify(
        Accounts(session), credentials.credentials if credentials else None, cookie
    )
    if principal is None:
        raise _unauthenticated()
    if principal.kind == "token":
        usage: TokenUsage = request.app.state.token_usage
        usage.used(principal.id)
    if principal.by_cookie and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER, "")
        if not (cookie and tokens.same(sent, csrf_token_for(cookie))):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"a write signed in by cookie must send the {CSRF_COOKIE} cookie's value "
                f"in the {CSRF_HEADER} header",
            )
    return principal


Guard = Callable[[Principal], Awaitable[Principal]]


def _guard(permission: Permission) -> Guard:
    async def guard(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if not principal.may(permission):
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                f"the {principal.role.value} role may not do this: it needs {permission.value}",
            )
        return principal

    guard.__name__ = f"require_{permission.value}"
    guard.permission = permission  # type: ignore[attr-defined]  # read by the route-table test
    return guard


# One callable per permission, so FastAPI runs it once per request however often it is named.
_GUARDS = {permission: _guard(permission) for permission in Permission}


def require(permission: Permission) -> Guard:
    return _GUARDS[permission]


async def public() -> None:
    """Declared by the routes anyone may call (readiness, liveness, login)."""


Reader = Annotated[Principal, Depends(require(Permission.READ))]
Tester = Annotated[Principal, Depends(require(Permission.TEST))]
Admin = Annotated[Principal, Depends(require(Permission.ADMIN))]
READ = Depends(require(Permission.READ))
TEST = Depends(require(Permission.TEST))
ADMIN = Depends(require(Permission.ADMIN))
PUBLIC = Depends(public)
