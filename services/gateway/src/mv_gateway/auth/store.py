"""Reading and writing users, login sessions, API tokens, the audit log and editable settings,
in the caller's session (and so its transaction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from mv_gateway.core.database import utcnow
from mv_gateway.core.text import printable

from . import tokens
from .passwords import DUMMY_HASH, hash_password, needs_rehash, verify_password
from .principal import Principal
from .roles import Role
from .tables import ApiToken, AuditEntry, GatewaySetting, LoginSession, User


class Accounts:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def any_user(self) -> bool:
        return bool(await self.session.scalar(select(func.count()).select_from(User)))

    async def user(self, username: str) -> User | None:
        found: User | None = await self.session.scalar(
            select(User).where(User.username == username)
        )
        return found

    async def users(self) -> Sequence[User]:
        return (await self.session.scalars(select(User).order_by(User.id))).all()

    async def add_user(self, username: str, password: str, role: Role) -> User:
        """``password`` must have passed :func:`.passwords.check_strength`."""
        user = User(username=username, password_hash=hash_password(password), role=role.value)
        self.session.add(user)
        await self.session.flush()
        return user

    async def set_password(self, user: User, password: str) -> None:
        """A new password ends every login of the user."""
        user.password_hash = hash_password(password)
        await self.session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))

    async def check_password(self, username: str, password: str) -> User | None:
        """The enabled user with this password, else None, in about the same time either way."""
        user, _ = await self.sign_in(username, password)
        return user

    async def sign_in(self, username: str, password: str) -> tuple[User | None, str]:
        """The enabled user with this password and "", else None and why not (for the audit
        log only: the client is told the same either way, in about the same time)."""
        # A name no user can have (NUL, say) is not looked up: PostgreSQL refuses such text.
        user = await self.user(username) if printable(username) == username else None
        if user is None:
            verify_password(DUMMY_HASH, password)
            return None, "unknown user"
        if not verify_password(user.password_hash, password):
            return None, "wrong password"
        if user.disabled:
            return None, "user disabled"
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        return user, ""

    async def open_session(self, user: User, lifetime: timedelta) -> tuple[str, datetime]:
        """A new login of ``user``: the cookie's secret (stored only as its digest), its end."""
        secret = tokens.new_secret(tokens.SESSION_PREFIX)
        expires = utcnow() + lifetime
        self.session.add(
            LoginSession(digest=tokens.digest(secret), user_id=user.id, expires_at=expires)
        )
        # A login is a good moment to forget the expired ones.
        await self.session.execute(delete(LoginSession).where(LoginSession.expires_at < utcnow()))
        return secret, expires

    async def close_session(self, secret: str) -> None:
        await self.session.execute(
            delete(LoginSession).where(LoginSession.digest == tokens.digest(secret))
        )

    async def by_session(self, secret: str) -> Principal | None:
        row = (
            await self.session.execute(
                select(User)
                .join(LoginSession, LoginSession.user_id == User.id)
                .where(LoginSession.digest == tokens.digest(secret))
                .where(LoginSession.expires_at > utcnow())
                .where(User.disabled.is_(False))
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        return Principal("user", row.id, row.username, Role(row.role), by_cookie=True)

    async def add_token(
        self, name: str, role: Role, created_by: str | None, secret: str | None = None
    ) -> tuple[ApiToken, str]:
        """A new token and its secret (shown once); ``secret`` given registers that one."""
        secret = secret or tokens.new_secret(tokens.TOKEN_PREFIX)
        token = ApiToken(
            name=name,
            digest=tokens.digest(secret),
            hint=tokens.hint(secret),
            role=role.value,
            created_by=created_by,
        )
        self.session.add(token)
        await self.session.flush()
        return token, secret

    async def has_token(self, secret: str) -> bool:
        return await self._token(secret) is not None

    async def _token(self, secret: str) -> ApiToken | None:
        found: ApiToken | None = await self.session.scalar(
            select(ApiToken).where(ApiToken.digest == tokens.digest(secret))
        )
        return found

    async def by_token(self, secret: str) -> Principal | None:
        token = await self._token(secret)
        if token is None:
            return None
        return Principal("token", token.id, token.name, Role(token.role))

    async def list_tokens(self) -> Sequence[ApiToken]:
        return (await self.session.scalars(select(ApiToken).order_by(ApiToken.id))).all()

    async def revoke_token(self, token_id: int) -> ApiToken | None:
        token = await self.session.get(ApiToken, token_id)
        if token is not None:
            await self.session.delete(token)
            await self.session.flush()
        return token

    async def touch_tokens(self, used: dict[int, datetime]) -> None:
        for token_id, at in used.items():
            token = await self.session.get(ApiToken, token_id)
            if token is not None and (token.last_used_at is None or token.last_used_at < at):
                token.last_used_at = at


class AuditLog:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        actor: Principal | str,
        action: str,
        target: str | None = None,
        detail: dict[str, Any] | None = None,
    ) -> None:
        name = actor.actor if isinstance(actor, Principal) else actor
        self.session.add(AuditEntry(actor=name, action=action, target=target, detail=detail))
        await self.session.flush()

    async def entries(
        self, offset: int, limit: int, actor: str | None = None, action: str | None = None
    ) -> Sequence[AuditEntry]:
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).offset(offset).limit(limit)
        if actor:
            query = query.where(AuditEntry.actor == actor)
        if action:
            query = query.where(AuditEntry.action == action)
        return (await self.session.scalars(query)).all()


class EditableSettings:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, key: str) -> Any | None:
        row = await self.session.get(GatewaySetting, key)
        return None if row is None else row.value

    async def put(self, key: str, value: Any, by: str) -> None:
        row = await self.session.get(GatewaySetting, key)
        if row is None:
            self.session.add(GatewaySetting(key=key, value=value, updated_by=by))
        else:
            row.value, row.updated_by = value, by
        await self.session.flush()
