"""The gateway's side of the bus: handlers that store what other services publish.

Each domain adds a module with a ``register(broker, sessions)`` function and lists it in
:func:`register_handlers`; every handler applies its message through :func:`apply_once`.
"""

from __future__ import annotations

from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

SERVICE = "gateway"


def register_handlers(broker: NatsBroker, sessions: async_sessionmaker[AsyncSession]) -> None:
    """Subscribe the gateway's handlers; later domains append their ``register`` calls here."""
    from . import (
        discovery,
        metrics,  # the domain modules import SERVICE from here
        runs,
        specs,
    )

    discovery.register(broker, sessions)
    metrics.register(broker, sessions)
    runs.register(broker, sessions)
    specs.register(broker, sessions)
