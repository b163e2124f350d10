"""``Idempotency-Key``: the same key on the same route returns what its first request made.

The key is claimed in the transaction that stores what the request makes, so a request that
fails leaves no key behind, and two requests racing with one key store one thing: the second
waits on the first's row (a unique key) and then finds it.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Annotated, Any

from fastapi import Header
from sqlalchemy import String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from .database import Base, utcnow
from .errors import ConflictError

KeyHeader = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=255,
        description="Repeating a request with the same key returns the first one's result",
    ),
]


class IdempotencyKey(Base):
    __tablename__ = "idempotency_key"

    route: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), doc="sha256 of the request body")
    resource_id: Mapped[str] = mapped_column(String(64), doc="What the first request made")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class KeyReused(ConflictError):
    def __init__(self, key: str) -> None:
        super().__init__(f"Idempotency-Key {key!r} was used with a different request")


def fingerprint(body: Any) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


class IdempotencyKeys:
    def __init__(self, session: AsyncSession, route: str) -> None:
        self.session = session
        self.route = route

    async def made(self, key: str, body_fingerprint: str) -> str | None:
        """What an earlier request with this key made; :class:`KeyReused` for another body."""
        found = await self.session.get(IdempotencyKey, (self.route, key))
        if found is None:
            return None
        if found.fingerprint != body_fingerprint:
            raise KeyReused(key)
        return found.resource_id

    async def claim(self, key: str, body_fingerprint: str, resource_id: str) -> str | None:
        """Record the key for ``resource_id`` in the caller's transaction; None when claimed,
        else what the request that holds the key made (it committed first).

        It must be the transaction's first write: a clash rolls the whole transaction back. (A
        savepoint would not do on SQLite: pysqlite begins a transaction only at the first write,
        so a SAVEPOINT before it is the outermost, and releasing it commits the key alone.)"""
        self.session.add(
            IdempotencyKey(
                route=self.route, key=key, fingerprint=body_fingerprint, resource_id=resource_id
            )
        )
        try:
            await self.session.flush()
        except IntegrityError:
            await self.session.rollback()
            return await self.made(key, body_fingerprint)
        return None
