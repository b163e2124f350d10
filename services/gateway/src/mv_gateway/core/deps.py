"""Dependencies handed to routes: a session per request (committed on success, before the answer
is sent), the session factory, the settings and the bus."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_runtime.bus import Bus

from .outbox import Outbox
from .settings import Settings


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_sessions(request: Request) -> async_sessionmaker[AsyncSession]:
    factory: async_sessionmaker[AsyncSession] = request.app.state.session_factory
    return factory


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The request's session; it commits when the route returns and rolls back when it raises.

    Used with ``scope="function"`` (see :data:`SessionDep`): FastAPI otherwise runs the code
    after ``yield`` once the response has been sent, so a client acting on a 201 at once could
    find nothing (3-27 % of follow-ups on SQLite, ~0.5 % on PostgreSQL). A route may also commit
    itself part-way (before publishing what it stored) and go on in a new transaction."""
    async with get_sessions(request)() as session:
        yield session
        await session.commit()


def get_broker(request: Request) -> NatsBroker:
    broker: NatsBroker = request.app.state.broker
    return broker


def get_outbox(request: Request) -> Outbox:
    outbox: Outbox = request.app.state.outbox
    return outbox


def get_bus(request: Request) -> Bus:
    return Bus(get_broker(request))


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
SessionsDep = Annotated[async_sessionmaker[AsyncSession], Depends(get_sessions)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
BrokerDep = Annotated[NatsBroker, Depends(get_broker)]
BusDep = Annotated[Bus, Depends(get_bus)]
OutboxDep = Annotated[Outbox, Depends(get_outbox)]
