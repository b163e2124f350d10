"""Summaries into test_history / scenario_history and the live-snapshot store, on both backends
and through the real NATS server."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import nats
import pytest
from faststream.nats import NatsBroker
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from mv_contracts.metrics import (
    MetricFigures,
    ScenarioSummary,
    TestSummary,
    TestSummaryEvent,
)
from mv_contracts.subjects import STREAM_NAME, TEST_SUMMARY, durable_name
from mv_devstack.config import StackConfig
from mv_gateway.core.engine import make_session_factory
from mv_gateway.history import summaries as metrics
from mv_gateway.history.compare import figures_of
from mv_gateway.history.summaries import store_summary
from mv_gateway.history.tables import ScenarioHistory, TestHistory
from mv_gateway.projects.tables import Project
from mv_runtime.bus import Bus, make_broker


async def add_test(session: AsyncSession, test_id: str, tags: tuple[str, ...]) -> TestHistory:
    project = Project(title="metrics")
    session.add(project)
    await session.flush()
    test = TestHistory(test_id=test_id, project_id=project.id, title="load", status="running")
    session.add(test)
    await session.flush()
    for tag in tags:
        session.add(
            ScenarioHistory(
                test_history_id=test.id, name=tag, scenario_tag=tag, executor="constant-vus"
            )
        )
    await session.flush()
    return test


def figures(requests: int, p95: float) -> MetricFigures:
    return MetricFigures(
        total_requests=requests,
        failed_requests=requests // 10,
        test_duration=10,
        avg_tps=requests / 10,
        max_tps=requests / 8,
        min_tps=requests / 12,
        p95_response_time=p95,
        avg_response_time=p95 / 2,
        max_vus=5,
    )


def summary_of(test_id: str) -> TestSummary:
    return TestSummary(
        test_id=test_id,
        overall=figures(300, 40.5),
        scenarios=[
            ScenarioSummary(name="s01_list", figures=figures(200, 30.25)),
            ScenarioSummary(name="s02_get", figures=figures(100, 50.75)),
            ScenarioSummary(name="s09_gone", figures=figures(1, 1)),
        ],
    )


async def test_summary_fills_the_test_and_its_scenarios(session: AsyncSession) -> None:
    test_id = str(uuid.uuid4())
    test = await add_test(session, test_id, ("s01_list", "s02_get", "s03_idle"))
    done = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert await store_summary(session, summary_of(test_id), done)
    await session.flush()
    await session.refresh(test)
    assert test.is_completed
    assert test.completed_at == done
    stored = figures_of(test)  # the figure columns come from the contract, read by name
    assert (stored["total_requests"], stored["failed_requests"]) == (300, 30)
    assert (stored["p95_response_time"], stored["avg_tps"]) == (40.5, 30)
    assert (stored["max_vus"], stored["p99_response_time"]) == (5, None)
    rows = await session.scalars(
        select(ScenarioHistory).where(ScenarioHistory.test_history_id == test.id)
    )
    by_tag = {row.scenario_tag: figures_of(row) for row in rows}
    assert by_tag["s01_list"]["total_requests"] == 200
    assert by_tag["s01_list"]["p95_response_time"] == 30.25
    assert by_tag["s02_get"]["avg_response_time"] == pytest.approx(25.375)
    assert by_tag["s03_idle"]["total_requests"] is None  # no figures for it in the summary


async def test_summary_time_is_the_completion_time(session: AsyncSession) -> None:
    test_id = str(uuid.uuid4())
    test = await add_test(session, test_id, ())
    ended = datetime(2026, 1, 2, 3, 0, 0, tzinfo=UTC)
    test.completed_at = ended  # as the finished event stores it
    assert await store_summary(session, summary_of(test_id), ended + timedelta(minutes=1))
    await session.flush()
    await session.refresh(test)
    assert test.completed_at == ended + timedelta(minutes=1)
    assert test.is_completed
    assert figures_of(test)["total_requests"] == 300


async def test_summary_of_an_unknown_test_changes_nothing(session: AsyncSession) -> None:
    assert not await store_summary(session, summary_of("nobody"), datetime.now(UTC))


@pytest.fixture
async def gateway_bus(engine: AsyncEngine, stack: StackConfig) -> AsyncIterator[NatsBroker]:
    """The handlers on the real server, on a durable of their own (test runs may overlap);
    the durable is deleted afterwards."""
    service = f"gateway-test-{uuid.uuid4().hex[:8]}"
    broker = make_broker(stack.nats_url)
    metrics.register(broker, make_session_factory(engine), service=service)
    await broker.start()
    yield broker
    await broker.stop()
    connection = await nats.connect(stack.nats_url)
    try:
        await connection.jetstream().delete_consumer(
            STREAM_NAME, durable_name(service, TEST_SUMMARY)
        )
    finally:
        await connection.close()


async def test_summary_through_real_nats(engine: AsyncEngine, gateway_bus: NatsBroker) -> None:
    sessions = make_session_factory(engine)
    test_id = str(uuid.uuid4())
    async with sessions() as session, session.begin():
        test = await add_test(session, test_id, ("s01_list", "s02_get"))
        project_id = test.project_id
    bus = Bus(gateway_bus)
    try:
        event = TestSummaryEvent(correlation_id=test_id, payload=summary_of(test_id))
        other = TestSummaryEvent(  # a second envelope: stored figures must not change to it
            correlation_id=test_id, payload=summary_of(test_id), id=event.id
        )
        await bus.publish(TEST_SUMMARY, event)
        await bus.publish(TEST_SUMMARY, other)
        stored: TestHistory | None = None
        for _ in range(200):
            async with sessions() as session:
                stored = await session.scalar(
                    select(TestHistory).where(TestHistory.test_id == test_id)
                )
            if stored is not None and stored.is_completed:
                break
            await asyncio.sleep(0.05)
        assert stored is not None
        assert stored.is_completed
        assert figures_of(stored)["total_requests"] == 300
        assert stored.completed_at is not None
    finally:
        async with sessions() as session, session.begin():
            await session.execute(delete(Project).where(Project.id == project_id))
