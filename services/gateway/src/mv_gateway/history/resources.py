"""The pods' resources during a test, kept as a time series of the test.

Stored through the durable consumer, so one gateway replica stores each snapshot; the live
fan-out of the same subject is :mod:`mv_gateway.live.handlers`.
"""

from __future__ import annotations

from faststream.nats import NatsBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.pods import PodResourcesEvent, PodResourcesSnapshot
from mv_contracts.subjects import POD_RESOURCES
from mv_gateway.core.once import SERVICE, apply_once
from mv_runtime.bus import subscribe

from .records import TestRuns


async def store_pod_resources(session: AsyncSession, snapshot: PodResourcesSnapshot) -> int:
    """One row per pod and running test; returns how many rows were written."""
    return await TestRuns(session).add_pod_resources(snapshot)


def register(broker: NatsBroker, sessions: async_sessionmaker[AsyncSession]) -> None:
    @subscribe(broker, SERVICE, POD_RESOURCES)
    async def store_resources(event: PodResourcesEvent) -> None:
        async def apply(session: AsyncSession) -> None:
            await store_pod_resources(session, event.payload)

        await apply_once(sessions, event, apply)
