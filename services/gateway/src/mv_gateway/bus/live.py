"""Feeding the live hub from the bus, and storing the pods' resource time series.

Live fan-out uses plain core-NATS subscriptions, so every gateway replica sees every message and
serves its own clients; storing uses the durable consumer, so one replica stores each snapshot.
"""

from __future__ import annotations

from faststream.nats import NatsBroker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from mv_contracts.metrics import LiveSnapshotEvent
from mv_contracts.pods import PodResourcesEvent, PodResourcesSnapshot
from mv_contracts.runs import TestFinishedEvent
from mv_contracts.subjects import LIVE_METRICS, POD_RESOURCES, TEST_FINISHED
from mv_gateway.db.models import TestHistory, TestResourceTimeseries
from mv_gateway.live.hub import LiveHub
from mv_gateway.live.messages import end_message, k6_message, resources_message
from mv_runtime.bus import subscribe

from . import SERVICE
from .idempotent import apply_once


async def store_pod_resources(session: AsyncSession, snapshot: PodResourcesSnapshot) -> int:
    """One row per pod and running test; returns how many rows were written."""
    if not snapshot.test_ids or not snapshot.pods:
        return 0
    tests = await session.scalars(
        select(TestHistory).where(TestHistory.test_id.in_(snapshot.test_ids))
    )
    rows = [
        TestResourceTimeseries(
            test_history_id=test.id,
            timestamp=snapshot.at,
            namespace=pod.namespace,
            pod_name=pod.pod,
            cpu_usage_millicores=pod.cpu_usage_millicores,
            memory_usage_mb=pod.memory_usage_mb,
            cpu_request_millicores=pod.cpu_request_millicores,
            cpu_limit_millicores=pod.cpu_limit_millicores,
            memory_request_mb=pod.memory_request_mb,
            memory_limit_mb=pod.memory_limit_mb,
            cpu_percent=pod.cpu_percent,
            memory_percent=pod.memory_percent,
        )
        for test in tests
        for pod in snapshot.pods
    ]
    session.add_all(rows)
    return len(rows)


def register(broker: NatsBroker, sessions: async_sessionmaker[AsyncSession], hub: LiveHub) -> None:
    @subscribe(broker, SERVICE, POD_RESOURCES)
    async def store_resources(event: PodResourcesEvent) -> None:
        async def apply(session: AsyncSession) -> None:
            await store_pod_resources(session, event.payload)

        await apply_once(sessions, event, apply)

    @broker.subscriber(POD_RESOURCES.name, title="gateway-live:pods")
    async def stream_resources(event: PodResourcesEvent) -> None:
        hub.publish(resources_message(event.payload))

    @broker.subscriber(LIVE_METRICS.name, title="gateway-live:k6")
    async def stream_k6(event: LiveSnapshotEvent) -> None:
        hub.publish(k6_message(event.payload))

    @broker.subscriber(TEST_FINISHED.name, title="gateway-live:finished")
    async def stream_end(event: TestFinishedEvent) -> None:
        finished = event.payload
        hub.publish(
            end_message(finished.test_id, finished.finished_at, finished.status, finished.reason)
        )
