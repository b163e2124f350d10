"""Applying a message's effects exactly once, however often JetStream delivers it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts import Envelope
from mv_gateway.db.repositories import ProcessedMessages


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
