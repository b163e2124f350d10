"""Handling a bus message once: its envelope id is recorded with its effects.

Every feature's handlers name their durable consumers with :data:`SERVICE` and apply a message
through :func:`apply_once`; a redelivered message then changes nothing twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from mv_contracts import Envelope

from .database import Base, utcnow

SERVICE = "gateway"


class ProcessedMessage(Base):
    """Envelope ids already handled, so a redelivered message changes nothing twice."""

    __tablename__ = "processed_message"

    message_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    message_type: Mapped[str] = mapped_column(String(100))
    processed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProcessedMessages:
    """Claims envelope ids inside the caller's transaction: the claim commits with the effects."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def claim(self, message_id: str, message_type: str) -> bool:
        """True the first time an id is seen; False for a redelivery."""
        dialect = self.session.get_bind().dialect.name
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        statement = (
            insert(ProcessedMessage)
            .values(message_id=message_id, message_type=message_type)
            .on_conflict_do_nothing(index_elements=["message_id"])
        )
        result = await self.session.execute(statement)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def seen(self, message_id: str) -> bool:
        """Whether the message's effects are committed."""
        return await self.session.get(ProcessedMessage, message_id) is not None


async def apply_once(
    sessions: async_sessionmaker[AsyncSession],
    message: Envelope,
    apply: Callable[[AsyncSession], Awaitable[None]],
) -> bool:
    """Run ``apply`` and record the envelope id in one transaction.

    Returns False, changing nothing, when the id was already recorded (a redelivery). If
    ``apply`` raises, neither its effects nor the id are stored, so the redelivery retries.
    """
    async with sessions() as session, session.begin():
        if not await ProcessedMessages(session).claim(str(message.id), message.type):
            return False
        await apply(session)
    return True
