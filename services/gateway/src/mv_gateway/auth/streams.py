"""Live streams live no longer than their credential, and a credential holds only so many.

An SSE or WebSocket stream is signed in once, when it opens, and may stay open for hours; a
token deleted, a login ended or expired, a user disabled must end it too. :func:`watch`
re-reads the credential every ``STREAM_RECHECK_SECONDS`` and returns why it no longer holds;
the live routes then end the stream with that reason. :class:`StreamSlots` caps the streams
one credential holds open (``MAX_STREAMS_PER_CREDENTIAL``).
"""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass

import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from mv_gateway.core.database import utcnow

from . import tokens
from .guard import SESSION_COOKIE
from .roles import Permission, Role, allows
from .tables import ApiToken, LoginSession, User

log = structlog.get_logger()


@dataclass(frozen=True, slots=True)
class Credential:
    """What signed a stream in: an API token or a login's cookie (never both)."""

    token: str | None = None
    cookie: str | None = None

    @property
    def key(self) -> str:
        """Names the credential without holding its secret (for the per-credential cap)."""
        return tokens.digest(self.token or self.cookie or "")


def credential_of(connection: HTTPConnection) -> Credential:
    """The credential of a request the guard accepted: the bearer token wins over the cookie,
    as in :func:`.guard.identify`."""
    scheme, _, value = connection.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return Credential(token=value.strip())
    return Credential(cookie=connection.cookies.get(SESSION_COOKIE))


@dataclass(frozen=True, slots=True)
class Ended:
    """Why a stream's credential no longer holds: a short code and a sentence."""

    code: str  # revoked, expired, disabled, forbidden
    detail: str


async def check(
    session: AsyncSession, credential: Credential, permission: Permission
) -> Ended | None:
    """None while ``credential`` still grants ``permission``, else why not."""
    if credential.token is not None:
        token = await session.scalar(
            select(ApiToken).where(ApiToken.digest == tokens.digest(credential.token))
        )
        if token is None:
            return Ended("revoked", "the API token was revoked")
        return _forbidden(Role(token.role), permission)
    found = (
        await session.execute(
            select(User, LoginSession.expires_at > utcnow())
            .join(LoginSession, LoginSession.user_id == User.id)
            .where(LoginSession.digest == tokens.digest(credential.cookie or ""))
        )
    ).first()
    if found is None:
        return Ended("revoked", "the login was ended (signed out, or the password changed)")
    user, current = found
    if user.disabled:
        return Ended("disabled", f"the user {user.username} was disabled")
    if not current:
        return Ended("expired", "the login expired: sign in again")
    return _forbidden(Role(user.role), permission)


def _forbidden(role: Role, permission: Permission) -> Ended | None:
    if allows(role, permission):
        return None
    return Ended("forbidden", f"the {role.value} role may no longer {permission.value}")


async def watch(
    sessions: async_sessionmaker[AsyncSession],
    credential: Credential,
    permission: Permission,
    every: float,
) -> Ended:
    """Returns once ``credential`` no longer grants ``permission``, checking every ``every``
    seconds. A check that fails (the database away) keeps the stream: the next one decides."""
    while True:
        await asyncio.sleep(every)
        try:
            async with sessions() as session:
                ended = await check(session, credential, permission)
        except Exception as error:
            log.warning("stream credential not checked", error=str(error))
            continue
        if ended is not None:
            return ended


class Slot:
    """Held by an open stream; the stream's slot is free once nothing refers to it."""


class StreamSlots:
    """At most ``per_credential`` streams open per credential. Slots are weakly held, so one
    cannot leak: a stream that ends, however it ends, drops its slot with its frame."""

    def __init__(self, per_credential: int) -> None:
        self.per_credential = per_credential
        self._held: dict[str, weakref.WeakSet[Slot]] = {}

    def take(self, credential: Credential) -> Slot | None:
        if len(self._held) > 1000:  # forget the credentials with no stream left
            self._held = {key: held for key, held in self._held.items() if held}
        held = self._held.setdefault(credential.key, weakref.WeakSet())
        if len(held) >= self.per_credential:
            return None
        slot = Slot()
        held.add(slot)
        return slot

    def open(self, credential: Credential) -> int:
        return len(self._held.get(credential.key, ()))
