"""The first admin: from the settings at start-up, or ``python -m mv_gateway create-admin``.

There is no default account and no default password: without GATEWAY_ADMIN_PASSWORD (or the
command) the gateway starts with no user, and only an API token from the settings gets in.
"""

from __future__ import annotations

import structlog
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_gateway.core.settings import Settings

from .passwords import WeakPassword, check_strength
from .roles import Role
from .store import Accounts, AuditLog
from .tokens import TOKEN_PREFIX

log = structlog.get_logger()

# Passwords of examples and other products' defaults: refused even when long enough.
KNOWN_WEAK = frozenset(
    {"changeme-now", "password1234", "administrator", "admin-password", "metricvault123",
     "change-me-please", "correct horse battery staple", "letmeinletmein", "123456789012"}
)  # fmt: skip


class BadAdminSetting(ValueError):
    pass


def check_admin_password(password: str, username: str) -> None:
    if password.lower() in KNOWN_WEAK:
        raise WeakPassword("a well-known password; choose another")
    check_strength(password, username)


async def create_admin(session: AsyncSession, username: str, password: str) -> bool:
    """Add an admin unless that user exists; True when added."""
    check_admin_password(password, username)
    accounts = Accounts(session)
    if await accounts.user(username) is not None:
        return False
    await accounts.add_user(username, password, Role.ADMIN)
    await AuditLog(session).record("system", "create_user", username, {"role": Role.ADMIN})
    return True


async def bootstrap(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    """At start-up: the settings' first admin when there is no user yet, and the settings'
    admin token when it is not registered yet. A weak password stops the start."""
    try:
        await _bootstrap(sessions, settings)
    except IntegrityError:
        # Replicas starting together: another one made the same admin or token first.
        log.info("first admin or settings token made by another replica")


async def _bootstrap(sessions: async_sessionmaker[AsyncSession], settings: Settings) -> None:
    async with sessions() as session, session.begin():
        accounts = Accounts(session)
        password = settings.gateway_admin_password
        if password is not None and not await accounts.any_user():
            try:
                await create_admin(
                    session, settings.gateway_admin_username, password.get_secret_value()
                )
            except WeakPassword as weak:
                raise BadAdminSetting(f"GATEWAY_ADMIN_PASSWORD refused: {weak}") from None
            log.info("first admin created", username=settings.gateway_admin_username)
        token = settings.gateway_admin_token
        if token is not None:
            secret = token.get_secret_value()
            if not secret.startswith(TOKEN_PREFIX) or len(secret) < len(TOKEN_PREFIX) + 32:
                raise BadAdminSetting(
                    f"GATEWAY_ADMIN_TOKEN must be {TOKEN_PREFIX} and at least 32 random characters"
                )
            if not await accounts.has_token(secret):
                await accounts.add_token("admin (from settings)", Role.ADMIN, "system", secret)
                log.info("admin token from the settings registered")
