"""When each API token was last used, noted in memory and written every half minute.

Writing ``last_used_at`` on every request would make each read a write, and a token used by a
long SSE stream would hold SQLite's write lock for the stream's life; a token's last use to the
half minute is all a listing needs.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import structlog
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_gateway.core.database import utcnow

from .store import Accounts

log = structlog.get_logger()


class TokenUsage:
    def __init__(self) -> None:
        self._pending: dict[int, datetime] = {}

    def used(self, token_id: int) -> None:
        self._pending[token_id] = utcnow()

    def last_used(self, token_id: int, stored: datetime | None) -> datetime | None:
        noted = self._pending.get(token_id)
        if noted is None or (stored is not None and stored > noted):
            return stored
        return noted

    async def flush(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            async with sessions() as session, session.begin():
                await Accounts(session).touch_tokens(pending)
        except Exception as error:  # kept for the next round
            for token_id, at in pending.items():
                self._pending.setdefault(token_id, at)
            log.warning("token usage not stored", error=str(error))

    async def keep_flushing(
        self, sessions: async_sessionmaker[AsyncSession], every: float = 30
    ) -> None:
        try:
            while True:
                await asyncio.sleep(every)
                await self.flush(sessions)
        finally:
            await asyncio.shield(self.flush(sessions))
