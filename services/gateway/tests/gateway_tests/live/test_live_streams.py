"""SSE and WebSocket clients of a real gateway (uvicorn, real NATS with JetStream, SQLite)
receive the live messages published on the bus to the test's summary, and the pods' series is
stored."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import httpx
import pytest
import websockets
from faststream.nats import NatsBroker
from sqlalchemy import select

from gateway_tests.conftest import (
    PATIENCE,
    LiveGateway,
    bearer,
    bearer_subprotocols,
    eventually,
    until_live_clients,
)
from mv_contracts.lifecycle import RunStatus, TestFinished, TestFinishedEvent
from mv_contracts.metrics import (
    LiveFigures,
    LiveSnapshot,
    LiveSnapshotEvent,
    MetricFigures,
    TestSummary,
    TestSummaryEvent,
)
from mv_contracts.pods import PodResources, PodResourcesEvent, PodResourcesSnapshot
from mv_contracts.subjects import LIVE_METRICS, POD_RESOURCES, TEST_FINISHED, TEST_SUMMARY
from mv_devstack.config import StackConfig
from mv_gateway.history.tables import TestHistory, TestResourceTimeseries
from mv_gateway.live.hub import LiveHub
from mv_gateway.projects.tables import Project
from mv_runtime.bus import Bus


def _snapshot(test_id: str, requests: int) -> LiveSnapshotEvent:
    figures = LiveFigures(
        tps=requests / 5, requests_total=requests, failed_total=1, error_rate=1 / requests,
        vus=4, response_time_avg=12.5, response_time_p95=30.0, response_time_p99=45.0,
    )  # fmt: skip
    return LiveSnapshotEvent(
        correlation_id=test_id,
        payload=LiveSnapshot(
            test_id=test_id, at=datetime.now(UTC), window_seconds=5, overall=figures
        ),
    )


def _pods(test_id: str) -> PodResourcesEvent:
    pod = PodResources(
        namespace="test", pod="demo-api-0", phase="Running", cpu_usage_millicores=150,
        cpu_request_millicores=250, cpu_limit_millicores=500, cpu_percent=30,
        memory_usage_mb=64, memory_limit_mb=256, memory_percent=25,
    )  # fmt: skip
    return PodResourcesEvent(
        correlation_id="test",
        payload=PodResourcesSnapshot(
            namespace="test", at=datetime.now(UTC), pods=[pod], test_ids=[test_id]
        ),
    )


async def _sse_events(
    url: str, token: str, headers: dict[str, str] | None = None
) -> list[dict[str, Any]]:
    """Read one SSE stream to its end, signed in with ``token``; each event as {id, event,
    data}."""
    events: list[dict[str, Any]] = []
    current: dict[str, Any] = {}
    async with (
        httpx.AsyncClient(timeout=30) as http,
        http.stream("GET", url, headers={**bearer(token), **(headers or {})}) as response,
    ):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        async for line in response.aiter_lines():
            if not line:
                if "data" in current:
                    events.append(current)
                current = {}
            elif not line.startswith(":"):
                field, _, value = line.partition(": ")
                current[field] = json.loads(value) if field == "data" else value
    return events


async def _until_published(hub: LiveHub, count: int) -> None:
    await eventually(lambda: hub.sequence >= count, f"{count} messages published")


async def _ws_messages(url: str, token: str) -> list[dict[str, Any]]:
    async with websockets.connect(url, subprotocols=bearer_subprotocols(token)) as socket:
        return [json.loads(frame) async for frame in socket]


async def test_sse_and_websocket_clients_follow_a_test_to_its_end(
    live_gateway: LiveGateway, stack: StackConfig
) -> None:
    base, app = live_gateway.base, live_gateway.app
    test_id = str(uuid4())
    async with app.state.session_factory() as session, session.begin():
        project = Project(title="live")
        session.add(project)
        await session.flush()
        session.add(TestHistory(test_id=test_id, project_id=project.id, title="실시간"))

    query = f"test_id={test_id}"
    sse_all = asyncio.create_task(_sse_events(f"{base}/sse/k6-data?{query}", live_gateway.token))
    sse_pods = asyncio.create_task(
        _sse_events(
            f"{base}/sse/k6-data?{query}&include=resources_only&named=true", live_gateway.token
        )
    )
    ws_host = base.replace("http://", "ws://")
    ws_all = asyncio.create_task(_ws_messages(f"{ws_host}/ws/k6-data?{query}", live_gateway.token))
    hub = app.state.live_hub
    await until_live_clients(hub, 3)

    publisher = NatsBroker(stack.nats_url)
    async with publisher:
        await publisher.connect()
        bus = Bus(publisher)
        await bus.publish(LIVE_METRICS, _snapshot(test_id, 100), test_id=test_id)
        await bus.publish(LIVE_METRICS, _snapshot(str(uuid4()), 7), test_id="someone-else")
        await bus.publish(POD_RESOURCES, _pods(test_id))
        # each subject has its own subscription in the gateway: keep the order by waiting
        await _until_published(hub, 3)
        await bus.publish(LIVE_METRICS, _snapshot(test_id, 200), test_id=test_id)
        await _until_published(hub, 4)
        finished = TestFinished(
            test_id=test_id, status=RunStatus.SUCCEEDED, finished_at=datetime.now(UTC)
        )
        await bus.publish(
            TEST_FINISHED, TestFinishedEvent(correlation_id=test_id, payload=finished)
        )
        summary = TestSummary(test_id=test_id, overall=MetricFigures(total_requests=300))
        await bus.publish(TEST_SUMMARY, TestSummaryEvent(correlation_id=test_id, payload=summary))
        events, pod_events, frames = await asyncio.wait_for(
            asyncio.gather(sse_all, sse_pods, ws_all), 30
        )

    # unnamed events, as EventSource.onmessage receives them; the kind is in the JSON
    assert ["event" in e for e in events] == [False] * 5
    assert [e["data"]["kind"] for e in events] == ["k6", "resources", "k6", "end", "summary"]
    assert [int(e["id"]) for e in events] == sorted(int(e["id"]) for e in events)
    first = events[0]["data"]["k6"]
    assert first["test_id"] == test_id
    assert first["overall"]["requests_total"] == 100
    assert first["overall"]["response_time_p95"] == 30.0
    pod = events[1]["data"]["resources"][0]
    assert pod["usage"] == {"cpu_percent": 30.0, "memory_percent": 25.0}
    assert pod["actual_usage"] == {"cpu_millicores": 150.0, "memory_mb": 64.0}
    assert pod["specs"]["cpu_limit_millicores"] == 500.0
    assert events[3]["data"]["end"]["status"] == "succeeded"
    assert events[4]["data"]["summary"]["complete"] is True
    assert events[4]["data"]["summary"]["figures"]["total_requests"] == 300

    assert [e["event"] for e in pod_events] == ["resources", "end", "summary"]
    assert [f["kind"] for f in frames] == ["k6", "resources", "k6", "end", "summary"]
    assert frames == [e["data"] for e in events]

    # a client that lost the stream after the first event resumes with Last-Event-ID
    resumed = await _sse_events(
        f"{base}/sse/k6-data?{query}", live_gateway.token, {"Last-Event-ID": events[0]["id"]}
    )
    assert [e["id"] for e in resumed] == [e["id"] for e in events[1:]]

    rows: list[TestResourceTimeseries] = []
    for _ in range(100):  # stored by the durable consumer, at its own pace
        async with app.state.session_factory() as session:
            rows = list(
                await session.scalars(
                    select(TestResourceTimeseries)
                    .join(TestHistory)
                    .where(TestHistory.test_id == test_id)
                )
            )
        if rows:
            break
        await asyncio.sleep(0.1)
    assert [(r.pod_name, r.cpu_usage_millicores, r.memory_percent) for r in rows] == [
        ("demo-api-0", 150.0, 25.0)
    ]
    assert hub.clients == 0
    async with httpx.AsyncClient(base_url=base, headers=live_gateway.headers) as http:
        stats = (await http.get("/live/stats")).json()
    assert stats["clients"] == 0
    assert test_id not in stats["running_tests"]  # it ended
    assert stats["dropped_total"] == 0


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("include=everything", "include"),
        ("test_id=", "test_id"),
        ("test_id=" + "x" * 65, "test_id"),
    ],
)
async def test_bad_stream_parameters_are_422(
    live_gateway: LiveGateway, query: str, field: str
) -> None:
    async with httpx.AsyncClient(base_url=live_gateway.base, headers=live_gateway.headers) as http:
        response = await http.get(f"/sse/k6-data?{query}")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == field


async def test_a_stopping_gateway_ends_open_streams(live_gateway: LiveGateway) -> None:
    """Streams end at shutdown, before the 60 s grace: SSE clients see the stream close (and
    reconnect with Last-Event-ID), WebSocket clients a 1012 "service restart" close."""
    ws_url = live_gateway.base.replace("http://", "ws://") + "/ws/k6-data"
    sse = asyncio.create_task(_sse_events(f"{live_gateway.base}/sse/k6-data", live_gateway.token))
    async with websockets.connect(
        ws_url, subprotocols=bearer_subprotocols(live_gateway.token)
    ) as socket:
        hub = live_gateway.app.state.live_hub
        await until_live_clients(hub, 2)
        live_gateway.server.should_exit = True
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(socket.recv(), PATIENCE)
        assert socket.close_code == 1012
    assert await asyncio.wait_for(sse, PATIENCE) == []
    await asyncio.wait_for(live_gateway.serving, PATIENCE)
    assert hub.clients == 0


async def test_a_page_opened_mid_test_replays_the_run_so_far(
    live_gateway: LiveGateway, stack: StackConfig
) -> None:
    base, app = live_gateway.base, live_gateway.app
    hub: LiveHub = app.state.live_hub
    hub.queue_size = 2  # the replay is not cut to the live queue's size
    test_id, other = str(uuid4()), str(uuid4())
    async with app.state.session_factory() as session, session.begin():
        project = Project(title="replay")
        session.add(project)
        await session.flush()
        session.add(TestHistory(test_id=test_id, project_id=project.id, title="replay"))
    publisher = NatsBroker(stack.nats_url)
    async with publisher:
        await publisher.connect()
        bus = Bus(publisher)
        for requests in (10, 20, 30):
            await bus.publish(LIVE_METRICS, _snapshot(test_id, requests), test_id=test_id)
        await bus.publish(LIVE_METRICS, _snapshot(other, 7), test_id=other)
        await _until_published(hub, 4)

        url = f"{base}/sse/k6-data?test_id={test_id}"
        replayed = asyncio.create_task(_sse_events(f"{url}&replay=true", live_gateway.token))
        current = asyncio.create_task(_sse_events(url, live_gateway.token))
        await until_live_clients(hub, 2)
        await bus.publish(LIVE_METRICS, _snapshot(test_id, 40), test_id=test_id)
        await _until_published(hub, 5)
        finished = TestFinished(
            test_id=test_id, status=RunStatus.SUCCEEDED, finished_at=datetime.now(UTC)
        )
        await bus.publish(
            TEST_FINISHED, TestFinishedEvent(correlation_id=test_id, payload=finished)
        )
        summary = TestSummary(test_id=test_id, overall=MetricFigures(total_requests=40))
        await bus.publish(TEST_SUMMARY, TestSummaryEvent(correlation_id=test_id, payload=summary))
        events, latest = await asyncio.wait_for(asyncio.gather(replayed, current), 30)

    def totals(stream: list[dict[str, Any]]) -> list[int]:
        return [
            e["data"]["k6"]["overall"]["requests_total"]
            for e in stream
            if e["data"]["kind"] == "k6"
        ]

    assert totals(events) == [10, 20, 30, 40]  # the whole run, then live, in order
    assert totals(latest) == [30, 40]  # without replay: the current state only
    assert [e["data"]["kind"] for e in events][-2:] == ["end", "summary"]
    assert hub.history(test_id) == []  # forgotten once the test ended
