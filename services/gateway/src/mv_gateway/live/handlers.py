"""Feeding the live hub from the bus.

Live fan-out uses plain core-NATS subscriptions, so every gateway replica sees every message and
serves its own clients. (Storing the pods' resources is the history's, through the durable
consumer: :mod:`mv_gateway.history.resources`.)
"""

from __future__ import annotations

from faststream.nats import NatsBroker

from mv_contracts.metrics import LiveSnapshotEvent
from mv_contracts.pods import PodResourcesEvent
from mv_contracts.runs import TestFinishedEvent
from mv_contracts.subjects import LIVE_METRICS, POD_RESOURCES, TEST_FINISHED

from .hub import LiveHub
from .messages import end_message, k6_message, resources_message


def register(broker: NatsBroker, hub: LiveHub) -> None:
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
