"""A live client learns whether the figures are whole: after a test's ``end`` its stream stays
open for the ``summary``, streamed once the gateway has stored it (complete or not, with the
reason and the overall figures), or a ``summary`` with ``stored: false`` once the wait runs out.
Before, streams closed at the end and a live client never learned the figures fell short.

The real gateway server, real NATS (the finished and summary events published as the
test-runner and the aggregator publish them, stored by the gateway's durable consumers), real
SQLite, SSE and WebSocket clients.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import websockets
from faststream.nats import NatsBroker

from gateway_tests.conftest import bearer_subprotocols, until_live_clients
from gateway_tests.served_gateway import ADMIN_TOKEN, serve_gateway, signed_in
from mv_contracts.lifecycle import RunStatus, TestFinished, TestFinishedEvent
from mv_contracts.metrics import MetricFigures, TestSummary, TestSummaryEvent
from mv_contracts.subjects import TEST_FINISHED, TEST_SUMMARY
from mv_devstack.config import StackConfig
from mv_gateway.history.tables import TestHistory
from mv_gateway.projects.tables import Project
from mv_runtime.bus import Bus

from .test_live_streams import _sse_events

SHORT = "InfluxDB has 1,033 of 2,290 requests (k6 counted 2,290)"


async def _running_test(app: Any) -> tuple[str, int]:
    test_id = str(uuid4())
    async with app.state.session_factory() as session, session.begin():
        project = Project(title="live summary")
        session.add(project)
        await session.flush()
        test = TestHistory(test_id=test_id, project_id=project.id, title="t", status="running")
        session.add(test)
        await session.flush()
        return test_id, test.id


async def _ws_frames(url: str) -> tuple[list[dict[str, Any]], int | None]:
    async with websockets.connect(url, subprotocols=bearer_subprotocols(ADMIN_TOKEN)) as socket:
        frames = [json.loads(frame) async for frame in socket]
        return frames, socket.close_code


async def test_a_live_client_learns_that_the_figures_are_not_whole(
    stack: StackConfig, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'summary.db'}"
    async with (
        # keep-alives 30 s apart: the summary must come from the bus, not from the store's check
        serve_gateway(stack, url, sse_ping_seconds=30, live_summary_wait_seconds=60) as (
            base,
            app,
        ),
        signed_in(base) as http,
    ):
        test_id, history_id = await _running_test(app)
        stream = f"{base}/sse/k6-data?test_id={test_id}"
        unnamed = asyncio.create_task(_sse_events(stream, ADMIN_TOKEN))
        named = asyncio.create_task(_sse_events(stream + "&named=true", ADMIN_TOKEN))
        ws = asyncio.create_task(
            _ws_frames(f"{base.replace('http://', 'ws://')}/ws/k6-data?test_id={test_id}")
        )
        await until_live_clients(app.state.live_hub, 3)

        publisher = NatsBroker(stack.nats_url)
        async with publisher:
            await publisher.connect()
            bus = Bus(publisher)
            finished = TestFinished(
                test_id=test_id, status=RunStatus.SUCCEEDED, finished_at=datetime.now(UTC)
            )
            await bus.publish(
                TEST_FINISHED, TestFinishedEvent(correlation_id=test_id, payload=finished)
            )
            await asyncio.sleep(1.5)  # the summary comes later: the streams stay open for it
            assert [t.done() for t in (unnamed, named, ws)] == [False] * 3
            summary = TestSummary(
                test_id=test_id,
                overall=MetricFigures(total_requests=1033, failed_requests=2, avg_tps=51.6),
                complete=False,
                incomplete_reason=SHORT,
            )
            published = asyncio.get_running_loop().time()
            await bus.publish(
                TEST_SUMMARY, TestSummaryEvent(correlation_id=test_id, payload=summary)
            )
            events = await asyncio.wait_for(unnamed, 30)
            streamed_after = asyncio.get_running_loop().time() - published
            # streamed only once stored: the details say the same at once
            details = (await http.get(f"/test-history/{history_id}/details")).json()
            named_events = await asyncio.wait_for(named, 10)
            frames, close_code = await asyncio.wait_for(ws, 10)

        assert [e["data"]["kind"] for e in events] == ["end", "summary"]
        print(f"measured: summary on the stream {streamed_after:.2f} s after it was published")
        assert streamed_after < 5  # stored, then streamed: not at the next keep-alive
        last = events[-1]["data"]["summary"]
        assert last["stored"] is True
        assert (last["complete"], last["incomplete_reason"]) == (False, SHORT)
        assert last["figures"]["total_requests"] == 1033
        assert last["test_history_id"] == history_id
        assert last["details_url"] == f"/test-history/{history_id}/details"
        assert (details["complete"], details["incomplete_reason"]) == (False, SHORT)
        assert details["figures"]["total_requests"] == 1033
        assert [e["event"] for e in named_events] == ["end", "summary"]
        assert [f["kind"] for f in frames] == ["end", "summary"]
        assert frames[-1]["summary"] == last
        assert close_code == 1000

        # A client that comes after it all gets the end and the summary from the store at once.
        late = await asyncio.wait_for(_sse_events(stream, ADMIN_TOKEN), 5)
        assert [e["data"]["kind"] for e in late] == ["end", "summary"]
        assert late[-1]["data"]["summary"] == last
        resumed = await asyncio.wait_for(
            _sse_events(stream, ADMIN_TOKEN, headers={"Last-Event-ID": events[0]["id"]}), 5
        )
        assert [e["data"]["kind"] for e in resumed] == ["summary"]  # what it missed, no more


async def test_a_summary_that_does_not_come_closes_the_stream_saying_so(
    stack: StackConfig, tmp_path: Path
) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'late.db'}"
    async with serve_gateway(stack, url, sse_ping_seconds=0.5, live_summary_wait_seconds=2) as (
        base,
        app,
    ):
        test_id, history_id = await _running_test(app)
        stream = f"{base}/sse/k6-data?test_id={test_id}"
        following = asyncio.create_task(_sse_events(stream, ADMIN_TOKEN))
        await until_live_clients(app.state.live_hub, 1)
        publisher = NatsBroker(stack.nats_url)
        async with publisher:
            await publisher.connect()
            finished = TestFinished(
                test_id=test_id, status=RunStatus.FAILED, reason="k6 crashed",
                finished_at=datetime.now(UTC),
            )  # fmt: skip
            await Bus(publisher).publish(
                TEST_FINISHED, TestFinishedEvent(correlation_id=test_id, payload=finished)
            )
            started = asyncio.get_running_loop().time()
            events = await asyncio.wait_for(following, 15)
            waited = asyncio.get_running_loop().time() - started

        assert [e["data"]["kind"] for e in events] == ["end", "summary"]
        assert events[0]["data"]["end"] == {"status": "failed", "reason": "k6 crashed"}
        pending = events[1]["data"]["summary"]
        assert (pending["stored"], pending["complete"], pending["figures"]) == (False, None, None)
        assert 1.5 <= waited <= 6, waited
        # Long after the end, a new client is not kept waiting: the wait counts from the end.
        started = asyncio.get_running_loop().time()
        again = await asyncio.wait_for(_sse_events(stream, ADMIN_TOKEN), 5)
        assert [e["data"]["kind"] for e in again] == ["end", "summary"]
        assert again[1]["data"]["summary"]["stored"] is False
        assert again[1]["data"]["summary"]["test_history_id"] == history_id
        assert asyncio.get_running_loop().time() - started < 1.5
