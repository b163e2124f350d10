"""Commands written with what they are about, then relayed to JetStream: a command is either
durably accepted or refused, never both.

A route adds the command to the outbox in the transaction that stores its test or analysis,
commits, then tries to publish it at once (:meth:`Outbox.send`). If NATS is away the answer is
still "accepted": the row waits and :meth:`Outbox.run` (a task of the app) publishes it once
NATS is back. Every publish carries the envelope id as ``Nats-Msg-Id``, so the copies NATS's
client buffered while disconnected, a retry after a lost acknowledgement, and two replicas
relaying the same row are stored once by JetStream (inside its duplicate window; the
consumers are idempotent beyond it). A sent row is deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime

import structlog
from faststream.nats import NatsBroker
from sqlalchemy import String, Text, delete, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from mv_contracts import Envelope
from mv_contracts.subjects import ALL_SUBJECTS, Subject
from mv_runtime.bus import Bus

from .database import Base, utcnow

log = structlog.get_logger()

SUBJECTS = {s.name: s for s in ALL_SUBJECTS}
# Turns a stored command into what is published (e.g. a large upload moved to the object store).
Prepare = Callable[[Envelope], Awaitable[Envelope]]


class OutboxMessage(Base):
    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(36), unique=True)
    subject: Mapped[str] = mapped_column(String(200))
    envelope: Mapped[str] = mapped_column(Text, doc="The envelope's JSON")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Outbox:
    """The outbox of one app: add commands in a transaction, send them, relay what is left."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        broker: NatsBroker,
        *,
        prepare: Mapping[str, Prepare] | None = None,
        publish_timeout: float = 3.0,
        poll_seconds: float = 1.0,
    ) -> None:
        self.sessions = sessions
        self.broker = broker
        self.prepare = dict(prepare or {})
        self.publish_timeout = publish_timeout
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()

    @staticmethod
    async def add(session: AsyncSession, subject: Subject, message: Envelope) -> OutboxMessage:
        """The command, in the caller's transaction: it commits with what it is about."""
        if not isinstance(message, subject.message) or subject.transport != "jetstream":
            raise TypeError(f"{subject.name} does not carry {message!r} on JetStream")
        row = OutboxMessage(
            message_id=str(message.id), subject=subject.name, envelope=message.model_dump_json()
        )
        session.add(row)
        await session.flush()
        return row

    async def send(self, session: AsyncSession, row: OutboxMessage) -> bool:
        """Publish a committed row now; True when JetStream has it (the row is then deleted in
        ``session``), False when it is left for the relay."""
        if await self._publish(row):
            await session.execute(delete(OutboxMessage).where(OutboxMessage.id == row.id))
            return True
        self._wake.set()
        return False

    def wake(self) -> None:
        """Relay now: a transaction has just committed commands."""
        self._wake.set()

    async def relay(self) -> int:
        """Publish every waiting row, oldest first; how many were sent. Stops at the first one
        NATS does not take (the rest would fail alike)."""
        async with self.sessions() as session:
            rows = (
                await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id).limit(100))
            ).all()
        sent = 0
        for row in rows:
            if not await self._publish(row):
                break
            async with self.sessions() as session, session.begin():
                await session.execute(delete(OutboxMessage).where(OutboxMessage.id == row.id))
            sent += 1
        return sent

    async def pending(self) -> int:
        async with self.sessions() as session:
            return len((await session.scalars(select(OutboxMessage.id))).all())

    async def run(self) -> None:
        """Relay for ever: at once when :meth:`send` left a row, else every ``poll_seconds``
        (rows another replica or a crashed request left)."""
        while True:
            try:
                await self.relay()
            except Exception as error:  # the database away: try again next round
                log.warning("outbox relay failed", error=str(error))
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.poll_seconds):
                    await self._wake.wait()
            self._wake.clear()

    async def _publish(self, row: OutboxMessage) -> bool:
        subject = SUBJECTS[row.subject]
        try:
            message = subject.message.model_validate_json(row.envelope)
            async with asyncio.timeout(self.publish_timeout):
                if (prepare := self.prepare.get(row.subject)) is not None:
                    message = await prepare(message)
                await Bus(self.broker, attempts=1).publish(subject, message)
        except Exception as error:
            log.info(
                "command kept in the outbox", subject=row.subject, id=row.message_id,
                error=repr(error),
            )  # fmt: skip
            return False
        return True
