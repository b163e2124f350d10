"""Signing in and out (the web UI), who am I, users and API tokens (admins)."""

from __future__ import annotations

import math
from datetime import timedelta
from typing import Annotated

import structlog
from fastapi import APIRouter, HTTPException, Path, Request, Response, status
from fastapi.responses import JSONResponse

from mv_gateway.core.bodies import ParsedBodyRoute
from mv_gateway.core.deps import SessionDep, SettingsDep
from mv_gateway.core.errors import ConflictError, FieldError, NotFoundError
from mv_gateway.core.text import printable

from .guard import CSRF_COOKIE, PUBLIC, SESSION_COOKIE, Admin, Reader, csrf_token_for
from .limits import AttemptLimiter, Backoff, address_key
from .passwords import WeakPassword, check_strength
from .principal import Principal
from .roles import GRANTS
from .schemas import (
    LoginRequest,
    Me,
    TokenCreate,
    TokenCreated,
    TokenRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from .store import Accounts, AuditLog
from .usage import TokenUsage

router = APIRouter(prefix="/auth", tags=["Access"], route_class=ParsedBodyRoute)
log = structlog.get_logger(__name__)

RowId = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _me(principal: Principal, csrf: str | None = None) -> Me:
    return Me(
        name=principal.name,
        kind=principal.kind,
        role=principal.role,
        permissions=sorted(GRANTS[principal.role]),
        csrf_token=csrf,
    )


def _client(request: Request) -> str:
    """The client's address: the socket's peer, or behind TRUSTED_PROXIES the one they name."""
    return request.client.host if request.client else "unknown"


def _too_many(wait: float) -> HTTPException:
    return HTTPException(
        status.HTTP_429_TOO_MANY_REQUESTS,
        "too many failed sign-ins; try again later",
        headers={"Retry-After": str(max(1, math.ceil(wait)))},
    )


@router.post("/login", response_model=Me, dependencies=[PUBLIC], responses={401: {}, 429: {}})
async def login(
    body: LoginRequest, request: Request, response: Response, session: SessionDep,
    settings: SettingsDep,
) -> Me | JSONResponse:  # fmt: skip
    """Sign in: sets the HttpOnly session cookie and the readable CSRF cookie. Failed attempts
    are limited per client address, and a user's wrong passwords slow down that user's next
    attempts from the same address (429 with Retry-After); see mv_gateway.auth.limits."""
    limiter: AttemptLimiter = request.app.state.login_limiter
    backoff: Backoff = request.app.state.login_backoff
    address = address_key(_client(request))
    pair = f"{body.username.lower()}\n{address}"
    wait = max(limiter.retry_after(address) or 0, backoff.retry_after(pair) or 0)
    if wait > 0:
        # Not audited: refusals cost nothing to send, so they would flood the log.
        log.info("login refused", address=address, retry_after=round(wait, 1))
        raise _too_many(wait)
    # Counted as failed before the (slow) password check, so parallel guesses cannot all slip
    # through before the first one fails; a success takes it back.
    limiter.failed(address)
    backoff.begin(pair)
    accounts = Accounts(session)
    user, reason = await accounts.sign_in(body.username, body.password)
    if user is None:
        backoff.failed(pair)
        detail = {"address": _client(request), "reason": reason}
        await AuditLog(session).record(
            "anonymous", "login_failed", printable(body.username)[:200], detail
        )
        # Answered, not raised: an exception would roll the audit entry back.
        return JSONResponse({"detail": "wrong user name or password"}, status.HTTP_401_UNAUTHORIZED)
    limiter.take_back(address)  # its earlier failures stay: one account must not reset them
    backoff.succeeded(pair)
    secret, expires = await accounts.open_session(user, timedelta(hours=settings.session_hours))
    principal = await accounts.by_session(secret)
    assert principal is not None
    await AuditLog(session).record(principal, "login", None, {"address": _client(request)})
    secure = settings.secure_cookies == "always" or (
        settings.secure_cookies == "auto" and request.url.scheme == "https"
    )
    csrf = csrf_token_for(secret)
    for name, value, http_only in ((SESSION_COOKIE, secret, True), (CSRF_COOKIE, csrf, False)):
        response.set_cookie(
            name, value, expires=expires, path="/", secure=secure, httponly=http_only,
            samesite="strict",
        )  # fmt: skip
    return _me(principal, csrf)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(request: Request, principal: Reader, session: SessionDep) -> Response:
    """End this browser's login (a token is revoked with DELETE /auth/tokens/{id} instead)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if principal.by_cookie and cookie:
        await Accounts(session).close_session(cookie)
        await AuditLog(session).record(principal, "logout")
    answer = Response(status_code=status.HTTP_204_NO_CONTENT)
    answer.delete_cookie(SESSION_COOKIE, path="/")
    answer.delete_cookie(CSRF_COOKIE, path="/")
    return answer


@router.get("/me", response_model=Me)
async def me(request: Request, principal: Reader) -> Me:
    """Who the request is signed in as, what the role permits, and (cookie) the CSRF token."""
    cookie = request.cookies.get(SESSION_COOKIE)
    return _me(principal, csrf_token_for(cookie) if principal.by_cookie and cookie else None)


@router.get("/users", response_model=list[UserRead])
async def list_users(_admin: Admin, session: SessionDep) -> list[UserRead]:
    return [UserRead.model_validate(u) for u in await Accounts(session).users()]


def _strong(password: str, username: str, *loc: str) -> str:
    try:
        check_strength(password, username)
    except WeakPassword as weak:
        raise FieldError(*loc, message=str(weak)) from None
    return password


@router.post(
    "/users", response_model=UserRead, status_code=status.HTTP_201_CREATED, responses={409: {}}
)
async def create_user(body: UserCreate, admin: Admin, session: SessionDep) -> UserRead:
    accounts = Accounts(session)
    if await accounts.user(body.username) is not None:
        raise ConflictError(f"user {body.username} exists")
    user = await accounts.add_user(
        body.username, _strong(body.password, body.username, "password"), body.role
    )
    await AuditLog(session).record(admin, "create_user", body.username, {"role": body.role})
    return UserRead.model_validate(user)


@router.patch("/users/{user_id}", response_model=UserRead, responses={404: {}})
async def update_user(
    user_id: RowId, body: UserUpdate, admin: Admin, session: SessionDep
) -> UserRead:
    """Change a user's role, disable or enable them, or set a new password."""
    accounts = Accounts(session)
    user = next((u for u in await accounts.users() if u.id == user_id), None)
    if user is None:
        raise NotFoundError("user", user_id)
    changes = body.model_dump(exclude_none=True, exclude={"password"})
    if body.password is not None:
        await accounts.set_password(user, _strong(body.password, user.username, "password"))
        changes["password_changed"] = True
    if body.role is not None:
        user.role = body.role.value
    if body.disabled is not None:
        user.disabled = body.disabled
    await AuditLog(session).record(admin, "update_user", user.username, changes)
    return UserRead.model_validate(user)


def _token_read(token: object, usage: TokenUsage) -> TokenRead:
    read = TokenRead.model_validate(token, from_attributes=True)
    read.last_used_at = usage.last_used(read.id, read.last_used_at)
    return read


@router.post("/tokens", response_model=TokenCreated, status_code=status.HTTP_201_CREATED)
async def create_token(body: TokenCreate, admin: Admin, session: SessionDep) -> TokenCreated:
    """A new API token for scripts and CI; the answer is the only time its secret is shown."""
    token, secret = await Accounts(session).add_token(body.name, body.role, admin.actor)
    await AuditLog(session).record(admin, "create_token", body.name, {"role": body.role})
    return TokenCreated(id=token.id, name=token.name, role=body.role, token=secret)


@router.get("/tokens", response_model=list[TokenRead])
async def list_tokens(request: Request, _admin: Admin, session: SessionDep) -> list[TokenRead]:
    """Every token without its secret: a hint, the role, when made and last used."""
    usage: TokenUsage = request.app.state.token_usage
    return [_token_read(t, usage) for t in await Accounts(session).list_tokens()]


@router.delete("/tokens/{token_id}", status_code=status.HTTP_204_NO_CONTENT, responses={404: {}})
async def revoke_token(token_id: RowId, admin: Admin, session: SessionDep) -> Response:
    """Revoke a token: from this moment it answers 401."""
    token = await Accounts(session).revoke_token(token_id)
    if token is None:
        raise NotFoundError("token", token_id)
    await AuditLog(session).record(admin, "revoke_token", token.name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
